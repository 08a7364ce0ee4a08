#!/usr/bin/env node
// Entry point of the `skein` command. Kept in plain JavaScript so that an old
// Node.js gets one clear line instead of a syntax error from TypeScript sources.
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  process.stderr.write(`skein: Node.js ${process.versions.node} is too old; Skein needs Node.js 24 or later.\n` +
    'hint: run it through npx or an npm script in this checkout (they use the bundled Node 24), or install Node 24\n')
  process.exit(1)
}
await import('../agent/cli/main.ts')
