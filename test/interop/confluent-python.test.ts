/**
 * Confluent's own Python client (confluent-kafka's `schema_registry`: SchemaRegistryClient, JSONSerializer,
 * JSONDeserializer) against a real `contracts serve` process at /ccompat, on draft 2020-12 schemas. The client runs
 * in `confluent_python.py` under the system's Python (`CONFLUENT_PYTHON`, default /usr/bin/python3: Debian's
 * python3-confluent-kafka, python3-jsonschema and python3-requests); this test hands it the scenario and checks
 * its report. Without that Python or those modules the test fails, saying what to install: it never skips.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { frameValue, readWire } from '../../core/index.ts'
import { serve, type Served } from '../helpers/serve.ts'
import { repoRoot, TOKEN } from '../registry/helpers.ts'
import {
  consume,
  EVENT_SCHEMA_URI,
  ourFrame,
  plainSchemas,
  resourceSchemas,
  TIME_ENTRIES,
  timeEntryEvent,
} from './helpers.ts'

const PYTHON = process.env.CONFLUENT_PYTHON ?? '/usr/bin/python3'
const SCRIPT = join(repoRoot, 'test/interop/confluent_python.py')
const MODULES = 'confluent_kafka.schema_registry.json_schema, jsonschema, requests'

/** One step of the report: what the client call returned, or what it raised. */
type Step<T = unknown> =
  | { value: T; error?: undefined }
  | { value?: undefined; error: { type: string; status?: number; code?: number; message: string } }
interface Registered {
  id: number
  version: number
  subject: string
  schema: string
}
interface SubjectReport {
  unauthenticated: Step<number>
  register: Step<number>
  register_again: Step<number>
  by_id: Step<{ schema: string; type: string }>
  versions: Step<number[]>
  latest: Step<Registered>
  version_1: Step<Registered>
  lookup: Step<Registered>
  compatible: Step<boolean>
  breaking: Step<boolean>
  breaking_v1: Step<boolean>
  register_breaking: Step<number>
  subjects: Step<string[]>
}
interface Report {
  versions: { confluent_kafka: string; librdkafka: string; jsonschema: string }
  resource: SubjectReport
  plain: SubjectReport
  config: Record<'global' | 'subject_unset' | 'subject', Step<string>> & { set_subject: Step<unknown> }
  serialize_lookup: Step<string>
  serialize_register: Step<string>
  serialize_invalid: Step<string>
  deserialize: Step<{ magic: number; schemaId: number; writer: string; value: unknown }>
  deserialize_invalid: Step<unknown>
}

/** Runs the script with the scenario on stdin; its report, or an error with everything it printed. */
function runPython(scenario: object): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${PYTHON} ${SCRIPT} exited ${code}:\n${err}${out}`))
      try {
        resolve(JSON.parse(out) as Report)
      } catch (e) {
        reject(new Error(`the script's report is not JSON: ${(e as Error).message}\n${out}\n${err}`))
      }
    })
    child.stdin.end(JSON.stringify(scenario))
  })
}

let served: Served | undefined
let dir: string | undefined
let url = ''
let frame: Awaited<ReturnType<typeof ourFrame>>
let report: Report | undefined
/** Why the setup failed: each test fails with it (a hook's failure would report the tests as skipped). */
let setupError: unknown
const got = (): Report => {
  if (report === undefined) throw setupError
  return report
}
const pid = process.pid
const topic = `interop-py-${pid}`
const resource = resourceSchemas(topic)
const plain = plainSchemas(`py-${pid}`)
const subjects = { resource: `${topic}-value`, plain: `interop-py-address-${pid}` }
const toSend = timeEntryEvent()

beforeAll(async () => {
  try {
    await setup()
  } catch (e) {
    setupError = e
  }
}, 120_000)
afterAll(async () => {
  if (served) expect(await served.stop()).toBe(0)
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function setup() {
  // First what CI must have: a clear failure of every test, never a skip, when it is missing.
  const probe = spawnSync(PYTHON, ['-c', `import ${MODULES}`], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0)
    throw new Error(
      `Confluent's Python client is needed: ${PYTHON} could not import ${MODULES} (${probe.error?.message ?? probe.stderr.trim()}). ` +
        'On Debian: apt-get install -y python3-confluent-kafka python3-jsonschema python3-requests ' +
        '(or set CONFLUENT_PYTHON to a Python that has confluent-kafka, jsonschema and requests).',
    )
  dir = await mkdtemp(join(tmpdir(), 'confluent-python-'))
  served = await serve({ DATA_DIR: dir, REGISTRY_TOKENS: TOKEN })
  url = served.url
  frame = await ourFrame(url)
  const invalid = timeEntryEvent({ unknownField: 1 })
  report = await runPython({
    url: `${url}/ccompat`,
    token: TOKEN,
    resource: {
      subject: subjects.resource,
      v1: JSON.stringify(resource.v1),
      compatible: JSON.stringify(resource.compatible),
      breaking: JSON.stringify(resource.breaking),
    },
    plain: {
      subject: subjects.plain,
      v1: JSON.stringify(plain.v1),
      compatible: JSON.stringify(plain.compatible),
      breaking: JSON.stringify(plain.breaking),
    },
    event: {
      topic: TIME_ENTRIES,
      schemaId: frame.eventSchemaId,
      value: toSend,
      invalidValue: invalid,
      frame: frame.bytes.toString('hex'),
      invalidFrame: Buffer.from(frameValue(frame.eventSchemaId, JSON.stringify(invalid))).toString('hex'),
    },
  })
}

describe("Confluent's Python client (confluent-kafka schema_registry) against contracts serve", () => {
  it('is the version docs/ccompat.md names', () => {
    expect(got().versions).toMatchObject({ confluent_kafka: '1.7.0' })
  })

  it.each(['resource', 'plain'] as const)(
    'registers on a %s subject with our token as basic.auth.user.info (401 40101 without), idempotently',
    (kind) => {
      const r = got()[kind]
      expect(r.unauthenticated.error).toMatchObject({ type: 'SchemaRegistryError', status: 401, code: 40101 })
      expect(r.register.value).toBeGreaterThan(0)
      expect(r.register_again).toEqual(r.register)
    },
  )

  it('keeps a plain schema as given and gives a resource version its own $id, under different ids', () => {
    expect(got().resource.register.value).not.toBe(got().plain.register.value)
    expect(JSON.parse(got().plain.by_id.value?.schema ?? '{}')).toEqual(plain.v1)
    expect(JSON.parse(got().resource.by_id.value?.schema ?? '{}')).toMatchObject({
      $id: `https://event-contracts.dev/schemas/${topic}/1`,
      'x-topic': topic,
    })
  })

  it.each(['resource', 'plain'] as const)(
    'reads a %s subject: by id, versions, latest, version 1, lookup',
    (kind) => {
      const r = got()[kind]
      const subject = subjects[kind]
      const id = r.register.value
      expect(r.by_id.value?.type).toBe('JSON')
      expect(r.versions.value).toEqual([1])
      for (const step of [r.latest, r.version_1, r.lookup])
        expect(step.value).toMatchObject({ id, version: 1, subject })
      expect(r.latest.value?.schema).toBe(r.by_id.value?.schema)
      expect(r.subjects.value).toEqual(expect.arrayContaining([subject]))
    },
  )

  it.each(['resource', 'plain'] as const)(
    'checks compatibility on a %s subject (true, false) and gets a 409 registering the breaking version',
    (kind) => {
      const r = got()[kind]
      expect([r.compatible.value, r.breaking.value, r.breaking_v1.value]).toEqual([true, false, false])
      expect(r.register_breaking.error).toMatchObject({ type: 'SchemaRegistryError', status: 409, code: 409 })
    },
  )

  it('reads compatibilityLevel (no KeyError); a subject without its own level is 40408, as Confluent', () => {
    expect(got().config.global).toEqual({ value: 'BACKWARD' })
    expect(got().config.subject_unset.error).toMatchObject({ status: 404, code: 40408 })
    expect(got().config.set_subject).toEqual({ value: { compatibility: 'BACKWARD' } })
    expect(got().config.subject).toEqual({ value: 'BACKWARD' })
  })

  it("JSONSerializer with the version's event schema frames our event with its id (looked up, or registered), and our consumer handles it", async () => {
    const framed = [got().serialize_lookup, got().serialize_register].map((s) => {
      expect(s.error).toBeUndefined()
      return Buffer.from(s.value ?? '', 'hex')
    })
    for (const f of framed) {
      expect(readWire(f)).toMatchObject({ ok: true, value: { framed: true, schemaId: frame.eventSchemaId } })
      expect(JSON.parse(f.subarray(5).toString())).toEqual(toSend)
    }
    const { handled, dead } = await consume(url, framed)
    expect(dead.map((d) => d.summary)).toEqual([])
    expect(handled).toEqual([toSend.id, toSend.id])
  })

  it('JSONSerializer validates against the event schema: content invalid for the version is refused', () => {
    expect(got().serialize_invalid.error).toMatchObject({
      type: 'SerializationError',
      message: expect.stringContaining("'unknownField' was unexpected"),
    })
  })

  it('JSONDeserializer, given the schema the frame id names, reads a frame our publisher wrote', () => {
    expect(got().deserialize.value).toEqual({
      magic: 0,
      schemaId: frame.eventSchemaId,
      writer: EVENT_SCHEMA_URI,
      value: frame.event,
    })
  })

  it('JSONDeserializer refuses a frame with our event schema id whose content is invalid for the version', () => {
    expect(got().deserialize_invalid.error).toMatchObject({
      type: 'SerializationError',
      message: expect.stringContaining("'unknownField' was unexpected"),
    })
  })
})
