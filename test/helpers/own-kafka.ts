/**
 * A Kafka broker of a test's own: a single KRaft node on free loopback ports with its own data dir, started and
 * stopped through scripts/kafka/kafka.sh. For tests that stop, kill or restart a broker: the shared one on 19092 is
 * never touched. The jars come from the repository's cache (fetched once by `kafka.sh up`).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('../../scripts/kafka/kafka.sh', import.meta.url))
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** A port nobody listens on now (the kernel picks it; a race with another process is possible but rare). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface OwnKafka {
  /** `127.0.0.1:<port>`, for `brokers`. */
  readonly brokers: string
  readonly dataDir: string
  /** Starts it (again, on the same data and ports) and waits until it answers. */
  up(): void
  /** SIGTERM, then SIGKILL after the grace period: a clean stop. */
  down(): void
  /** SIGKILL at once: a crash. */
  kill(): void
  /** Stops it and removes its data dir. */
  destroy(): void
  /** As up() and down(), without blocking the event loop: for clients that must keep running meanwhile. */
  start(): Promise<void>
  stop(): Promise<void>
}

export async function startOwnKafka(options: { heap?: string } = {}): Promise<OwnKafka> {
  const port = await freePort()
  const controllerPort = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'own-kafka-'))
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: dataDir,
    KAFKA_CACHE_DIR: process.env.KAFKA_CACHE_DIR ?? join(repoRoot, '.cache/kafka'),
    KAFKA_HEAP_OPTS: options.heap ?? '-Xms128m -Xmx384m',
    KAFKA_DOWN_TIMEOUT: '10',
  }
  const run = (command: string) => {
    const r = spawnSync('bash', [script, command], { env, cwd: repoRoot, encoding: 'utf8' })
    if (r.status !== 0)
      throw new Error(`kafka.sh ${command} (port ${port}) exited ${r.status}: ${r.stderr.slice(-2000)}`)
  }
  const runAsync = (command: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('bash', [script, command], {
        env,
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)))
      child.on('error', reject)
      child.on('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`kafka.sh ${command} (port ${port}) exited ${code}: ${stderr}`)),
      )
    })
  const pid = () => Number(readFileSync(join(dataDir, 'kafka.pid'), 'utf8').trim())
  const own: OwnKafka = {
    brokers: `127.0.0.1:${port}`,
    dataDir,
    up: () => run('up'),
    down: () => run('down'),
    start: () => runAsync('up'),
    stop: () => runAsync('down'),
    kill() {
      const p = pid()
      process.kill(p, 'SIGKILL')
      // Wait for the process to be gone, so the ports are free for the next up().
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(p, 0)
        } catch {
          return
        }
        spawnSync('sleep', ['0.05'])
      }
    },
    destroy() {
      try {
        run('down')
      } finally {
        rmSync(dataDir, { recursive: true, force: true })
      }
    },
  }
  own.up()
  return own
}
