/**
 * Confluent's wire format end to end on a transport (memory, Kafka): a publisher that frames, raw framed values of
 * other producers, and one consumer that reads framed and unframed values alike. The registry is a narrow fake of
 * the SchemaIdPort (its ids: the generated schemas, numbered); the client against a real registry has its own test.
 */
import { describe, expect, it } from 'vitest'
import { frameValue, schemaUri, type DeadLetter, type SchemaIdPort } from '../../core/index.ts'
import { schemas } from '../../generated/index.ts'
import { eventMessage, until, uuid } from './events.ts'
import type { Harness } from './pipeline.ts'

const URIS = Object.keys(schemas).sort()
/** id n is URIS[n - 1]; id 999 is unknown. */
const fakeIds: SchemaIdPort = {
  idOf: async (ref) => URIS.indexOf(ref.uri) + 1,
  schemaOf: async (id) => (id >= 1 && id <= URIS.length ? schemas[URIS[id - 1] as string] : undefined),
}
const idOf = (uri: string) => URIS.indexOf(uri) + 1

export function describeWire(transport: string, makeHarness: (group: string) => Harness): void {
  describe(`Confluent wire format (${transport})`, () => {
    it('a consumer reads framed and unframed values alike, and dead-letters broken frames and disagreeing ids with reasons', async () => {
      const h = makeHarness('wire')
      try {
        await h.setup(['time-entry'])
        const destination = h.destination('time-entry')
        const publisher = h.publisher('urn:test', { wireFormat: 'confluent', schemaIds: fakeIds })
        const published = await publisher.publish('time-entry', 'create', {
          ...JSON.parse(eventMessage('time-entry', 'create', { version: 2 }).value).resource.content,
        })
        await publisher.disconnect()

        const key = uuid()
        const plain = eventMessage('time-entry', 'update', { key, version: 2 })
        const framedV1 = eventMessage('time-entry', 'update', { key, version: 1 })
        const wrongId = eventMessage('time-entry', 'update', { key, version: 2 })
        await h.produce(destination, [
          plain,
          // Another producer's frame: the id of time-entry v1 around a v1 event.
          { ...framedV1, value: frameValue(idOf(schemaUri('time-entry', 1)), framedV1.value) },
          { ...wrongId, value: frameValue(idOf(schemaUri('time-entry', 1)), wrongId.value) },
          { key, value: frameValue(999, plain.value), attributes: plain.attributes },
          { key, value: Buffer.from([0, 0, 1]) },
          { key, value: Buffer.concat([Buffer.from([1, 0, 0, 0, 1]), Buffer.from(plain.value)]) },
        ])

        const seen: { id: string; version: number | undefined }[] = []
        const dead: DeadLetter[] = []
        const c = h.consumer({
          group: h.group(),
          schemaIds: fakeIds,
          onDeadLetter: (d) => void dead.push(d),
          handlers: {
            'time-entry': {
              create: (e, ctx) => void seen.push({ id: e.id, version: ctx.version }),
              update: (e, ctx) => void seen.push({ id: e.id, version: ctx.version }),
            },
          },
        })
        await c.start()
        const letters = await h.deadLetters(`${destination}.dlq`, 4)
        await until('the three valid events', () => seen.length >= 3)
        // The published event has its own key (maybe another partition): only the raw ones keep their order.
        const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id)
        expect([...seen].sort(byId)).toEqual(
          [
            { id: published.id, version: 2 },
            { id: plain.id, version: 2 },
            { id: framedV1.id, version: 1 },
          ].sort(byId),
        )
        expect(seen.filter((s) => s.id !== published.id).map((s) => s.id)).toEqual([plain.id, framedV1.id])
        expect(letters.map((l) => [l.code, l.issues[0]?.keyword])).toEqual([
          ['EVENT_INVALID', 'schema-id'],
          ['UNKNOWN_SCHEMA', 'schema-id'],
          ['BAD_FRAME', 'frame'],
          ['BAD_FRAME', 'frame'],
        ])
        expect(letters.map((l) => l.message)).toEqual([
          expect.stringMatching(/schema id \d+ names '.*time-entry\/1', which does not describe this event/),
          expect.stringMatching(/schema id 999 is unknown/),
          expect.stringMatching(/truncated frame: 3 byte/),
          expect.stringMatching(/unknown magic byte 1/),
        ])
        expect(dead).toHaveLength(4)
        await c.stop()
      } finally {
        await h.cleanup()
      }
    })
  })
}
