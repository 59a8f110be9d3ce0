/**
 * Validation speed on a ~1 KB event, as ratios against JSON.parse / JSON.stringify alone and against plain ajv with
 * ajv-formats' full mode, and schema patterns on RE2 against RegExp, all measured in this run.
 * `npm run bench:validate`
 */
import { readFileSync } from 'node:fs'
import addFormats from 'ajv-formats'
import Ajv2020 from 'ajv/dist/2020.js'
import { bench, do_not_optimize, run, summary } from 'mitata'
import { checkEvent as check, createAjv, formats } from '../../core/index.ts'
import { catalog, schemas } from '../../generated/index.ts'

const checkEvent = (data: unknown) => check(catalog, data)

const event = JSON.parse(readFileSync('schemas/examples/time-entry/valid/update-v2.json', 'utf8'))
event.resource.content.notes = 'Covered the front desk after 12:00 and the late shift handover; '.repeat(5)
const text = JSON.stringify(event)
const uri = event.resource.schema as string

// Plain ajv, runtime-compiled, with ajv-formats: the usual setup, and the baseline the issue names.
function plainAjv(mode: 'full' | 'fast') {
  const ajv = new Ajv2020.default({ allErrors: true, strict: false })
  addFormats.default(ajv, { mode })
  const envelope = ajv.compile(schemas['https://event-contracts.dev/schemas/envelope/1'] as object)
  const content = ajv.compile(schemas[uri] as object)
  return (data: { resource: { content: unknown } }) => envelope(data) && content(data.resource.content)
}
const full = plainAjv('full')
const fast = plainAjv('fast')

// Sanity: every validator accepts the event and the impossible date is rejected where it should be.
const impossible = structuredClone(event)
impossible.time = '2026-02-30T10:00:00Z'
const verdicts = {
  ours: [checkEvent(event).ok, checkEvent(impossible).ok],
  ajvFull: [full(event), full(impossible)],
  ajvFast: [fast(event), fast(impossible)],
}
console.log(`event: ${text.length} bytes; accepts valid / accepts 2026-02-30:`, JSON.stringify(verdicts))
if (!verdicts.ours[0] || verdicts.ours[1])
  throw new Error('our validator must accept the event and reject 2026-02-30')

summary(() => {
  bench('JSON.parse alone', () => do_not_optimize(JSON.parse(text))).baseline(true)
  bench('parse + validate (generated, our formats)', () => do_not_optimize(checkEvent(JSON.parse(text))))
  bench('parse + validate (plain ajv, ajv-formats full)', () => do_not_optimize(full(JSON.parse(text))))
  bench('parse + validate (plain ajv, ajv-formats fast)', () => do_not_optimize(fast(JSON.parse(text))))
})
summary(() => {
  bench('JSON.stringify alone', () => do_not_optimize(JSON.stringify(event))).baseline(true)
  bench('validate + serialize (generated, our formats)', () => {
    const r = checkEvent(event)
    return do_not_optimize(r.ok && JSON.stringify(event))
  })
  bench('validate + serialize (plain ajv, ajv-formats full)', () =>
    do_not_optimize(full(event) && JSON.stringify(event)),
  )
})

// The formats alone, before (ajv-formats) and after (ours).
const fullAjv = new Ajv2020.default()
addFormats.default(fullAjv, { mode: 'full' })
const fullDateTime = fullAjv.compile({ type: 'string', format: 'date-time' })
const fullUuid = fullAjv.compile({ type: 'string', format: 'uuid' })
const fullUri = fullAjv.compile({ type: 'string', format: 'uri' })
summary(() => {
  bench('date-time: ajv-formats full', () =>
    do_not_optimize(fullDateTime('2026-11-20T09:30:00.123+01:00')),
  ).baseline(true)
  bench('date-time: ours', () => do_not_optimize(formats['date-time']('2026-11-20T09:30:00.123+01:00')))
  bench('uuid: ajv-formats full', () => do_not_optimize(fullUuid('5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c')))
  bench('uuid: ours', () => do_not_optimize(formats.uuid('5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c')))
  bench('uri: ajv-formats full', () =>
    do_not_optimize(fullUri('https://event-contracts.dev/schemas/time-entry/2')),
  )
  bench('uri: ours', () => do_not_optimize(formats.uri('https://event-contracts.dev/schemas/time-entry/2')))
})

// Patterns: one schema compiled by ajv with RegExp (its default engine: what every validator used before) and with
// createAjv (as generated and compiled at run time now). An order of ten lines, each SKU checked by a pattern.
const orderSchema = {
  type: 'object',
  properties: {
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku'],
        properties: { sku: { type: 'string', pattern: '^[A-Z0-9-]{1,32}$' } },
      },
    },
  },
}
const withRegExp = new Ajv2020.default({ allErrors: true, strict: false }).compile(orderSchema)
const withRe2 = createAjv({ formats }).compile(orderSchema)
const order = { lines: Array.from({ length: 10 }, (_, i) => ({ sku: `MUG-${1000 + i}-BLUE` })) }
if (!withRegExp(order) || !withRe2(order)) throw new Error('both validators must accept the order')
summary(() => {
  bench('10 SKU patterns: RegExp (ajv default, before)', () => do_not_optimize(withRegExp(order))).baseline(
    true,
  )
  // This shape is provably linear on RegExp (core/patterns.ts linearOnBacktracking): it keeps RegExp.
  bench('10 SKU patterns: createAjv (after)', () => do_not_optimize(withRe2(order)))
})
// A pattern with a repeated group is not such a shape: it runs on RE2.
const namesSchema = {
  type: 'array',
  items: { type: 'string', pattern: '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$' },
}
const namesRegExp = new Ajv2020.default({ allErrors: true, strict: false }).compile(namesSchema)
const namesRe2 = createAjv({ formats }).compile(namesSchema)
const names = [
  'time-entry',
  'person',
  'accrual',
  'shift-swap-request',
  'a1-b2-c3',
  'x',
  'rota',
  'leave-v2',
  'pay',
  'team',
]
if (!namesRegExp(names) || !namesRe2(names)) throw new Error('both validators must accept the names')
summary(() => {
  bench('10 name patterns: RegExp (ajv default, before)', () => do_not_optimize(namesRegExp(names))).baseline(
    true,
  )
  bench('10 name patterns: RE2 (createAjv, after)', () => do_not_optimize(namesRe2(names)))
})

// The registered pattern on its attack string: on RegExp, 12–34 s per event (2^29 steps); on RE2, one pass.
const evil = createAjv({ formats }).compile({ type: 'string', pattern: '^(a+)+$' })
const attack = `${'a'.repeat(29)}!`
if (evil(attack)) throw new Error('the attack string must be refused')
summary(() => {
  bench("the issue's ^(a+)+$ on 29 a's and '!' (RE2, refused)", () => do_not_optimize(evil(attack)))
})

await run({ colors: false })
