/**
 * The event schema of each resource version (event-schema.ts) with its global schema id: derived on first
 * request, its id assigned then by the store (the same table and lock as every other id; the same id on every
 * replica, since the id belongs to the content). Kept in memory per version content; an id met first on another
 * replica is found by its content hash among the versions held.
 */
import { createHash } from 'node:crypto'
import { BUILT_IN_ENVELOPE, packageFile } from '../codegen/package-files.ts'
import { schemaIdHash, type JsonObject } from './content.ts'
import { eventSchema, eventSchemaUri } from './event-schema.ts'
import { toBytes, type Bytes, type Memory, type VersionEntry } from './memory.ts'
import type { SchemaStore } from './store/store.ts'

/** A version's event schema, ready to serve. */
export interface EventEntry {
  /** Its global schema id. */
  readonly id: number
  /** Its `$id`: `<version uri>/event`. */
  readonly uri: string
  /** The schema, serialised once. */
  readonly schemaBytes: Bytes
  /** `{schemaType, schema}` (what the Confluent API's `/schemas/ids/{id}` answers), serialised once. */
  readonly ccompatBytes: Bytes
  /** `{id, schema}` (the native route's answer), serialised once, and its ETag. */
  readonly bytes: Bytes
  readonly etag: string
}

const MAX_ID = 0x7fffffff

interface Derived {
  readonly text: string
  readonly hash: string
}

export interface EventSchemas {
  /** The event schema of a resource version, its id assigned on first request. */
  of(entry: VersionEntry): Promise<EventEntry>
  /** The event schema with that id; undefined when the id is no resource version's event schema. */
  byId(id: number): Promise<EventEntry | undefined>
}

export function createEventSchemas({ store, memory }: { store: SchemaStore; memory: Memory }): EventSchemas {
  let envelope: Promise<JsonObject> | undefined
  const derived = new Map<string, Promise<Derived>>()
  const entries = new Map<string, Promise<EventEntry>>()
  const byId = new Map<number, EventEntry>()

  // A version's content never changes under its URI, but a purged number may come back with another content.
  const keyOf = (v: VersionEntry) => `${v.uri}\n${v.hash}`

  function derive(v: VersionEntry): Promise<Derived> {
    const key = keyOf(v)
    let d = derived.get(key)
    if (!d) {
      envelope ??= packageFile(BUILT_IN_ENVELOPE).then((t) => JSON.parse(t) as JsonObject)
      d = envelope.then((env) => {
        const text = JSON.stringify(eventSchema(v, env))
        return { text, hash: schemaIdHash(text) }
      })
      d.catch(() => {
        derived.delete(key)
        envelope = undefined
      })
      derived.set(key, d)
    }
    return d
  }

  async function make(v: VersionEntry): Promise<EventEntry> {
    const { text, hash } = await derive(v)
    const id = await store.schemaIdOf(hash)
    const body = `{"id":${id},"schema":${text}}`
    const entry: EventEntry = {
      id,
      uri: eventSchemaUri(v.uri),
      schemaBytes: toBytes(text),
      ccompatBytes: toBytes(JSON.stringify({ schemaType: 'JSON', schema: text })),
      bytes: toBytes(body),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    }
    byId.set(id, entry)
    return entry
  }

  function of(v: VersionEntry): Promise<EventEntry> {
    const key = keyOf(v)
    let p = entries.get(key)
    if (!p) {
      p = make(v)
      // A failure (storage down) is not kept: the next request tries again.
      p.catch(() => entries.delete(key))
      entries.set(key, p)
    }
    return p
  }

  return {
    of,
    async byId(id) {
      const hit = byId.get(id)
      if (hit) return hit
      // Ids are Java ints; a larger number is nobody's (and storage's integer column would refuse the query).
      if (!Number.isInteger(id) || id < 1 || id > MAX_ID) return undefined
      const hash = await store.hashOfSchemaId(id)
      if (hash === undefined) return undefined
      for (const s of memory.subjects.values()) {
        if (s.kind !== 'resource') continue
        for (const v of s.byVersion.values()) if ((await derive(v)).hash === hash) return of(v)
      }
      return undefined
    },
  }
}
