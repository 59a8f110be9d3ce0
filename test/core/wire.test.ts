/** Confluent's wire format: the frame, decode of framed values, and a publisher that frames, on a fake SchemaIdPort. */
import { describe, expect, it } from 'vitest'
import {
  ContractError,
  createPublisher,
  createSchemaIdSource,
  decode,
  eventSchemaUri,
  frameValue,
  readWire,
  schemaUri,
  unframe,
  type CloudEventAttribute,
  type OutboundMessage,
  type SchemaIdPort,
  type SchemaVersionRef,
  type Sink,
} from '../../core/index.ts'
import { catalog, schemas } from '../../generated/index.ts'
import { eventMessage } from '../consumers/events.ts'
import { timeEntry, timeEntryV1 } from '../publishers/fixtures.ts'

const TE2 = schemaUri('time-entry', 2)
const TE1 = schemaUri('time-entry', 1)
const ids: Record<number, unknown> = {
  1: schemas[TE1],
  2: schemas[TE2],
  // What a Confluent producer may register: a schema for its whole value (our envelope), without our $id.
  7: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    required: ['id', 'action', 'resource'],
    properties: {
      id: { type: 'string' },
      action: { enum: ['create', 'update'] },
      resource: { type: 'object' },
    },
  },
  8: { type: 'no-such-type' },
  // The registry's event schema of time-entry v2 (what our publishers frame with): never compiled by a consumer,
  // whose envelope and content checks already cover it; this one would not even compile.
  10: { $id: eventSchemaUri(TE2), type: 'no-such-type' },
  // The event schema of time-entry v1: an event of v2 is not one of its events.
  11: {
    $id: eventSchemaUri(TE1),
    type: 'object',
    properties: { resource: { type: 'object', properties: { schema: { const: TE1 } } } },
  },
}

/** A narrow fake of the port: ids 1 and 2 are time-entry v1 and v2; counts calls; `down` makes it throw. */
function fakeIds(options: { down?: boolean; failFirst?: number } = {}) {
  const calls = { idOf: [] as string[], schemaOf: [] as number[] }
  let failures = options.failFirst ?? 0
  const port: SchemaIdPort = {
    async idOf(ref: SchemaVersionRef) {
      calls.idOf.push(ref.uri)
      await new Promise((r) => setTimeout(r, 5))
      if (failures-- > 0) throw new ContractError('REGISTRY_UNAVAILABLE', 'down', [], { retriable: true })
      if (ref.uri === TE2) return 2
      if (ref.uri === TE1) return 1
      throw new ContractError('SCHEMA_NOT_FOUND', `no id for ${ref.uri}`)
    },
    async schemaOf(id: number) {
      calls.schemaOf.push(id)
      if (options.down) throw new ContractError('REGISTRY_UNAVAILABLE', 'down', [], { retriable: true })
      if (id === 9)
        throw new ContractError('SCHEMA_INVALID', 'schema id 9 is an AVRO schema, not JSON Schema')
      return ids[id]
    },
  }
  return { port, calls }
}

const bytesOf = (value: string | Uint8Array) => (typeof value === 'string' ? Buffer.from(value) : value)
const msg = (value: Uint8Array | string, attributes: Partial<Record<CloudEventAttribute, string>> = {}) => ({
  value,
  attribute: (name: CloudEventAttribute) => attributes[name],
})
const json = eventMessage('time-entry', 'create', { version: 2 }).value

describe('the frame', () => {
  it('is magic byte 0, the id as 4 bytes big-endian, then the JSON as UTF-8', () => {
    const text = '{"a":"é"}'
    const f = frameValue(0x01020304, text)
    expect([...f.subarray(0, 5)]).toEqual([0, 1, 2, 3, 4])
    expect(f.subarray(5).toString('utf8')).toBe(text)
    expect(f.length).toBe(5 + Buffer.byteLength(text))
    expect(frameValue(0x7fffffff, '{}').readInt32BE(1)).toBe(0x7fffffff)
  })

  it.each([
    ['ASCII', '{"a":"plain"}'],
    ['two-, three- and four-byte characters', '{"a":"é 東京 🚀"}'],
    ['a lone surrogate (written as U+FFFD, as Buffer.from does)', '{"a":"\ud800"}'],
    ['16,385 three-byte characters', '東'.repeat(16_385)],
    ['a frame after a longer one (nothing of the earlier text left behind)', '{"b":2}'],
  ])('holds the same bytes as Buffer.from: %s', (_name, text) => {
    frameValue(1, 'x'.repeat(1000))
    const f = frameValue(7, text)
    expect(f.subarray(5).equals(Buffer.from(text, 'utf8'))).toBe(true)
    expect([...f.subarray(0, 5)]).toEqual([0, 0, 0, 0, 7])
  })

  it.each([-1, 1.5, 2 ** 31, Number.NaN])('refuses id %s', (id) => {
    expect(() => frameValue(id, '{}')).toThrow(/schema id/)
  })

  it.each<{ name: string; value: Uint8Array | string; framed: boolean; schemaId?: number; json?: string }>([
    { name: 'JSON bytes', value: Buffer.from('{"a":1}'), framed: false, json: '{"a":1}' },
    { name: 'JSON text', value: '{"a":1}', framed: false, json: '{"a":1}' },
    { name: 'JSON after whitespace', value: Buffer.from('\n {"a":1}'), framed: false, json: '\n {"a":1}' },
    { name: 'not JSON at all (left to the JSON parser)', value: Buffer.from('hello'), framed: false },
    { name: 'a frame', value: frameValue(42, '{"a":1}'), framed: true, schemaId: 42, json: '{"a":1}' },
    {
      name: 'a frame held in a string',
      value: '\u0000\u0000\u0000\u0001\u0002{"a":1}',
      framed: true,
      schemaId: 258,
      json: '{"a":1}',
    },
    {
      name: 'a header and nothing after it',
      value: Buffer.from([0, 0, 0, 0, 3]),
      framed: true,
      schemaId: 3,
      json: '',
    },
  ])('reads $name', ({ value, framed, schemaId, json }) => {
    const r = readWire(value)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.framed).toBe(framed)
    if (r.value.framed) expect(r.value.schemaId).toBe(schemaId)
    if (json !== undefined) expect(Buffer.from(bytesOf(r.value.json)).toString()).toBe(json)
  })

  it.each<{ name: string; value: Uint8Array; message: RegExp; params: object }>([
    {
      name: 'a truncated frame',
      value: Buffer.from([0, 0, 1]),
      message: /^truncated frame: 3 byte/,
      params: { length: 3 },
    },
    {
      name: 'a magic byte alone',
      value: Buffer.from([0]),
      message: /^truncated frame: 1 byte/,
      params: { length: 1 },
    },
    {
      name: 'magic byte 1',
      value: Buffer.from([1, 0, 0, 0, 1, 0x7b]),
      message: /^unknown magic byte 1/,
      params: { magicByte: 1 },
    },
    {
      name: 'an id over 2^31-1',
      value: Buffer.from([0, 0x80, 0, 0, 0, 0x7b]),
      message: /out of range/,
      params: { schemaId: 2 ** 31 },
    },
  ])('refuses $name with keyword frame, and unframe throws BAD_FRAME', ({ value, message, params }) => {
    const r = readWire(value)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.issues).toEqual([
      { path: '', keyword: 'frame', message: expect.stringMatching(message), params },
    ])
    expect(() => unframe(value)).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }))
  })
})

describe('decode of framed values', () => {
  const opts = (port: SchemaIdPort) => ({ schemaIds: createSchemaIdSource(port) })

  it('decodes a framed event whose id is the schema its envelope names, as an unframed one', async () => {
    const { port, calls } = fakeIds()
    const plain = await decode(catalog, msg(json), opts(port))
    const framed = await decode(catalog, msg(frameValue(2, json)), opts(port))
    expect(plain.ok && framed.ok).toBe(true)
    if (!plain.ok || !framed.ok) return
    expect(framed.value.event).toEqual(plain.value.event)
    expect([framed.value.resource, framed.value.version]).toEqual(['time-entry', 2])
    expect(calls.schemaOf).toEqual([2])
  })

  it('asks for each id once, and answers from its cache without a promise after that', async () => {
    const { port, calls } = fakeIds()
    const o = opts(port)
    await Promise.all([1, 2, 3].map(() => decode(catalog, msg(frameValue(2, json)), o)))
    const again = decode(catalog, msg(frameValue(2, json)), o)
    expect(again).not.toBeInstanceOf(Promise)
    expect(calls.schemaOf).toEqual([2])
  })

  it('accepts an id whose schema is the event schema of the version the envelope names, without validating again', async () => {
    const { port, calls } = fakeIds()
    const r = await decode(catalog, msg(frameValue(10, json)), opts(port))
    expect(r.ok).toBe(true)
    expect(calls.schemaOf).toEqual([10])
  })

  it('accepts an id whose schema (no $id of ours) the whole event is valid against', async () => {
    const r = await decode(catalog, msg(frameValue(7, json)), opts(fakeIds().port))
    expect(r.ok).toBe(true)
  })

  it.each<{ name: string; id: number; code: string; message: RegExp }>([
    {
      name: 'the schema of another version',
      id: 1,
      code: 'EVENT_INVALID',
      message: /names '.*time-entry\/1', which does not describe this event of '.*time-entry\/2'/,
    },
    {
      name: "another version's event schema",
      id: 11,
      code: 'EVENT_INVALID',
      message: /names '.*time-entry\/1\/event', which does not describe this event of '.*time-entry\/2'/,
    },
    { name: 'an unknown id', id: 5, code: 'UNKNOWN_SCHEMA', message: /schema id 5 is unknown/ },
    {
      name: 'a schema that does not compile',
      id: 8,
      code: 'SCHEMA_INVALID',
      message: /id 8 does not compile/,
    },
    { name: 'an id the registry refuses (Avro)', id: 9, code: 'SCHEMA_INVALID', message: /AVRO/ },
  ])('dead-letters a frame whose id is $name', async ({ id, code, message }) => {
    const r = await decode(catalog, msg(frameValue(id, json)), opts(fakeIds().port))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.code).toBe(code)
    expect(r.issues[0]).toMatchObject({
      path: '',
      keyword: 'schema-id',
      message: expect.stringMatching(message),
    })
  })

  it('reports the envelope, not the frame, when the JSON itself is invalid', async () => {
    const r = await decode(catalog, msg(frameValue(2, '{"id":1}')), opts(fakeIds().port))
    expect(!r.ok && r.code).toBe('EVENT_INVALID')
    expect(!r.ok && r.issues.every((i) => i.keyword !== 'schema-id')).toBe(true)
  })

  it.each<{ name: string; value: Uint8Array; code: string; keyword: string }>([
    { name: 'a truncated frame', value: Buffer.from([0, 0, 0]), code: 'BAD_FRAME', keyword: 'frame' },
    {
      name: 'an unknown magic byte',
      value: Buffer.from([2, 0, 0, 0, 2, 0x7b, 0x7d]),
      code: 'BAD_FRAME',
      keyword: 'frame',
    },
    { name: 'a header without JSON', value: Buffer.from([0, 0, 0, 0, 2]), code: 'NOT_JSON', keyword: 'json' },
    {
      name: 'a frame of something that is not JSON',
      value: frameValue(2, 'nope'),
      code: 'NOT_JSON',
      keyword: 'json',
    },
  ])('dead-letters $name with $code', async ({ value, code, keyword }) => {
    const r = await decode(catalog, msg(value), opts(fakeIds().port))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect([r.code, r.issues[0]?.keyword]).toEqual([code, keyword])
  })

  it('without a port, reads the frame and lets the envelope decide (the id is not looked at)', () => {
    const r = decode(catalog, msg(frameValue(1, json)))
    expect(r).not.toBeInstanceOf(Promise)
    expect(!(r instanceof Promise) && r.ok).toBe(true)
  })

  it('throws a retriable error while the registry is down (the pipeline waits), and asks again later', async () => {
    const { port, calls } = fakeIds({ down: true })
    const o = opts(port)
    await expect(decode(catalog, msg(frameValue(2, json)), o)).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
    })
    await expect(decode(catalog, msg(frameValue(2, json)), o)).rejects.toMatchObject({ retriable: true })
    expect(calls.schemaOf).toEqual([2, 2])
  })
})

describe('a publisher with wireFormat confluent', () => {
  function captureSink() {
    const sent: OutboundMessage[] = []
    const sink: Sink<number, number> = {
      send: async (m) => sent.push(m),
      sendBatch: async (ms) => sent.push(...ms),
    }
    return { sent, sink }
  }
  const content = timeEntry

  it('frames the same JSON with the id of the version, writes the same attributes, and asks once per version', async () => {
    const { port, calls } = fakeIds()
    const framed = captureSink()
    const plain = captureSink()
    const base = {
      catalog,
      source: 'urn:test',
      newId: () => '11111111-2222-4333-8444-555555555555',
      now: () => new Date(0),
    }
    const p = createPublisher({ ...base, sink: framed.sink, wireFormat: 'confluent', schemaIds: port })
    const q = createPublisher({ ...base, sink: plain.sink })
    await Promise.all([
      p.publish('time-entry', 'create', content),
      p.publish('time-entry', 'update', content),
    ])
    await p.publish('time-entry', 'create', content)
    await p.publishBatch([{ resource: 'time-entry', action: 'create', content }])
    await q.publish('time-entry', 'create', content)
    expect(calls.idOf).toEqual([TE2])
    const [first] = framed.sent
    const [reference] = plain.sent
    expect(first?.value).toBeInstanceOf(Uint8Array)
    const frame = unframe(first?.value as Uint8Array)
    expect(frame).toMatchObject({ framed: true, schemaId: 2 })
    expect(Buffer.from(frame.json as Uint8Array).toString()).toBe(reference?.value)
    expect(first?.attributes).toEqual(reference?.attributes)
    expect(framed.sent).toHaveLength(4)
  })

  it('uses the id of the version it publishes', async () => {
    const { port } = fakeIds()
    const { sent, sink } = captureSink()
    const p = createPublisher({ catalog, sink, source: 'urn:test', wireFormat: 'confluent', schemaIds: port })
    await p.publish('time-entry', 'create', timeEntryV1, { version: 1 })
    expect(unframe(sent[0]?.value as Uint8Array)).toMatchObject({ schemaId: 1 })
  })

  it('validates before asking for an id: an invalid event is EVENT_INVALID and nothing is sent', async () => {
    const { port, calls } = fakeIds()
    const { sent, sink } = captureSink()
    const p = createPublisher({ catalog, sink, source: 'urn:test', wireFormat: 'confluent', schemaIds: port })
    await expect(
      p.publish('time-entry', 'create', { ...content, ownerId: 7 } as never),
    ).rejects.toMatchObject({
      code: 'EVENT_INVALID',
    })
    expect([calls.idOf, sent]).toEqual([[], []])
  })

  it('does not keep a failed look-up: the next publish asks again', async () => {
    const { port, calls } = fakeIds({ failFirst: 1 })
    const { sent, sink } = captureSink()
    const p = createPublisher({ catalog, sink, source: 'urn:test', wireFormat: 'confluent', schemaIds: port })
    await expect(p.publish('time-entry', 'create', content)).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
    })
    await p.publish('time-entry', 'create', content)
    expect([calls.idOf.length, sent.length]).toEqual([2, 1])
  })

  it('needs schemaIds for confluent', () => {
    const { sink } = captureSink()
    expect(() =>
      createPublisher({ catalog, sink, source: 'urn:test', wireFormat: 'confluent' } as never),
    ).toThrow(/needs schemaIds/)
  })
})
