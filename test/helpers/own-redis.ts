/**
 * A redis-server of a test's own: a free loopback port, its own data dir, append-only file with `appendfsync
 * always` (what Redis acknowledged is on disk). For tests that stop, kill, pause or restart Redis: the shared server
 * on 6379 is never touched. Created stopped: `up()` starts it (again, on the same port and data).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
import { freePort } from './own-kafka.ts'

export interface OwnRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  readonly dataDir: string
  /** Starts it and waits until it answers PING. */
  up(): Promise<void>
  /** SHUTDOWN-like stop (SIGTERM: Redis flushes its AOF and exits). */
  down(): Promise<void>
  /** SIGKILL at once: a crash. */
  kill(): Promise<void>
  /** SIGSTOP: the process and its sockets stay, nothing answers (a hung server). */
  pause(): void
  /** SIGCONT after pause(). */
  resume(): void
  /** Stops it (resumed first if paused) and removes its data dir. */
  destroy(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'own-redis-'))
  const url = `redis://127.0.0.1:${port}`
  let server: ChildProcess | undefined

  async function stop(signal: NodeJS.Signals): Promise<void> {
    const s = server
    server = undefined
    if (!s || s.exitCode !== null || s.signalCode !== null) return
    const exited = new Promise((resolve) => s.once('exit', resolve))
    s.kill('SIGCONT') // a paused server would not act on SIGTERM
    s.kill(signal)
    await exited
  }

  return {
    url,
    dataDir,
    async up() {
      if (server) throw new Error(`own redis on ${port} is already up`)
      // `--save ''`: no RDB snapshots, the AOF alone (so a restart reads exactly what was acknowledged).
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '']
      args.push('--appendonly', 'yes', '--appendfsync', 'always', '--logfile', join(dataDir, 'redis.log'))
      server = spawn('redis-server', args, { stdio: 'ignore' })
      const probe = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } })
      probe.on('error', () => undefined)
      for (let i = 0; ; i++) {
        try {
          await probe.connect()
          if ((await probe.ping()) === 'PONG') break
        } catch {
          if (i > 200) throw new Error(`redis-server on ${port} did not start`)
          await sleep(50)
        }
      }
      probe.destroy()
    },
    down: () => stop('SIGTERM'),
    kill: () => stop('SIGKILL'),
    pause: () => void server?.kill('SIGSTOP'),
    resume: () => void server?.kill('SIGCONT'),
    async destroy() {
      await stop('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
