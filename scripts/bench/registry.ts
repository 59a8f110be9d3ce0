/**
 * GET of one schema: the registry (hono on @hono/node-server, with its per-request log line and metrics) against a
 * bare node:http server answering the same bytes and headers, in the same run. Each server runs in a child
 * process of its own, so that autocannon (here) does not share its event loop. `npm run bench:registry`
 * BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 50), BENCH_LOG_LEVEL (default info; `silent` shows the log line's cost).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import autocannon from 'autocannon'
import { Hono } from 'hono'
import { pino } from 'pino'
import { createRegistry, IN_MEMORY, listen } from '../../registry/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'

const PATH = '/schemas/time-entry/versions/2'
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const role = process.argv[2]

async function serveRegistry(): Promise<number> {
  const tree = await loadSchemaTree('schemas')
  const registry = await createRegistry({
    port: 0,
    dataDir: IN_MEMORY,
    // The log line is written as in production (buffered, as registry.ts does), to a file that discards it.
    logger: pino(
      { level: process.env.BENCH_LOG_LEVEL ?? 'info' },
      pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }),
    ),
    seed: tree.resources.map((r) => ({ name: r.name, version: r.version, file: r.file, schema: r.schema })),
    reloadIntervalMs: 0,
  })
  return (await listen(registry)).port
}

/** The bytes and ETag the registry serves for time-entry v2, taken from a registry once. */
async function servedEntry() {
  const registry = await createRegistry({
    dataDir: IN_MEMORY,
    logLevel: 'silent',
    seed: (await loadSchemaTree('schemas')).resources.map((r) => ({
      name: r.name,
      version: r.version,
      file: r.file,
      schema: r.schema,
    })),
    reloadIntervalMs: 0,
  })
  const entry = registry.service.version('time-entry', '2')
  await registry.close()
  return entry
}

async function serveBare(): Promise<number> {
  // Same bytes and headers as the registry's answer, fetched from a registry once.
  const entry = await servedEntry()
  const body = Buffer.from(entry.bytes)
  const headers = {
    'content-type': 'application/schema+json',
    etag: entry.etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'content-length': body.length,
  }
  const server = createServer((_req, res) => {
    res.writeHead(200, headers)
    res.end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as AddressInfo).port
}

/** hono with one route and nothing else: what the framework itself costs, to tell it from the registry's own. */
async function serveHono(): Promise<number> {
  const entry = await servedEntry()
  const app = new Hono()
  const headers = {
    'content-type': 'application/schema+json',
    etag: entry.etag,
    'cache-control': 'public, max-age=31536000, immutable',
  }
  app.get('/schemas/:name/versions/:version', (c) => c.body(entry.bytes, 200, headers))
  return new Promise((resolve) =>
    serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port)),
  )
}

interface Figures {
  rps: number
  p99: number
  p50: number
  errors: number
}

type Which = 'bare' | 'hono' | 'registry'
async function measure(which: Which): Promise<Figures> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [which], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [port] = (await once(child, 'message')) as [number]
  const url = `http://127.0.0.1:${port}${PATH}`
  try {
    await autocannon({ url, connections, duration: 1 }) // warm-up: JIT, connections
    const r = await autocannon({ url, connections, duration: seconds })
    return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, errors: r.errors + r.non2xx }
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

if (role === 'bare' || role === 'hono' || role === 'registry') {
  const port = await (role === 'bare' ? serveBare() : role === 'hono' ? serveHono() : serveRegistry())
  process.send?.(port)
  process.on('SIGTERM', () => process.exit(0))
} else {
  console.log(`GET ${PATH}: ${connections} connections, ${seconds} s each, after 1 s of warm-up`)
  const bare = await measure('bare')
  const hono = await measure('hono')
  const registry = await measure('registry')
  const row = (name: string, f: Figures) =>
    `${name.padEnd(10)} ${f.rps.toFixed(0).padStart(8)} req/s   p50 ${f.p50.toFixed(2)} ms   p99 ${f.p99.toFixed(2)} ms   errors ${f.errors}`
  console.log(row('node:http', bare))
  console.log(row('bare hono', hono))
  console.log(row('registry', registry))
  console.log(`bare hono: ${(hono.rps / bare.rps).toFixed(2)} of node:http req/s (the framework's own cost)`)
  console.log(
    `ratio ${(registry.rps / bare.rps).toFixed(2)} of bare req/s (goal ≥ 0.85); registry p99 ${registry.p99.toFixed(2)} ms (goal ≤ 2 ms)`,
  )
}
