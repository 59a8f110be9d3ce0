/** A CLI command: parses its own argv with node:util parseArgs and returns an exit code. */
export interface Io {
  out: (line: string) => void
  err: (line: string) => void
  cwd: string
  env: NodeJS.ProcessEnv
}

/** 0 success, 1 the check failed (invalid event, incompatible schema, stale output), 2 usage error. */
export type ExitCode = 0 | 1 | 2

export interface Command {
  name: string
  summary: string
  usage: string
  run(argv: string[], io: Io): Promise<ExitCode>
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}
