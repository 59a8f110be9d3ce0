import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { repoRoot } from '../registry/helpers.ts'

/** A real `contracts serve` process, its URL once it listens, and everything it printed so far. */
export interface Served {
  child: ChildProcess
  url: string
  output(): string
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>
}

/** Starts `contracts serve` with `env` on a free port; rejects with its output if it exits before listening. */
export async function serve(env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', REGISTRY_RELOAD_MS: '0', ...env },
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
    child,
    url,
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
