/**
 * The event schema of each resource version (event-schema.ts) with its global schema id. The id is assigned by the
 * version's registration (or seeding, or migration 4 for versions stored before), in its transaction, and loaded
 * with the version: a version held in memory knows its event schema's id, so reading it never touches storage.
 *
 * A version whose stored id is missing (written by a registry predating migration 4) or names another content
 * (the envelope changed with an upgrade, so the event schema did) is *pending*: its id is found, or assigned, by
 * content on first request, as before (the same table and lock as every other id, so the same id on every replica).
 */
import { createHash } from 'node:crypto'
import { BUILT_IN_ENVELOPE, packageFile } from '../codegen/package-files.ts'
import { schemaIdHash, type JsonObject } from './content.ts'
import { eventSchemaText, eventSchemaUri } from './event-schema.ts'
import { toBytes, type Bytes, type EventEntry, type Memory, type VersionEntry } from './memory.ts'
import type { SchemaStore } from './store/store.ts'

export type { EventEntry }

/** A version's event schema, ready to serve; its bytes are made on first use (most are never asked for). */
class LazyEventEntry implements EventEntry {
  private made?: { schema: Bytes; ccompat: Bytes; bytes: Bytes; etag: string }
  constructor(
    /** Its global schema id. */
    readonly id: number,
    /** Its `$id`: `<version uri>/event`. */
    readonly uri: string,
    private readonly text: string,
  ) {}

  private get all() {
    if (!this.made) {
      const body = `{"id":${this.id},"schema":${this.text}}`
      this.made = {
        schema: toBytes(this.text),
        ccompat: toBytes(JSON.stringify({ schemaType: 'JSON', schema: this.text })),
        bytes: toBytes(body),
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      }
    }
    return this.made
  }
  /** The schema, serialised once. */
  get schemaBytes(): Bytes {
    return this.all.schema
  }
  /** `{schemaType, schema}` (what the Confluent API's `/schemas/ids/{id}` answers), serialised once. */
  get ccompatBytes(): Bytes {
    return this.all.ccompat
  }
  /** `{id, schema}` (the native route's answer), serialised once, and its ETag. */
  get bytes(): Bytes {
    return this.all.bytes
  }
  get etag(): string {
    return this.all.etag
  }
}

const MAX_ID = 0x7fffffff

interface Derived {
  readonly text: string
  readonly hash: string
}

/** What the store needs of a version to give its event schema an id: name, version, `$id` and schema. */
export type EventSource = { name: string; version: number; uri: string; schema: JsonObject }

export interface EventSchemas {
  /** Loads the envelope (once): before anything below, and before memory is first loaded. */
  ready(): Promise<void>
  /** The schemaIdHash of a version's event schema (what its registration gives an id to). */
  hashOf(v: EventSource): string
  /** A loaded version's event schema under its stored id; undefined when pending (no id, or another content's). */
  stored(v: VersionEntry, id: number | null, hash: string | null): EventEntry | undefined
  /** The event schema of a resource version: the one loaded, else (pending) found or assigned by content. */
  of(entry: VersionEntry): Promise<EventEntry>
  /** The event schema with that id; undefined when the id is no resource version's event schema. */
  byId(id: number): Promise<EventEntry | undefined>
}

export function createEventSchemas({ store, memory }: { store: SchemaStore; memory: Memory }): EventSchemas {
  let envelope: JsonObject | undefined
  let loading: Promise<void> | undefined
  const derived = new Map<string, Derived>()
  const pending = new Map<string, Promise<EventEntry>>()

  // A version's content never changes under its URI, but a purged number may come back with another content.
  const keyOf = (v: VersionEntry) => `${v.uri}\n${v.hash}`

  function envelopeOf(): JsonObject {
    if (!envelope) throw new Error('event schemas used before ready()')
    return envelope
  }

  function derive(v: VersionEntry): Derived {
    const key = keyOf(v)
    let d = derived.get(key)
    if (!d) {
      const text = eventSchemaText(v, envelopeOf())
      d = { text, hash: schemaIdHash(text) }
      derived.set(key, d)
    }
    return d
  }

  async function assign(v: VersionEntry): Promise<EventEntry> {
    const { text, hash } = derive(v)
    const id = await store.schemaIdOf(hash)
    const entry = new LazyEventEntry(id, eventSchemaUri(v.uri), text)
    memory.pendingEvent(v, entry)
    return entry
  }

  const api: EventSchemas = {
    ready() {
      loading ??= packageFile(BUILT_IN_ENVELOPE).then((t) => {
        envelope = JSON.parse(t) as JsonObject
      })
      loading.catch(() => (loading = undefined))
      return loading
    },
    hashOf: (v) => schemaIdHash(eventSchemaText(v, envelopeOf())),
    stored(v, id, hash) {
      if (id === null || hash === null) return undefined
      const d = derive(v)
      return d.hash === hash ? new LazyEventEntry(id, eventSchemaUri(v.uri), d.text) : undefined
    },
    of(v) {
      if (v.event) return Promise.resolve(v.event)
      const key = keyOf(v)
      let p = pending.get(key)
      if (!p) {
        p = assign(v)
        // A failure (storage down) is not kept: the next request tries again.
        p.catch(() => pending.delete(key))
        pending.set(key, p)
      }
      return p
    },
    async byId(id) {
      const hit = memory.byEventId.get(id)
      if (hit) return hit
      // Every version held knows its event schema's id: an id not among them is nobody's (or not loaded yet).
      if (memory.eventsPending === 0) return undefined
      // Ids are Java ints; a larger number is nobody's (and storage's integer column would refuse the query).
      if (!Number.isInteger(id) || id < 1 || id > MAX_ID) return undefined
      const hash = await store.hashOfSchemaId(id)
      if (hash === undefined) return undefined
      for (const s of memory.subjects.values()) {
        if (s.kind !== 'resource') continue
        for (const v of s.byVersion.values()) if (!v.event && derive(v).hash === hash) return api.of(v)
      }
      return undefined
    },
  }
  return api
}
