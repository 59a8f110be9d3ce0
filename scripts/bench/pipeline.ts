/**
 * The inbound pipeline's own cost, without a broker: N in-memory Kafka records (the ~1 KB time entry of
 * `bench:kafka`, with its `ce_` headers) through `createPipeline().process`, against what a consumer without contracts
 * does with the same records (`JSON.parse` of the value), and against `JSON.parse` + `checkEvent` (the validation
 * the pipeline cannot avoid). `npm run bench:pipeline` prints times and ratios measured in this run.
 *
 * For figures that repeat exactly on a noisy machine, count instructions of one mode with callgrind, at two sizes,
 * and divide the difference by the difference in N (start-up and a warm-up of the same 3,000 records cancel out):
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --import tsx scripts/bench/pipeline.ts pipeline 2000
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --import tsx scripts/bench/pipeline.ts pipeline 12000
 *
 * (`Collected : <instructions>` on stderr; `scripts/bench/pipeline-instructions.sh` runs all of it.) Modes: `raw`,
 * `checked`, `pipeline` (one `process` per record, as the Kafka runner calls it), `many` (a batch dispatcher), and for
 * counts only `validate` (checkEvent over values parsed beforehand).
 */
import {
  buildEnvelope,
  checkEvent,
  cloudEventAttributes,
  createPipeline,
  handlerDispatcher,
  batchEvents,
  type Control,
  type Handlers,
} from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import { CE_HEADER, KafkaMessage, type KafkaRecord } from '../../transports/kafka/index.ts'

const MODES = ['raw', 'checked', 'pipeline', 'many'] as const
/**
 * `build`: only the records, to subtract from the instruction counts of the others. `validate`: `checkEvent` alone
 * over the records' values parsed before the count (the cost of validation without `JSON.parse`).
 */
const ONE_OFF_MODES = [...MODES, 'build', 'validate'] as const
type Mode = (typeof MODES)[number]

const RESOURCE = 'time-entry'
const URI = catalog.resources[RESOURCE].versions[2].uri
const SOURCE = 'urn:event-contracts:bench'

/** The n-th ~1 KB time entry, as bench:kafka produces it: bytes and `ce_` headers as kafkajs delivers them. */
function record(n: number): KafkaRecord {
  const hex = n.toString(16).padStart(12, '0')
  const content = {
    id: `0b6a1c8e-6f5d-4c1b-9d1e-${hex}`,
    tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
    ownerId: `3c9e1f2a-5b6d-4e7f-8a9b-${(n % 500).toString(16).padStart(12, '0')}`,
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
  const event = buildEnvelope('update', URI, content, { source: SOURCE })
  const headers: Record<string, Buffer> = {}
  for (const [k, v] of Object.entries(cloudEventAttributes(event, RESOURCE)))
    headers[CE_HEADER[k as keyof typeof CE_HEADER]] = Buffer.from(v)
  return {
    key: Buffer.from(content.ownerId),
    value: Buffer.from(JSON.stringify(event)),
    headers,
    offset: String(n),
    timestamp: '1700000000000',
  }
}

let handled = 0
let sink = 0
const handlers: Handlers<ContractCatalog, KafkaMessage> = {
  [RESOURCE]: {
    update: (event) => {
      handled++
      sink += event.id.length
    },
  },
}
const control: Control = { signal: new AbortController().signal, wait: async () => true }
const pipelineOptions = {
  catalog,
  deadLetters: {
    send: () => Promise.reject(new Error('nothing here is dead-lettered')),
  },
  onFatal: (e: unknown) => {
    throw e
  },
}
const single = createPipeline({ ...pipelineOptions, dispatcher: handlerDispatcher(handlers) })
const batched = createPipeline({
  ...pipelineOptions,
  dispatcher: batchEvents<ContractCatalog, KafkaMessage>((events) => {
    handled += events.length
  }, 100),
})

const TOPIC = 'time-entry'

/** Runs one mode over the records; resolves to the number of events the mode let through. */
async function run(mode: Mode, records: readonly KafkaRecord[]): Promise<number> {
  handled = 0
  switch (mode) {
    case 'raw':
      for (const r of records) {
        const data = JSON.parse((r.value as Buffer).toString()) as { id?: string }
        if (data.id !== undefined) handled++
      }
      break
    case 'checked':
      for (const r of records)
        if (checkEvent(catalog, JSON.parse((r.value as Buffer).toString())).ok) handled++
      break
    case 'pipeline':
      // As the Kafka runner calls it: awaited only when process had to wait (it returns true when it did not).
      for (const r of records) {
        const done = single.process(new KafkaMessage(TOPIC, 0, r), control)
        if (done !== true && !(await done)) throw new Error('not done')
      }
      break
    case 'many':
      for (let i = 0; i < records.length; i += 100) {
        const chunk = records.slice(i, i + 100).map((r) => new KafkaMessage(TOPIC, 0, r))
        if ((await batched.processMany(chunk, control)) !== chunk.length) throw new Error('not done')
      }
      break
  }
  return handled
}

/** Records each one-off run handles before the ones it is measured on. */
const WARM_UP = 3000

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const [modeArg, nArg] = process.argv.slice(2)
if (modeArg !== undefined) {
  // One mode, once, for callgrind: no timing, nothing else run.
  if (!(ONE_OFF_MODES as readonly string[]).includes(modeArg))
    throw new TypeError(`mode must be one of ${ONE_OFF_MODES.join(', ')}`)
  // The same warm-up before both sizes, so that the difference holds the steady state, not the JIT's compiling.
  // The measured run cycles through the warm-up's records: a heap that grew with N would make the garbage collector's
  // work grow faster than N, and the difference between the two sizes would not be the cost of N events.
  const n = Number(nArg ?? 10_000)
  const pool = Array.from({ length: WARM_UP }, (_, i) => record(i))
  const records = Array.from({ length: n }, (_, i) => pool[i % WARM_UP] as KafkaRecord)
  let got = n
  if (modeArg === 'validate') {
    const values: unknown[] = pool.map((r) => JSON.parse((r.value as Buffer).toString()))
    const validate = (k: number) => {
      let ok = 0
      for (let i = 0; i < k; i++) if (checkEvent(catalog, values[i % WARM_UP]).ok) ok++
      return ok
    }
    validate(WARM_UP)
    got = validate(n)
  } else if (modeArg !== 'build') {
    await run(modeArg as Mode, pool)
    got = await run(modeArg as Mode, records)
  }
  if (got !== n) throw new Error(`${modeArg}: ${got} of ${n} events handled`)
} else {
  const N = 10_000
  const ROUNDS = 7
  const records = Array.from({ length: N }, (_, i) => record(i))
  for (const mode of MODES) for (let i = 0; i < 3; i++) await run(mode, records) // JIT warm-up
  const times: Record<Mode, number[]> = { raw: [], checked: [], pipeline: [], many: [] }
  for (let r = 0; r < ROUNDS; r++)
    for (let i = 0; i < MODES.length; i++) {
      // Rotate who goes first, so the neighbours' load falls on every mode.
      const mode = MODES[(i + r) % MODES.length] as Mode
      const t = performance.now()
      const got = await run(mode, records)
      times[mode].push(performance.now() - t)
      if (got !== N) throw new Error(`${mode}: ${got} of ${N} events handled`)
    }
  const us = (m: Mode) => (median(times[m]) * 1000) / N
  console.log(
    `pipeline micro-benchmark: ${N.toLocaleString('en-US')} in-memory Kafka records of ${(record(0).value as Buffer).length} B, median of ${ROUNDS} rounds (${sink > 0 ? 'handled' : '?'})`,
  )
  for (const m of MODES) console.log(`  ${m.padEnd(9)} ${us(m).toFixed(2).padStart(6)} µs/event`)
  console.log(
    `  ratio raw / pipeline       ${(us('raw') / us('pipeline')).toFixed(3)}  (throughput ratio, 1 = free)`,
  )
  console.log(
    `  ratio checked / pipeline   ${(us('checked') / us('pipeline')).toFixed(3)}  (the pipeline beyond validating)`,
  )
  console.log(`  ratio checked / many       ${(us('checked') / us('many')).toFixed(3)}`)
}
