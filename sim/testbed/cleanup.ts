/**
 * A cleanup registry: everything the testbed makes (namespaces, links,
 * nftables tables, processes, directories) registers its undo here the moment
 * it exists; `run()` undoes all of it in reverse order, once, continuing past
 * failures. SIGINT and SIGTERM run it before the process exits (130 / 143).
 *
 *   const cleanup = new CleanupRegistry()
 *   cleanup.installSignalHandlers()
 *   sh('ip', ['netns', 'add', ns]); cleanup.add(`netns ${ns}`, () => sh('ip', ['netns', 'del', ns]))
 */
export class CleanupRegistry {
  private readonly steps: Array<{ label: string, fn: () => Promise<void> | void }> = []
  private running?: Promise<string[]>
  private readonly handlers: Array<[NodeJS.Signals, () => void]> = []

  add (label: string, fn: () => Promise<void> | void): void {
    this.steps.push({ label, fn })
  }

  get size (): number { return this.steps.length }

  /** Undoes everything, newest first; returns the labels that failed. Safe to call twice. */
  async run (): Promise<string[]> {
    this.running ??= (async () => {
      const failed: string[] = []
      while (this.steps.length > 0) {
        const step = this.steps.pop() as { label: string, fn: () => Promise<void> | void }
        try { await step.fn() } catch { failed.push(step.label) }
      }
      return failed
    })()
    return await this.running
  }

  installSignalHandlers (onSignal?: (signal: NodeJS.Signals) => void): void {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const handler = (): void => {
        onSignal?.(signal)
        this.run().then((failed) => {
          if (failed.length > 0) process.stderr.write(`testbed: cleanup could not undo: ${failed.join(', ')}\n`)
          process.exit(code)
        }, () => { process.exit(code) })
      }
      process.on(signal, handler)
      this.handlers.push([signal, handler])
    }
  }

  removeSignalHandlers (): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler)
    this.handlers.length = 0
  }
}
