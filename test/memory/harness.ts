/** The pipeline suite's harness on the in-memory bus: one bus per group of cases, destinations with a prefix. */
import { expect } from 'vitest'
import { createPublisher, type EventConsumer } from '../../core/index.ts'
import { catalog, type ResourceName } from '../../generated/index.ts'
import { createMemoryBus, type MemoryBus, type MemoryRecord } from '../../transports/memory/index.ts'
import { pause, until } from '../consumers/events.ts'
import type { Harness } from '../consumers/pipeline.ts'

export function memoryHarness(
  name: string,
  bus: MemoryBus = createMemoryBus(),
): Harness & { bus: MemoryBus } {
  const prefix = `mem-${name}`
  const consumers: EventConsumer[] = []
  let groups = 0
  return {
    bus,
    transport: 'memory',
    prefix,
    destination: (resource: ResourceName) => `${prefix}.${catalog.resources[resource].topic}`,
    group: (g = 'g') => `${prefix}-${g}-${++groups}`,
    setup: async () => undefined, // destinations exist once written to
    async produce(destination, messages) {
      for (const { key, value, attributes, headers } of messages)
        bus.append(destination, {
          key: key ?? null,
          value,
          attributes: attributes ?? {},
          headers: headers ?? {},
        })
    },
    publisher: (source, wire) =>
      createPublisher({ catalog, sink: bus.sink, source, topicPrefix: prefix, ...wire }),
    consumer({ group, ...options }) {
      const c = bus.consumer({ ...options, catalog, group, topicPrefix: prefix })
      consumers.push(c)
      return c
    },
    async deadLetters(destination, count) {
      await until(`${count} dead letters on ${destination}`, () => bus.records(destination).length >= count)
      await pause(100) // anything beyond `count` is a bug: give it a moment to show
      return bus.records(destination).map((r) => {
        const d = r.deadLetter
        if (!d) throw new Error(`a record without a reason on ${destination}`)
        return {
          key: r.key,
          // Read back as text, as the Kafka harness reads it.
          value: r.value === null || typeof r.value === 'string' ? r.value : Buffer.from(r.value).toString(),
          code: d.code,
          message: d.summary,
          issues: [...d.issues],
          attempts: d.attempts,
          origin: d.origin,
          offset: String(d.offset),
          group: d.group,
          raw: r,
        }
      })
    },
    expectOrigin(letter, destination) {
      const r = letter.raw as MemoryRecord
      expect(r.destination).toBe(`${destination}.dlq`)
      // The original record is there at the offset the dead letter names, with the same bytes.
      expect(bus.records(destination)[Number(letter.offset)]?.value).toBe(r.value)
    },
    async cleanup() {
      for (const c of consumers) await c.stop()
    },
  }
}
