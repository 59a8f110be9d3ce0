/**
 * The soak: SOAK_REQUESTS (default 20,000) fuzzed requests (fuzz-requests.ts, the fuzz test's) over HTTP against a
 * real `contracts serve` on PostgreSQL, SOAK_CONCURRENCY (8) in flight, then the process's resident memory
 * (process_resident_memory_bytes from its /metrics) compared with where it started: it must come back within
 * 50 MB once the work pool's idle workers have stopped. Prints the status counts; any 5xx fails the run.
 *
 * PostgreSQL from SOAK_DATABASE_URL, else TEST_DATABASE_URL (a schema of its own, dropped at the end); SOAK_SEED
 * picks the requests. Not in CI: it takes minutes. `npm run bench:soak`
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import pg from 'pg'
import { fuzzedRequests } from './fuzz-requests.ts'

const TOKEN = 'soak-token'
const total = Number(process.env.SOAK_REQUESTS ?? 20_000)
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 8)
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31)
const url =
  process.env.SOAK_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `soak_${randomBytes(6).toString('hex')}`
const LIMIT_MB = 50

const admin = new pg.Client({ connectionString: url })
await admin.connect()
await admin.query(`CREATE SCHEMA ${schema}`)

const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve'], {
  env: {
    ...process.env,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    REGISTRY_TOKENS: TOKEN,
    REGISTRY_RELOAD_MS: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const base = await new Promise<string>((done, fail) => {
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
    const m = /listening on (http:\/\/\S+)/.exec(out)
    if (m) done(m[1] as string)
  })
  child.once('exit', (code) => fail(new Error(`contracts serve exited (${code}): ${out}`)))
})

const rssMb = async (): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text()
  return Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]) / 2 ** 20
}
const workRunning = async (): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text()
  return Number(/^registry_work_running (\d+)$/m.exec(text)?.[1] ?? 0)
}

try {
  const v2 = (await (await fetch(`${base}/schemas/time-entry/versions/2`)).json()) as Record<string, unknown>
  const { $id: _id, ...timeEntry } = v2
  const requests = fc.sample(fuzzedRequests({ token: TOKEN, base: timeEntry }), { numRuns: total, seed })
  const started = await rssMb()
  const statuses = new Map<number, number>()
  let next = 0
  let done = 0
  let slowest = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const r = requests[next++]
        if (!r) break
        const init: RequestInit = { method: r.method, headers: r.headers }
        if (r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD') init.body = r.body
        const t = performance.now()
        let status: number
        try {
          const res = await fetch(`${base}${r.path}${r.query}`, init)
          await res.arrayBuffer()
          status = res.status
        } catch {
          status = 0 // the client refused to send it (fetch's own rules): not the server's answer
        }
        slowest = Math.max(slowest, performance.now() - t)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (++done % 2000 === 0)
          process.stderr.write(`  ${done} requests, RSS ${(await rssMb()).toFixed(0)} MB\n`)
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  const ended = await rssMb()
  // Idle workers stop after the pool's idleTimeout (60 s): wait for that, with nothing running.
  while ((await workRunning()) > 0) await new Promise((r) => setTimeout(r, 1000))
  await new Promise((r) => setTimeout(r, 75_000))
  const settled = await rssMb()
  const serverErrors = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0)
  console.log(`soak: ${total} requests (seed ${seed}), ${concurrency} in flight, ${seconds.toFixed(0)} s`)
  console.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
  console.log(`slowest answer: ${slowest.toFixed(0)} ms`)
  console.log(
    `RSS: ${started.toFixed(0)} MB at start, ${ended.toFixed(0)} MB after the last request, ${settled.toFixed(0)} MB settled (${(settled - started).toFixed(0)} MB from the start; limit ${LIMIT_MB})`,
  )
  if (serverErrors > 0 || settled - started > LIMIT_MB) process.exitCode = 1
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await admin.end()
}
