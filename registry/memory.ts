import { createHash } from 'node:crypto'
import type { Mode } from '../compat/index.ts'
import type { JsonObject } from './content.ts'
import type { Snapshot, StoredSubject, StoredVersion, SubjectKind } from './store/store.ts'

/** A Confluent reference: the schema `name` in a `$ref` is version `version` of subject `subject`. */
export interface SchemaReference {
  readonly name: string
  readonly subject: string
  readonly version: number
}

/** A resource version's event schema with its global schema id, ready to serve (made by events.ts). */
export interface EventEntry {
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

/** One version ready to serve: bytes and ETag computed once, never per request. */
export interface VersionEntry {
  readonly name: string
  readonly version: number
  readonly uri: string
  readonly hash: string
  readonly deleted: boolean
  readonly schema: JsonObject
  readonly bytes: Bytes
  readonly etag: string
  /** The global schema id (the Confluent API's). */
  readonly schemaId: number
  readonly references: readonly SchemaReference[]
  /** As stored: the event schema's id and the hash of the content it was given to (store.ts StoredVersion). */
  readonly eventSchemaId: number | null
  readonly eventHash: string | null
  /** A resource version's event schema, with its id (events.ts); absent: pending, found by content when asked. */
  event?: EventEntry
  /** The Confluent API's answers for this version, serialised on first request (ccompat/). */
  ccompat?: Map<string, Bytes>
  /** TypeScript types, compiled on first request and kept. */
  types?: Promise<Bytes>
}

export interface SubjectEntry {
  readonly name: string
  readonly kind: SubjectKind
  readonly topic: string
  readonly key: string
  readonly compatibility: Mode | null
  /** Visible versions (not soft-deleted), ascending. */
  readonly active: readonly VersionEntry[]
  readonly byVersion: ReadonlyMap<number, VersionEntry>
  readonly latest: VersionEntry | undefined
  readonly versionsBytes: Bytes
}

/** Encoded once; hono sends a Uint8Array as is. */
export type Bytes = Uint8Array<ArrayBuffer>
const encoder = new TextEncoder()
export const toBytes = (text: string): Bytes => encoder.encode(text)

const etagOf = (bytes: Bytes) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`

/**
 * What the registry serves, held in memory and rebuilt from storage on start, on every change notification
 * and periodically. Reads never touch storage.
 */
export class Memory {
  defaultMode: Mode
  readonly subjects = new Map<string, SubjectEntry>()
  readonly byUri = new Map<string, VersionEntry>()
  /** Every stored version (soft-deleted ones too) by schema id: the first subject's, by name. */
  readonly byId = new Map<number, VersionEntry[]>()
  /** The event schemas of the resource versions held, by id (events.ts). */
  readonly byEventId = new Map<number, EventEntry>()
  /** Resource versions held whose event schema's id is not known yet: while any, an unknown id may be theirs. */
  eventsPending = 0
  /** registry_settings as last loaded (the Confluent API's modes). */
  settings: ReadonlyMap<string, string> = new Map()
  /** Bumped on every change: caches derived from the whole registry compare it. */
  generation = 0
  private listCache: Bytes | undefined

  constructor(
    private readonly configuredDefault: Mode,
    /** A loaded resource version's event schema under its stored id (events.ts `stored`); undefined: pending. */
    private readonly eventOf: (
      v: VersionEntry,
      id: number | null,
      hash: string | null,
    ) => EventEntry | undefined = () => undefined,
  ) {
    this.defaultMode = configuredDefault
  }

  /** A pending version's event schema, found by content: kept if the version is still held. */
  pendingEvent(v: VersionEntry, event: EventEntry): void {
    if (v.event || this.subjects.get(v.name)?.byVersion.get(v.version) !== v) return
    v.event = event
    this.byEventId.set(event.id, event)
    this.eventsPending--
  }

  /** GET /schemas, serialised once per change. */
  get listBytes(): Bytes {
    this.listCache ??= toBytes(
      JSON.stringify(
        [...this.subjects.values()]
          .filter((s) => s.latest && s.kind === 'resource')
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((s) => ({
            name: s.name,
            latest: s.latest?.version,
            versions: s.active.map((v) => v.version),
            uri: s.latest?.uri,
            topic: s.topic,
            key: s.key,
          })),
      ),
    )
    return this.listCache
  }

  modeOf(subject: Pick<SubjectEntry, 'compatibility'> | undefined): Mode {
    return subject?.compatibility ?? this.defaultMode
  }

  setDefault(stored: Mode | null): void {
    this.defaultMode = stored ?? this.configuredDefault
  }

  replaceAll(snapshot: Snapshot): void {
    this.setDefault(snapshot.defaultMode)
    this.settings = snapshot.settings
    const names = new Set(snapshot.subjects.map((s) => s.name))
    for (const name of this.subjects.keys()) if (!names.has(name)) this.apply(name, undefined)
    for (const s of snapshot.subjects) this.apply(s.name, s)
  }

  /** Replaces one subject with what storage holds (undefined: gone). Unchanged versions keep their entries. */
  apply(name: string, stored: StoredSubject | undefined): void {
    const old = this.subjects.get(name)
    for (const v of old?.byVersion.values() ?? []) {
      this.byUri.delete(v.uri)
      if (v.event) {
        if (this.byEventId.get(v.event.id) === v.event) this.byEventId.delete(v.event.id)
      } else if (old?.kind === 'resource') this.eventsPending--
      const list = this.byId.get(v.schemaId)?.filter((e) => e !== v)
      if (list?.length) this.byId.set(v.schemaId, list)
      else this.byId.delete(v.schemaId)
    }
    this.listCache = undefined
    this.generation++
    if (!stored) {
      this.subjects.delete(name)
      return
    }
    const byVersion = new Map<number, VersionEntry>()
    for (const v of stored.versions) {
      const before = old?.byVersion.get(v.version)
      const kept =
        before &&
        before.hash === v.hash &&
        before.deleted === v.deleted &&
        before.schemaId === v.schemaId &&
        before.eventSchemaId === v.eventSchemaId &&
        before.eventHash === v.eventHash
      const entry = kept ? before : toEntry(v)
      byVersion.set(v.version, entry)
      if (stored.kind === 'resource') {
        this.byUri.set(entry.uri, entry)
        if (!kept) {
          const event = this.eventOf(entry, v.eventSchemaId, v.eventHash)
          if (event) entry.event = event
        }
        if (entry.event) this.byEventId.set(entry.event.id, entry.event)
        else this.eventsPending++
      }
      const list = [...(this.byId.get(entry.schemaId) ?? []), entry]
      this.byId.set(
        entry.schemaId,
        list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version)),
      )
    }
    const active = [...byVersion.values()].filter((v) => !v.deleted)
    this.subjects.set(name, {
      name,
      kind: stored.kind,
      topic: stored.topic,
      key: stored.key,
      compatibility: stored.compatibility,
      active,
      byVersion,
      latest: active.at(-1),
      versionsBytes: toBytes(JSON.stringify(active.map((v) => v.version))),
    })
  }
}

function toEntry(v: StoredVersion): VersionEntry {
  const bytes = toBytes(v.body)
  return {
    name: v.name,
    version: v.version,
    uri: v.uri,
    hash: v.hash,
    deleted: v.deleted,
    schema: JSON.parse(v.body) as JsonObject,
    bytes,
    etag: etagOf(bytes),
    schemaId: v.schemaId,
    references: v.refs === null ? [] : (JSON.parse(v.refs) as SchemaReference[]),
    eventSchemaId: v.eventSchemaId,
    eventHash: v.eventHash,
  }
}
