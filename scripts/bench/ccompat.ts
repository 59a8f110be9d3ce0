/**
 * GET /ccompat/schemas/ids/{id} (what Confluent deserializers ask once per unknown id): the registry against a bare
 * node:http server answering the same bytes and content type, in the same run. Each server runs in a child process
 * of its own, so that autocannon (here) does not share its event loop; the two alternate, BENCH_RUNS times, and the
 * median ratio is printed, and the ratio of the servers' CPU time per request (each child's own user + system time
 * over the measured run), steadier than rates on a shared, loaded machine. `npm run bench:ccompat`
 * BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 50), BENCH_RUNS (default 3), BENCH_LOG_LEVEL (default info;
 * `debug` writes the line of every successful read). `tsx scripts/bench/ccompat.ts bare|registry` with
 * BENCH_PORT_FILE runs one server alone and writes `{port, path}` there (scripts/bench/ccompat-instructions.sh).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { pino } from 'pino'
import { createRegistry, IN_MEMORY, listen, type RegistryOptions } from '../../registry/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const runs = Number(process.env.BENCH_RUNS ?? 3)
const role = process.argv[2]

async function options(): Promise<RegistryOptions> {
  const tree = await loadSchemaTree('schemas')
  return {
    dataDir: IN_MEMORY,
    seed: tree.resources.map((r) => ({ name: r.name, version: r.version, file: r.file, schema: r.schema })),
    reloadIntervalMs: 0,
  }
}

/** The path asked for: time-entry v2's schema id. */
const pathOf = (id: number) => `/ccompat/schemas/ids/${id}`

async function serveRegistry(): Promise<{ port: number; path: string }> {
  const registry = await createRegistry({
    ...(await options()),
    port: 0,
    // The log line is written as in production (buffered), to a file that discards it.
    logger: pino(
      { level: process.env.BENCH_LOG_LEVEL ?? 'info' },
      pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }),
    ),
  })
  const id = registry.service.version('time-entry', '2').schemaId
  return { port: (await listen(registry)).port, path: pathOf(id) }
}

async function serveBare(): Promise<{ port: number; path: string }> {
  // The registry's own answer, fetched once, served as is.
  const registry = await createRegistry({ ...(await options()), logLevel: 'silent' })
  const id = registry.service.version('time-entry', '2').schemaId
  const res = await registry.app.request(pathOf(id))
  const body = Buffer.from(await res.arrayBuffer())
  await registry.close()
  const headers = { 'content-type': res.headers.get('content-type') ?? '', 'content-length': body.length }
  const server = createServer((_req, out) => {
    out.writeHead(200, headers)
    out.end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, path: pathOf(id) }
}

type Which = 'bare' | 'registry'
/** The child's CPU time so far (µs), asked over IPC. */
async function cpuOf(child: ChildProcess): Promise<number> {
  child.send('cpu')
  const [{ user, system }] = (await once(child, 'message')) as [NodeJS.CpuUsage]
  return user + system
}

async function measure(
  which: Which,
): Promise<{ rps: number; p99: number; errors: number; cpuPerRequest: number }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [which], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [{ port, path }] = (await once(child, 'message')) as [{ port: number; path: string }]
  const url = `http://127.0.0.1:${port}${path}`
  try {
    await autocannon({ url, connections, duration: 1 }) // warm-up: JIT, connections
    const cpu = await cpuOf(child)
    const r = await autocannon({ url, connections, duration: seconds })
    const cpuPerRequest = ((await cpuOf(child)) - cpu) / r.requests.total
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx, cpuPerRequest }
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

if (role === 'bare' || role === 'registry') {
  const served = await (role === 'bare' ? serveBare() : serveRegistry())
  if (process.send) process.send(served)
  else if (process.env.BENCH_PORT_FILE) writeFileSync(process.env.BENCH_PORT_FILE, JSON.stringify(served))
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.(process.cpuUsage())
  })
  process.on('SIGTERM', () => process.exit(0))
} else {
  console.log(`GET /ccompat/schemas/ids/{id}: ${connections} connections, ${seconds} s each, ${runs} runs`)
  const ratios: number[] = []
  const cpuRatios: number[] = []
  for (let i = 0; i < runs; i++) {
    const bare = await measure('bare')
    const registry = await measure('registry')
    const ratio = registry.rps / bare.rps
    const cpuRatio = bare.cpuPerRequest / registry.cpuPerRequest
    ratios.push(ratio)
    cpuRatios.push(cpuRatio)
    console.log(
      `run ${i + 1}: node:http ${bare.rps.toFixed(0)} req/s (p99 ${bare.p99} ms, errors ${bare.errors}, CPU ${bare.cpuPerRequest.toFixed(1)} µs/req), registry ${registry.rps.toFixed(0)} req/s (p99 ${registry.p99} ms, errors ${registry.errors}, CPU ${registry.cpuPerRequest.toFixed(1)} µs/req): ratio ${ratio.toFixed(2)}, CPU ratio ${cpuRatio.toFixed(2)}`,
    )
  }
  console.log(
    `median ratio ${median(ratios).toFixed(2)} of bare req/s (goal ≥ 0.85); median CPU ratio ${median(cpuRatios).toFixed(2)} (bare CPU per request / the registry's)`,
  )
}
