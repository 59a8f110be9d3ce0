/**
 * N framed encodes of one ~1 KB time entry, ours or confluent-schema-registry's, and nothing else: for instruction
 * counts, which repeat where timings on a shared machine do not. `bash scripts/bench/encode-instructions.sh` runs
 * both sides under `valgrind --tool=callgrind` at two sizes (N = 10,000 and 50,000, V8 single-threaded) and prints
 * instructions per encode (the difference of the two counts over the difference in N: start-up and warm-up cancel
 * out) and their ratio.
 *
 * `check` and `ajv`: what a consumer validates per event, checkEvent against the client's ajv, on parsed events.
 *
 * Both encode sides: build the envelope, validate envelope and content (ours: generated validators; theirs: ajv 2020 +
 * ajv-formats, as scripts/bench/kafka.ts sets it up), serialise, frame with schema id 1 (bytes out).
 */
import { createRequire } from 'node:module'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import type {
  JsonConfluentSchema,
  JsonOptions,
  Schema,
} from '@kafkajs/confluent-schema-registry/dist/@types.js'
import addFormats from 'ajv-formats'
import Ajv2020 from 'ajv/dist/2020.js'
import { buildEnvelope, checkEvent, createEncoder, frameValue } from '../../core/index.ts'
import { catalog, schemas } from '../../generated/index.ts'

const [side, count] = process.argv.slice(2)
const N = Number(count ?? 10_000)
const SIDES = ['ours', 'confluent', 'check', 'ajv'] as const
if (!SIDES.includes(side as never) || !Number.isInteger(N) || N < 0) {
  console.error(`usage: encode-callgrind.ts ${SIDES.join('|')} N`)
  process.exit(2)
}

const SOURCE = 'urn:event-contracts:bench'
const URI = catalog.resources['time-entry'].versions[2].uri
const content = {
  id: '0b6a1c8e-6f5d-4c1b-9d1e-000000000001',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-000000000001',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  shiftType: 'early',
  actualStartTime: '2026-11-20T06:00:00Z',
  actualEndTime: '2026-11-20T14:00:00Z',
  notes: 'Covered the front desk after 12:00 and the late shift handover; '.repeat(7),
  timePeriods: [
    { startTime: '2026-11-20T06:00:00Z', endTime: '2026-11-20T10:00:00Z' },
    { startTime: '2026-11-20T10:30:00Z', endTime: '2026-11-20T14:00:00Z' },
  ],
}

// Both sides make the envelope's time with the kernel's clock, which writes its ISO string once per millisecond. Under
// callgrind an encode takes ~50 times longer than it does natively, so a real clock would make that string every
// other encode here instead of every few hundred, and the count would depend on how busy the machine is. A frozen
// clock makes the counts repeat exactly; both sides read the same clock.
const frozen = Date.now()
Date.now = () => frozen

// Both sides are set up in both runs, so that only the N encodes differ.
const ajv = new Ajv2020.default({ strict: false })
addFormats.default(ajv)
ajv.addSchema(schemas[catalog.envelope.uri] as object)
ajv.addSchema(schemas[URI] as object)
const eventSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:bench:time-entry-event',
  allOf: [{ $ref: catalog.envelope.uri }],
  properties: { resource: { properties: { content: { $ref: URI } } } },
}
const ajvInstance = ajv as unknown as NonNullable<JsonOptions['ajvInstance']>
const registry = new SchemaRegistry({ host: 'http://127.0.0.1:1' }, { [SchemaType.JSON]: { ajvInstance } })
const { default: JsonSchema } = createRequire(import.meta.url)(
  '@kafkajs/confluent-schema-registry/dist/JsonSchema',
) as { default: new (schema: JsonConfluentSchema, opts?: JsonOptions) => Schema }
registry.cache.setSchema(
  1,
  SchemaType.JSON,
  new JsonSchema({ type: SchemaType.JSON, schema: JSON.stringify(eventSchema) }, { ajvInstance }),
)
const encoder = createEncoder(catalog, { source: SOURCE })
const input = {
  resource: 'time-entry',
  action: 'update',
  body: content,
  asReference: false,
  meta: {},
} as const

// What a consumer validates: 64 parsed events (fresh ids, times and owners, as a stream has them), parsed up front so
// that only validation is counted. `check`: checkEvent; `ajv`: the client's ajv 2020 + ajv-formats on the same.
const parsed = Array.from({ length: 64 }, (_, n) => {
  const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h, n % 60)).toISOString().slice(0, 19) + 'Z'
  const event = buildEnvelope(
    'update',
    URI,
    {
      ...content,
      id: crypto.randomUUID(),
      ownerId: crypto.randomUUID(),
      actualStartTime: at(6),
      actualEndTime: at(14),
    },
    { source: SOURCE },
  )
  return JSON.parse(JSON.stringify(event)) as unknown
})
const ajvCheck = ajv.getSchema(eventSchema.$id)
if (!ajvCheck) throw new Error('no event schema')

let bytes = 0
if (side === 'check' || side === 'ajv') {
  let valid = 0
  for (let i = 0; i < N; i++) {
    const event = parsed[i & 63]
    if (side === 'check' ? checkEvent(catalog, event).ok : ajvCheck(event)) valid++
  }
  if (valid !== N) throw new Error('invalid')
  console.log(`${side}: ${N} events validated`)
} else if (side === 'ours')
  for (let i = 0; i < N; i++) {
    const r = encoder.encode(input)
    if (!r.ok) throw new Error('invalid')
    bytes += frameValue(1, r.value.value).length
  }
else
  for (let i = 0; i < N; i++)
    bytes += (await registry.encode(1, buildEnvelope('update', URI, content, { source: SOURCE }))).length
if (side === 'ours' || side === 'confluent') console.log(`${side}: ${N} framed encodes, ${bytes} bytes`)
