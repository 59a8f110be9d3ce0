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

/** Sequential requests to `path` for the phase: each one's latency in ms. */
async function sample(path: string, until: number): Promise<number[]> {
  const out: number[] = []
  while (performance.now() < until) {
    const t = performance.now()
    const r = await fetch(`${url}${path}`)
    await r.arrayBuffer()
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

async function phase(busy: boolean) {
  const until = performance.now() + seconds * 1000
  let checks = 0
  const statuses = new Map<number, number>()
  // Two checks in flight all the time (the per-client limit), each started when the last one answers.
  const load = busy
    ? [0, 1].map(async () => {
        while (performance.now() < until) {
          const r = await fetch(`${url}/compatibility/time-entry`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: expensive,
          })
          await r.arrayBuffer()
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
          checks++
        }
      })
    : []
  const [health, cached] = await Promise.all([
    sample('/health', until),
    sample('/schemas/time-entry/versions/2', until),
    ...load,
  ])
  return { health: health as number[], cached: cached as number[], checks, statuses }
}

try {
  const idle = await phase(false)
  const busy = await phase(true)
  console.log(`registry from ${cwd}; ${seconds} s per phase; a shared, noisy machine: compare within a run`)
  console.log(`idle   /health     ${show(idle.health)}`)
  console.log(`idle   cached GET  ${show(idle.cached)}`)
  console.log(
    `busy   (${busy.checks} checks of a 2,000-property schema, statuses ${JSON.stringify(Object.fromEntries(busy.statuses))})`,
  )
  console.log(`busy   /health     ${show(busy.health)}`)
  console.log(`busy   cached GET  ${show(busy.cached)}`)
  console.log(
    `busy/idle p99: /health ${(pct(busy.health, 99) / pct(idle.health, 99)).toFixed(1)}x, cached GET ${(pct(busy.cached, 99) / pct(idle.cached, 99)).toFixed(1)}x`,
  )
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  await rm(dataDir, { recursive: true, force: true })
}
