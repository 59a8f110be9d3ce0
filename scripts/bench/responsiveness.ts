/**
 * How long /health and a cached GET take while expensive compatibility checks run, against the same registry idle,
 * measured in this run. A real `contracts serve` in its own process (PGlite in a temp directory, or DATABASE_URL);
 * BENCH_SECONDS per phase (default 10); REGISTRY_CWD: the checkout whose `contracts serve` to start (default this
 * one: point it at an older checkout to compare). `npm run bench:responsiveness`
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const cwd = resolve(process.env.REGISTRY_CWD ?? '.')
const dataDir = await mkdtemp(join(tmpdir(), 'bench-responsiveness-'))
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve'], {
  cwd,
  env: {
    ...process.env,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    // A budget the checks stay under: this measures the event loop, not refusals.
    REGISTRY_WORK_BUDGET_MS: '600000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const url = await new Promise<string>((done, fail) => {
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
    const m = /listening on (http:\/\/\S+)/.exec(out)
    if (m) done(m[1] as string)
  })
  child.once('exit', (code) => fail(new Error(`contracts serve exited (${code}): ${out}`)))
})

const v2 = (await (await fetch(`${url}/schemas/time-entry/versions/2`)).json()) as Record<string, unknown>
const { $id: _id, ...base } = v2
const properties = { ...(base.properties as Record<string, unknown>) }
for (let i = 0; i < 2000; i++) properties[`field${i}`] = { type: 'string', maxLength: 10 }
const expensive = JSON.stringify({ ...base, properties })

/** Connections the server reset (a blocked event loop lets keep-alive sockets time out under the client). */
let resets = 0

/** Sequential requests to `path` for the phase: each one's latency in ms, a reset connection included. */
async function sample(path: string, until: number): Promise<number[]> {
  const out: number[] = []
  while (performance.now() < until) {
    const t = performance.now()
    try {
      const r = await fetch(`${url}${path}`)
      await r.arrayBuffer()
    } catch {
      resets++
    }
    out.push(performance.now() - t)
  }
  return out
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}
const show = (xs: number[]) =>
  `n=${String(xs.length).padStart(5)}  p50 ${pct(xs, 50).toFixed(2)} ms  p99 ${pct(xs, 99).toFixed(2)} ms  max ${Math.max(...xs).toFixed(1)} ms`

/** `load`: a body POSTed to /compatibility/time-entry by `inFlight` loops for the whole phase; none: idle. */
async function phase(load?: { body: string; inFlight: number }) {
  const until = performance.now() + seconds * 1000
  const checks: number[] = []
  const statuses = new Map<number, number>()
  const loops = load
    ? Array.from({ length: load.inFlight }, async () => {
        while (performance.now() < until) {
          const t = performance.now()
          let status = 0 // the connection was reset
          try {
            const r = await fetch(`${url}/compatibility/time-entry`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: load.body,
            })
            await r.arrayBuffer()
            status = r.status
          } catch {
            resets++
          }
          checks.push(performance.now() - t)
          statuses.set(status, (statuses.get(status) ?? 0) + 1)
        }
      })
    : []
  const [health, cached] = await Promise.all([
    sample('/health', until),
    sample('/schemas/time-entry/versions/2', until),
    ...loops,
  ])
  return { health: health as number[], cached: cached as number[], checks, statuses }
}

// The reproducer: time-entry v2, a patternProperties key that explodes on a backtracking engine, and a
// property whose name is 29 `a`s and a `!`.
const attack = `${'a'.repeat(29)}!`
const redos = JSON.stringify({
  ...base,
  properties: { ...(base.properties as Record<string, unknown>), [attack]: { type: 'string' } },
  patternProperties: { '^(a+)+$': { type: 'string' } },
})

try {
  const idle = await phase()
  // Two checks in flight all the time (the per-client limit), each started when the last one answers.
  const busy = await phase({ body: expensive, inFlight: 2 })
  const evil = await phase({ body: redos, inFlight: 1 })
  const statuses = (p: { statuses: Map<number, number> }) => JSON.stringify(Object.fromEntries(p.statuses))
  console.log(`registry from ${cwd}; ${seconds} s per phase; a shared, noisy machine: compare within a run`)
  console.log(`idle   /health     ${show(idle.health)}`)
  console.log(`idle   cached GET  ${show(idle.cached)}`)
  console.log(
    `busy   checks of a 2,000-property schema (2 in flight) ${show(busy.checks)}  ${statuses(busy)}`,
  )
  console.log(`busy   /health     ${show(busy.health)}`)
  console.log(`busy   cached GET  ${show(busy.cached)}`)
  console.log(
    `busy/idle p99: /health ${(pct(busy.health, 99) / pct(idle.health, 99)).toFixed(1)}x, cached GET ${(pct(busy.cached, 99) / pct(idle.cached, 99)).toFixed(1)}x`,
  )
  console.log(
    `redos  the issue's POST /compatibility body (1 in flight) ${show(evil.checks)}  ${statuses(evil)}`,
  )
  console.log(`redos  /health     ${show(evil.health)}`)
  console.log(`redos  cached GET  ${show(evil.cached)}`)
  console.log(`connections reset by the server: ${resets}`)
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  await rm(dataDir, { recursive: true, force: true })
}
