/** Named errors of the simulator and the testbed. */

/** A scenario file that cannot be read, parsed or validated; `path` names the offending key (e.g. `faults[2].at`). */
export class ScenarioError extends Error {
  static override name = 'ScenarioError'
  readonly path: string
  constructor (path: string, message: string) {
    super(`scenario ${path}: ${message}`)
    this.name = 'ScenarioError'
    this.path = path
  }
}

/** A run that finished but broke an invariant the scenario expects (lost work, overcommit, refused loops, a crash). */
export class SimInvariantError extends Error {
  static override name = 'SimInvariantError'
  readonly violations: string[]
  constructor (violations: string[]) {
    super(`simulation broke ${violations.length} expectation(s): ${violations.join('; ')}`)
    this.name = 'SimInvariantError'
    this.violations = violations
  }
}

/** The testbed cannot run here (not root, no ip/nft/tc) or a system command failed. */
export class TestbedError extends Error {
  static override name = 'TestbedError'
  constructor (message: string) {
    super(message)
    this.name = 'TestbedError'
  }
}
