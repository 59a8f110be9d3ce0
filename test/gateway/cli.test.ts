/**
 * `contracts gateway` and `contracts forward` as real processes on the real broker: curl a structured CloudEvent to
 * a running gateway, `contracts consume` prints it; an invalid one is 422 with pointers and publishes nothing; the
 * forwarder POSTs it to a receiver that verifies the signature. And the configuration errors that stop a start.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkEvent } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { gatewayCommand } from '../../scripts/commands/gateway.ts'
import { forwardCommand } from '../../scripts/commands/forward.ts'
import { captureIo } from '../helpers/io.ts'
import { brokers, TestKafka } from '../consumers/kafka.ts'
import { endOffsets } from '../publishers/kafka-helpers.ts'
import { TestRedis } from '../redis/redis.ts'
import { datasetEvent, newSecret, receiver } from './helpers.ts'

const run = promisify(execFile)
const root = process.cwd()
const TOKEN = 'cli-gateway-token-9f8e7d'
const t = new TestKafka('gwcli')
const topic = `${t.prefix}.hdx-datasets`
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gateway-cli-'))
  await t.setup([topic], 1)
})
afterAll(async () => {
  await t.cleanup()
  await rm(dir, { recursive: true, force: true })
})

/** A CLI command as its own process; resolves once `ready` matches its output. */
function start(args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = once(child, 'exit')
  const matched = new Promise<RegExpExecArray>((resolve, reject) => {
    const look = (d: Buffer) => {
      output += d.toString()
      const m = ready.exec(output)
      if (m) resolve(m)
    }
    child.stdout.on('data', look)
    child.stderr.on('data', look)
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ${ready}: ${output}`)))
  })
  return { child, matched, exited, output: () => output }
}

async function stop(child: ChildProcess, exited: Promise<unknown>) {
  if (child.exitCode === null) child.kill('SIGTERM')
  await exited
}

const curl = async (url: string, body: unknown) => {
  const { stdout } = await run('curl', [
    '-s',
    '-w',
    '\n%{http_code}',
    '-X',
    'POST',
    `${url}/events`,
    '-H',
    `authorization: Bearer ${TOKEN}`,
    '-H',
    'content-type: application/cloudevents+json',
    '--data-binary',
    JSON.stringify(body),
  ])
  const at = stdout.lastIndexOf('\n')
  return {
    status: Number(stdout.slice(at + 1)),
    body: JSON.parse(stdout.slice(0, at)) as Record<string, unknown>,
  }
}

describe('contracts gateway, contracts consume and contracts forward as processes', () => {
  it('curl publishes a valid event that contracts consume prints; an invalid one is 422 and publishes nothing; forward POSTs it signed, in HDX shape', async () => {
    const gateway = start(
      ['gateway', '--port', '0', '--topic-prefix', t.prefix],
      { KAFKA_BROKERS: brokers.join(','), GATEWAY_TOKENS: TOKEN },
      /listening on (http:\/\/\S+)[\s\S]*writes enabled/,
    )
    try {
      const url = (await gateway.matched)[1] as string
      const event = datasetEvent()
      const ok = await curl(url, event)
      expect(ok).toMatchObject({ status: 202, body: { ids: [event.id] } })

      const consumed = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/cli.ts',
          'consume',
          '--topic',
          topic,
          '--from-beginning',
          '--max',
          '1',
          '--json',
          '--group',
          t.group('consume'),
        ],
        { cwd: root, env: { ...process.env, KAFKA_BROKERS: brokers.join(',') } },
      )
      const printed = JSON.parse(consumed.stdout.trim()) as { id: string; resource: string; event: unknown }
      expect(printed).toMatchObject({ id: event.id, resource: 'dataset', action: 'update' })
      expect(checkEvent(catalog, printed.event).ok).toBe(true)

      const admin = t.kafka.admin()
      await admin.connect()
      try {
        const before = await endOffsets(admin, [topic])
        const bad = await curl(
          url,
          datasetEvent({ data: { ...(event.data as object), name: 'Not A Name', private: 'no' } }),
        )
        expect(bad.status).toBe(422)
        expect((bad.body.issues as { path: string }[]).map((i) => i.path)).toEqual([
          '/data/name',
          '/data/private',
        ])
        expect(await endOffsets(admin, [topic])).toEqual(before)
      } finally {
        await admin.disconnect()
      }

      const secret = newSecret()
      const hook = await receiver(secret)
      try {
        const forward = start(
          [
            'forward',
            '--topic',
            topic,
            '--from-beginning',
            '--url',
            hook.url,
            '--max',
            '1',
            '--shape',
            'hdx',
            '--batch',
            '10',
            '--group',
            t.group('forward'),
          ],
          { KAFKA_BROKERS: brokers.join(','), WEBHOOK_SECRET: secret },
          /delivered/,
        )
        await forward.matched
        const [code] = (await forward.exited) as [number]
        expect(code).toBe(0)
        expect(hook.delivered()).toHaveLength(1)
        expect(hook.received[0]?.verified).toBe(true)
        // HDX's shape, batched: the one event the topic holds.
        expect(JSON.parse(hook.received[0]?.body as string)).toMatchObject({
          events: [
            { id: event.id, action: 'update', resource: { content: { name: 'afg-health-facilities' } } },
          ],
        })
      } finally {
        await hook.close()
      }
    } finally {
      await stop(gateway.child, gateway.exited)
    }
    expect(gateway.output()).toContain('gateway: stopped')
  }, 120_000)
})

describe('contracts gateway --transport redis', () => {
  it('publishes to the resource stream on Redis; an invalid event adds nothing', async () => {
    const redis = new TestRedis('gwcli')
    await redis.connect()
    const stream = redis.stream('hdx-datasets')
    const gateway = start(
      ['gateway', '--port', '0', '--transport', 'redis', '--topic-prefix', redis.prefix],
      { REDIS_URL: redis.url, GATEWAY_TOKENS: TOKEN },
      /listening on (http:\/\/\S+)[\s\S]*writes enabled/,
    )
    try {
      const url = (await gateway.matched)[1] as string
      expect(gateway.output()).toContain(`publishing to Redis Streams at ${redis.url}`)
      const event = datasetEvent()
      expect((await curl(url, event)).status).toBe(202)
      expect(
        (await curl(url, datasetEvent({ data: { ...(event.data as object), state: 'gone' } }))).status,
      ).toBe(422)
      const entries = await redis.range(stream)
      expect(entries.map((e) => JSON.parse(e.fields.data as string).id)).toEqual([event.id])
    } finally {
      await stop(gateway.child, gateway.exited)
      await redis.cleanup()
    }
  }, 120_000)
})

describe('a configuration that stops the start (exit 2), naming what is wrong', () => {
  const env = { KAFKA_BROKERS: '127.0.0.1:1' }
  const file = async (name: string, content: unknown) => {
    const path = join(dir, name)
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }

  it.each<{
    name: string
    argv?: string[]
    env?: Record<string, string>
    routes?: unknown
    tokens?: unknown
    message: RegExp
  }>([
    {
      name: 'a route with an unknown action',
      routes: { routes: [{ name: 'kedro-event00', action: 'run' }] },
      message:
        /\/routes\/0\/action: 'kedro-event00': must be equal to one of the allowed values: publish, webhook, both \(enum\)/,
    },
    {
      name: 'a webhook route without its secret in the environment',
      routes: {
        routes: [
          {
            name: 'n8n',
            action: 'webhook',
            webhook: { url: 'http://127.0.0.1:1/h', secretEnv: 'N8N_SECRET' },
          },
        ],
      },
      message: /route 'n8n': no webhook secret in \$N8N_SECRET/,
    },
    {
      name: 'a webhook secret that is no Standard Webhooks secret',
      routes: {
        routes: [
          {
            name: 'n8n',
            action: 'webhook',
            webhook: { url: 'http://127.0.0.1:1/h', secretEnv: 'N8N_SECRET' },
          },
        ],
      },
      env: { N8N_SECRET: 'hunter2 is my password!' },
      message: /route 'n8n': not a Standard Webhooks secret/,
    },
    {
      name: 'routes that are not JSON',
      routes: '{"routes": [',
      message: /is not a valid routes config:\n {2}\/: .* \(json\)/,
    },
    {
      name: 'a token file entry without resources',
      tokens: [{ name: 'team-a', token: 'x'.repeat(20) }],
      message: /GATEWAY_TOKENS_FILE .* is not a valid token file[\s\S]*\/0\/resources: 'team-a'/,
    },
    {
      name: 'an unknown transport',
      argv: ['--transport', 'nats'],
      message: /--transport must be kafka or redis/,
    },
    { name: 'no brokers', env: { KAFKA_BROKERS: '' }, message: /no brokers/ },
    {
      name: 'a bad --max-batch',
      argv: ['--max-batch', 'ten'],
      message: /--max-batch must be a whole number/,
    },
  ])('$name', async ({ argv = [], env: extra = {}, routes, tokens, message }) => {
    const vars: Record<string, string> = { ...env, ...extra }
    if (routes !== undefined)
      vars.GATEWAY_ROUTES = typeof routes === 'string' ? routes : JSON.stringify(routes)
    if (tokens !== undefined) vars.GATEWAY_TOKENS_FILE = await file(`tokens-${randomName()}.json`, tokens)
    const c = captureIo(root, vars)
    expect(await gatewayCommand.run(argv, c.io)).toBe(2)
    expect(c.errText()).toMatch(message)
  })

  it.each<{ name: string; argv: string[]; env?: Record<string, string>; message: RegExp }>([
    { name: 'no --url', argv: ['--topic', 't'], message: /--url is required/ },
    {
      name: 'no secret',
      argv: ['--topic', 't', '--url', 'http://127.0.0.1:1/h'],
      message: /no signing secret: set WEBHOOK_SECRET/,
    },
    {
      name: 'a bad shape',
      argv: ['--topic', 't', '--url', 'http://127.0.0.1:1/h', '--shape', 'xml'],
      env: { WEBHOOK_SECRET: newSecret() },
      message: /--shape must be cloudevent or hdx/,
    },
    {
      name: 'a bad --attempts',
      argv: ['--topic', 't', '--url', 'http://127.0.0.1:1/h', '--attempts', '0'],
      env: { WEBHOOK_SECRET: newSecret() },
      message: /--attempts must be a positive whole number/,
    },
  ])('forward: $name', async ({ argv, env: extra = {}, message }) => {
    const c = captureIo(root, { KAFKA_BROKERS: '127.0.0.1:1', ...extra })
    expect(await forwardCommand.run(argv, c.io)).toBe(2)
    expect(c.errText()).toMatch(message)
  })
})

let names = 0
const randomName = () => `${process.pid}-${++names}`
