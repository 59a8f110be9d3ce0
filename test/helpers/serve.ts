import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { repoRoot } from '../registry/helpers.ts'

/** A real `contracts serve` process, its URL once it listens, and everything it printed so far. */
export interface Served {
  url: string
  child: ChildProcess
  output(): string
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>
}

/**
 * A real `contracts serve` process (the argv runs it: the sources under tsx, or an installed package's bin), on a
 * free loopback port; resolves once it says where it listens, rejects with its output if it exits before that.
 */
export async function startServe(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Served> {
  const [command, ...args] = argv as [string, ...string[]]
  const child = spawn(command, args, {
    cwd,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      REGISTRY_RELOAD_MS: '0',
      // A wall-clock budget: generous, so a loaded machine does not turn ordinary checks into TOO_COMPLEX.
      REGISTRY_WORK_BUDGET_MS: '60000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const m = /listening on (http:\/\/\S+)/.exec(output)
      if (m) resolve(m[1] as string)
    }
    child.stdout?.on('data', look)
    child.once('exit', (code) => reject(new Error(`contracts serve exited (${code}): ${output}`)))
  })
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const [code] = (await exited) as [number | null]
      return code
    },
  }
}

/** This checkout's `contracts serve` (the sources, under tsx) with `env`, on a free port. */
export const serve = (env: NodeJS.ProcessEnv): Promise<Served> =>
  startServe([process.execPath, '--import', 'tsx', 'scripts/cli.ts', 'serve'], repoRoot, env)
