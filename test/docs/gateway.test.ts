/**
 * The README's gateway section works as written: every `curl` line of its shell blocks is run, as it is, against a
 * `contracts gateway` process (only `localhost:8090` is replaced by where the test's gateway listens; it publishes to
 * topics of its own), and must answer the status its trailing comment says. Then its `contracts consume` line (on
 * the test's topic) prints the event the first curl published.
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { brokers, TestKafka } from '../consumers/kafka.ts'

const run = promisify(execFile)
const root = process.cwd()
const t = new TestKafka('gwdocs')
const topic = `${t.prefix}.hdx-datasets`

/** The shell commands of the gateway section, continuation lines joined. */
function commands(): string[] {
  const readme = readFileSync('README.md', 'utf8')
  const start = readme.indexOf('## The HTTP gateway')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string)
  return blocks.flatMap((b) => b.replace(/\\\n\s*/g, '').split('\n')).filter((line) => line.trim() !== '')
}

const curls = commands().filter((c) => c.startsWith('curl '))

let gateway: ReturnType<typeof spawn> | undefined
let exited: Promise<unknown>
let address = ''

beforeAll(async () => {
  await t.setup([topic], 1)
  gateway = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/cli.ts', 'gateway', '--port', '0', '--topic-prefix', t.prefix],
    {
      cwd: root,
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers.join(','),
        GATEWAY_TOKENS: 's3cret',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  exited = once(gateway, 'exit')
  let output = ''
  address = await new Promise<string>((resolve, reject) => {
    gateway?.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
      const m = /listening on http:\/\/(\S+)[\s\S]*writes enabled/.exec(output)
      if (m) resolve(m[1] as string)
    })
    gateway?.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${output}`)))
  })
}, 120_000)

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    gateway.kill('SIGTERM')
    await exited
  }
  await t.cleanup()
})

describe("the README's gateway section, run as written", () => {
  it('has the curl lines the section promises', () => {
    expect(curls.length).toBeGreaterThanOrEqual(7)
    for (const c of curls) expect(c, c).toMatch(/#\s*\d{3}\s*$/)
  })

  it('every curl line answers the status its comment says, in order', async () => {
    for (const command of curls) {
      const expected = (/#\s*(\d{3})\s*$/.exec(command) as RegExpExecArray)[1]
      const { stdout } = await run('bash', ['-c', command.replaceAll('localhost:8090', address)], {
        cwd: root,
      })
      expect(stdout.trim().split(' ').at(-1), `${command}\n→ ${stdout}`).toBe(expected)
    }
  }, 60_000)

  it('its contracts consume line prints the first event', async () => {
    const consume = commands().find((c) => c.includes('contracts -- consume')) as string
    expect(consume).toContain('--topic hdx-datasets')
    const { stdout } = await run(
      'bash',
      ['-c', consume.replace('--topic hdx-datasets', `--topic ${topic}`)],
      {
        cwd: root,
        env: { ...process.env, KAFKA_BROKERS: brokers.join(',') },
      },
    )
    expect(stdout.trim()).toMatch(
      new RegExp(
        `^dataset update 6b0f3a52-8c1d-4e7f-9a2b-3c4d5e6f7a80 v1 ${topic.replace(/\./g, '\\.')}\\[0\\]@0$`,
      ),
    )
  }, 60_000)
})
