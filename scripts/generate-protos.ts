/**
 * Generates the wire codecs: proto/*.proto → protons TypeScript → compiled to
 * protocol/pb/<name>.js with <name>.d.ts. The generated TypeScript uses enums
 * and namespaces, which Node's type stripping cannot run, so it is compiled
 * once here and the JavaScript is committed. CI checks that it is fresh.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, mkdirSync, copyFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, basename } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const protoDir = join(root, 'proto')
const outDir = join(root, 'protocol', 'pb')
const bin = (name: string): string => join(root, 'node_modules', '.bin', name)

const protos = existsSync(protoDir) ? readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort() : []
const work = mkdtempSync(join(tmpdir(), 'skein-protons-'))
try {
  for (const p of protos) copyFileSync(join(protoDir, p), join(work, p))
  if (protos.length > 0) execFileSync(bin('protons'), protos.map((p) => join(work, p)), { stdio: 'inherit', cwd: work })
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  if (protos.length > 0) {
    const tsconfig = {
      compilerOptions: {
        target: 'es2024', module: 'nodenext', moduleResolution: 'nodenext', declaration: true, strict: true,
        skipLibCheck: true, outDir, rootDir: work, removeComments: false, newLine: 'lf', typeRoots: [join(root, 'node_modules', '@types')], types: []
      },
      files: protos.map((p) => join(work, basename(p, '.proto') + '.ts'))
    }
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(tsconfig))
    // the emitted JavaScript is ESM, like the rest of the project
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }))
    // resolve protons-runtime and its types from the project
    execFileSync('ln', ['-s', join(root, 'node_modules'), join(work, 'node_modules')])
    execFileSync(bin('tsc'), ['-p', join(work, 'tsconfig.json')], { stdio: 'inherit' })
  }
  writeFileSync(join(outDir, 'README.md'), '# Generated wire codecs\n\nMade by `npm run generate` from `proto/*.proto` (protons, then compiled). Do not edit; change the .proto and regenerate.\n')
} finally {
  rmSync(work, { recursive: true, force: true })
}
console.log(`generated ${protos.length} codec(s) into protocol/pb/`)
