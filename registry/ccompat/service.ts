import { createHash } from 'node:crypto'
import { canonicalJson, nestsDeeperThan } from '../../core/json.ts'
import { ContractError, isContractError, RESOURCE_NAME } from '../../core/index.ts'
import { isMode, MODES, type Mode, type Policy } from '../../compat/index.ts'
import {
  admitModeChange,
  bundleReferences,
  type AdmissionDifference,
  type JsonObject,
  type ReferencedSchema,
} from '../../admission/index.ts'
import { contentHash, schemaIdHash } from '../content.ts'
import { eventSchemaUri } from '../event-schema.ts'
import type { EventEntry } from '../events.ts'
import type { SchemaReference, SubjectEntry, VersionEntry } from '../memory.ts'
import type { SchemaService } from '../service.ts'
import type { SchemaStore } from '../store/store.ts'
import { inlineWork, type Work } from '../work/pool.ts'
import { confluentError } from './errors.ts'

/** Confluent's modes of a subject or the registry: what writes it takes. */
export const REGISTRY_MODES = ['READWRITE', 'READONLY', 'IMPORT'] as const
export type RegistryMode = (typeof REGISTRY_MODES)[number]
const isRegistryMode = (v: unknown): v is RegistryMode =>
  typeof v === 'string' && (REGISTRY_MODES as readonly string[]).includes(v)

/** Where a plain schema subject is stored: a prefix no resource name has (they are lower-case words and dashes). */
export const PLAIN_PREFIX = 'schema:'
const VALUE_SUFFIX = '-value'
/** registry_settings keys of the Confluent modes. */
const MODE_KEY = 'ccompat.mode'
const modeKey = (subject: string) => `${MODE_KEY}:${subject}`

/**
 * What a Confluent subject names. `<topic>-value` (TopicNameStrategy) is the resource whose `x-topic` is that
 * topic (`name` undefined until one exists); any other subject is a plain schema subject.
 */
export type Target =
  | {
      readonly kind: 'resource'
      readonly subject: string
      readonly topic: string
      readonly name: string | undefined
    }
  | { readonly kind: 'schema'; readonly subject: string; readonly name: string }

export interface RegisterInput {
  schema: string
  schemaType?: string
  references?: readonly SchemaReference[]
  id?: number
  version?: number
}

/**
 * What a lookup or a registration finds in a subject: a stored version, or (`event`) a resource version's event
 * schema, which its subject `<topic>-value` answers as that version, under the event schema's own id.
 */
export interface Found {
  readonly entry: VersionEntry
  readonly event?: EventEntry
}

export interface CcompatOptions {
  service: SchemaService
  store: SchemaStore
  policy: Policy
  /** The configured default mode (what DELETE /config returns to). */
  defaultMode: Mode
  maxDepth: number
  maxBytes: number
  /** Where plain schemas are admitted and compared: the registry's worker pool (inline for a library or a tool). */
  work?: Work
}

const decoder = new TextDecoder()
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

const notFound = {
  subject: (s: string) =>
    confluentError('UNKNOWN_RESOURCE', 'SUBJECT_NOT_FOUND', `Subject '${s}' not found.`),
  version: (s: string, v: string | number) =>
    confluentError('SCHEMA_NOT_FOUND', 'VERSION_NOT_FOUND', `Version ${v} not found for subject '${s}'.`),
  schema: (what: string) =>
    confluentError('SCHEMA_NOT_FOUND', 'SCHEMA_NOT_FOUND', `Schema ${what} not found`),
  inSubject: (s: string) =>
    confluentError('SCHEMA_NOT_FOUND', 'SCHEMA_NOT_FOUND', `Schema not found in subject '${s}'`),
}
const invalid = (message: string) => confluentError('SCHEMA_INVALID', 'INVALID_SCHEMA', message)
const notPermitted = (message: string) =>
  confluentError('PRECONDITION_FAILED', 'OPERATION_NOT_PERMITTED', message)

/** A version parameter: `latest`, `-1` or 1…2^31-1; anything else is 42202. */
export function parseVersion(v: string): number | 'latest' {
  if (v === 'latest' || v === '-1') return 'latest'
  if (/^[1-9][0-9]{0,9}$/.test(v) && Number(v) <= 2 ** 31 - 1) return Number(v)
  throw confluentError(
    'BAD_REQUEST',
    'INVALID_VERSION',
    `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  )
}

/** A difference as one line of `messages` (verbose compatibility). */
export const differenceMessage = (d: AdmissionDifference): string =>
  `${d.breaking ? 'incompatible' : 'compatible'} (${d.direction}) at ${d.path || '/'}${
    d.against === undefined ? '' : ` against version ${d.against}`
  }: ${d.message} [${d.kind}]; instead: ${d.hint}`

/**
 * The Confluent API's behaviour over the registry's service, store and memory (free of HTTP): subjects mapped to
 * resources or plain schema subjects, schema ids, modes. Resource subjects register through the service, so
 * through the one admission rule; plain ones through admitPlainSchema (in the work pool) under the same store lock.
 */
export function createCcompat({
  service,
  store,
  policy,
  defaultMode,
  maxDepth,
  maxBytes,
  work = inlineWork,
}: CcompatOptions) {
  const memory = service.memory

  function target(subject: string): Target {
    if (subject.endsWith(VALUE_SUFFIX) && subject.length > VALUE_SUFFIX.length) {
      const topic = subject.slice(0, -VALUE_SUFFIX.length)
      let name: string | undefined
      for (const s of memory.subjects.values())
        if (s.kind === 'resource' && s.topic === topic && (name === undefined || s.name < name)) name = s.name
      return { kind: 'resource', subject, topic, name }
    }
    return { kind: 'schema', subject, name: `${PLAIN_PREFIX}${subject}` }
  }

  /** The subject name a stored subject answers to; undefined for a resource that another one shadows. */
  function subjectOf(s: SubjectEntry): string | undefined {
    if (s.kind === 'schema') return s.name.slice(PLAIN_PREFIX.length)
    const t = target(`${s.topic}${VALUE_SUFFIX}`)
    return t.name === s.name ? t.subject : undefined
  }

  const entryOf = (t: Target): SubjectEntry | undefined =>
    t.name === undefined ? undefined : memory.subjects.get(t.name)

  /** The subject, stored, with at least one version ever (soft-deleted ones count unless `active`). */
  function existing(subject: string, deleted: boolean): { t: Target; s: SubjectEntry } {
    const t = target(subject)
    const s = entryOf(t)
    if (!s || s.byVersion.size === 0 || (!deleted && s.active.length === 0)) throw notFound.subject(subject)
    return { t, s }
  }

  function version(subject: string, v: string, deleted = false): VersionEntry {
    const parsed = parseVersion(v)
    const { s } = existing(subject, deleted)
    const found =
      parsed === 'latest'
        ? (s.latest ?? (deleted ? [...s.byVersion.values()].at(-1) : undefined))
        : s.byVersion.get(parsed)
    if (!found || (found.deleted && !deleted)) throw notFound.version(subject, v)
    return found
  }

  /** A reference → the referenced schema, its own references resolved the same way (versions are immutable). */
  function referenced(refs: readonly SchemaReference[], depth = 0): ReferencedSchema['references'] {
    if (depth > 16) throw invalid('references nest deeper than 16 levels')
    return refs.map((r) => {
      if (
        r === null ||
        typeof r !== 'object' ||
        typeof r.name !== 'string' ||
        typeof r.subject !== 'string' ||
        !Number.isInteger(r.version)
      )
        throw invalid('a reference is {name, subject, version}')
      let v: VersionEntry
      try {
        v = version(r.subject, String(r.version))
      } catch (e) {
        if (isContractError(e)) throw invalid(`reference '${r.name}': ${e.message}`)
        throw e
      }
      return { name: r.name, schema: { schema: v.schema, references: referenced(v.references, depth + 1) } }
    })
  }

  const bundled = (schema: JsonObject, refs: readonly SchemaReference[]): JsonObject =>
    refs.length === 0 ? schema : bundleReferences({ schema, references: referenced(refs) })

  /** The schema string of a request → an object (42201 otherwise), JSON only. */
  function parseSchema(input: RegisterInput): JsonObject {
    const type = input.schemaType ?? 'JSON'
    if (type !== 'JSON')
      throw invalid(
        `schemaType ${type} is not supported: this registry serves JSON Schema only (schemaType JSON)`,
      )
    if (typeof input.schema !== 'string') throw invalid('schema must be a string holding a JSON Schema')
    let schema: unknown
    try {
      schema = JSON.parse(input.schema)
    } catch (e) {
      throw invalid(`Invalid schema: not JSON (${(e as Error).message})`)
    }
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
      throw invalid('Invalid schema: a JSON Schema here is a JSON object')
    // Before anything walks it recursively (hashing, bundling).
    if (nestsDeeperThan(schema, maxDepth))
      throw invalid(`Invalid schema: nested deeper than ${maxDepth} levels`)
    return schema as JsonObject
  }

  /** A plain version's identity in its subject (the store's content hash): the schema and its references. */
  const plainHash = (schema: JsonObject, refs: readonly SchemaReference[]) =>
    sha256(canonicalJson({ schema, references: refs }))

  function registryMode(subject?: string): RegistryMode {
    const own = subject === undefined ? undefined : memory.settings.get(modeKey(subject))
    const value = own ?? memory.settings.get(MODE_KEY)
    return isRegistryMode(value) ? value : 'READWRITE'
  }

  function writable(subject: string): RegistryMode {
    const mode = registryMode(subject)
    if (mode === 'READONLY') throw notPermitted(`Subject '${subject}' is in read-only mode`)
    return mode
  }

  const compatibilityOf = (s: SubjectEntry | undefined): Mode => s?.compatibility ?? memory.defaultMode

  /**
   * `schema` as the event schema of one of the resource's versions (registry/events.ts): what a Confluent
   * serializer of our events writes with, so it must be found in `<topic>-value`. Matched by its `$id`
   * (`<version uri>/event`), then by content: the same canonical JSON as the event schema the registry derives.
   */
  async function eventOf(
    s: SubjectEntry,
    schema: JsonObject,
    deleted: boolean,
  ): Promise<Required<Found> | undefined> {
    const uri = schema.$id
    if (s.kind !== 'resource' || typeof uri !== 'string') return undefined
    for (const entry of s.byVersion.values()) {
      if (eventSchemaUri(entry.uri) !== uri || (entry.deleted && !deleted)) continue
      const event = await service.event(entry)
      const same = schemaIdHash(decoder.decode(event.schemaBytes)) === schemaIdHash(JSON.stringify(schema))
      return same ? { entry, event } : undefined
    }
    return undefined
  }

  const ccompat = {
    memory,
    target,
    subjectOf,
    registryMode,

    /** The stored versions with schema id `id`, first subject first. */
    byId(id: number): readonly VersionEntry[] {
      const list = memory.byId.get(id)
      if (!list?.length) throw notFound.schema(`${id}`)
      return list
    },

    /** The resource version's event schema with schema id `id` (none: undefined). */
    event: (id: number) => service.eventById(id),

    subjects({ prefix = '', deleted = false, deletedOnly = false }): string[] {
      const out: string[] = []
      for (const s of memory.subjects.values()) {
        const name = subjectOf(s)
        if (name === undefined || !name.startsWith(prefix) || s.byVersion.size === 0) continue
        const softDeleted = s.active.length === 0
        if (deletedOnly ? softDeleted : softDeleted ? deleted : true) out.push(name)
      }
      return out.sort()
    },

    versions(subject: string, deleted: boolean): number[] {
      const { s } = existing(subject, deleted)
      return [...s.byVersion.values()].filter((v) => deleted || !v.deleted).map((v) => v.version)
    },

    version,

    /** Every schema id whose version references this one. */
    referencedBy(subject: string, v: string): number[] {
      const target = version(subject, v, true)
      const ids = new Set<number>()
      for (const s of memory.subjects.values())
        for (const e of s.byVersion.values())
          if (
            !e.deleted &&
            e.references.some((r) => {
              try {
                return version(r.subject, String(r.version), true) === target
              } catch {
                return false
              }
            })
          )
            ids.add(e.schemaId)
      return [...ids].sort((a, b) => a - b)
    },

    /** POST /subjects/{s}: the version of this subject holding this schema (or whose event schema it is). */
    async lookup(subject: string, input: RegisterInput, deleted: boolean): Promise<Found> {
      const { t, s } = existing(subject, deleted)
      const schema = parseSchema(input)
      const refs = input.references ?? []
      const hash = t.kind === 'resource' ? contentHash(schema) : plainHash(schema, refs)
      const found = [...s.byVersion.values()].find((v) => v.hash === hash && (deleted || !v.deleted))
      if (found) return { entry: found }
      const event = t.kind === 'resource' && !refs.length ? await eventOf(s, schema, deleted) : undefined
      if (!event) throw notFound.inSubject(subject)
      return event
    },

    async register(subject: string, input: RegisterInput, principal: string): Promise<Found> {
      const mode = writable(subject)
      if (input.id !== undefined && mode !== 'IMPORT')
        throw notPermitted(`an id may be given only in IMPORT mode; subject '${subject}' is ${mode}`)
      const t = target(subject)
      const schema = parseSchema(input)
      const refs = input.references ?? []
      const before = entryOf(t)
      const next = (before?.byVersion.size ? Math.max(...before.byVersion.keys()) : 0) + 1
      if (input.version !== undefined && input.version !== next) {
        const same = before?.byVersion.get(input.version)
        if (!same)
          throw confluentError(
            'BAD_REQUEST',
            'INVALID_VERSION',
            `version ${input.version} cannot be given: the next version of '${subject}' is ${next}`,
          )
      }
      let name: string
      if (t.kind === 'resource') {
        if (refs.length)
          throw invalid(`'${subject}' is a contract: its schema is one document, without references`)
        // A version's event schema is already in its subject (as that version): registering it is idempotent.
        const s = entryOf(t)
        const event = s ? await eventOf(s, schema, false) : undefined
        if (event) {
          if (input.id !== undefined && input.id !== event.event.id)
            throw notPermitted(
              `this schema has id ${event.event.id} (the event schema of version ${event.entry.version}), not ${input.id}`,
            )
          return event
        }
        if (t.name !== undefined) name = t.name
        else {
          if (!RESOURCE_NAME.test(t.topic))
            throw invalid(
              `no resource has x-topic '${t.topic}', and '${t.topic}' is not a resource name (${String(RESOURCE_NAME)}) to create one under`,
            )
          if (schema['x-topic'] !== t.topic)
            throw invalid(`a new resource under '${subject}' must carry "x-topic": "${t.topic}"`)
          name = t.topic
        }
        const r = await service.register(name, schema, principal, {
          ...(input.id === undefined ? {} : { schemaId: input.id }),
        })
        return { entry: ccompat.stored(name, r.version) }
      }
      name = t.name
      const own = bundled(schema, refs)
      const hash = plainHash(schema, refs)
      const body = JSON.stringify(schema)
      const r = await store.register(
        {
          name,
          kind: 'schema',
          hash,
          topic: undefined,
          key: undefined,
          compatibility: undefined,
          uri: (v) => `urn:event-contracts:ccompat:${encodeURIComponent(subject)}:${v}`,
          body: () => body,
          ...(refs.length
            ? {
                refs: JSON.stringify(
                  refs.map((x) => ({ name: x.name, subject: x.subject, version: x.version })),
                ),
                idHash: sha256(canonicalJson({ schema, references: refs })),
              }
            : { idHash: schemaIdHash(body) }),
          ...(input.id === undefined ? {} : { schemaId: input.id }),
        },
        async (stored, storedDefault) => {
          const history = (stored?.versions ?? [])
            .filter((v) => !v.deleted)
            .map((v) => ({
              version: v.version,
              schema: bundled(
                JSON.parse(v.body) as JsonObject,
                v.refs ? (JSON.parse(v.refs) as SchemaReference[]) : [],
              ),
            }))
          // In the work pool, like a resource's admission: a large schema's check never holds the event loop.
          const verdict = await work.admitPlain({
            next: own,
            history,
            mode: mode === 'IMPORT' ? 'NONE' : (stored?.compatibility ?? storedDefault ?? defaultMode),
            options: { policy, maxDepth, maxBytes },
          })
          if (!verdict.ok) throw new ContractError(verdict.code, verdict.summary, verdict.issues)
          if (!verdict.value.compatible)
            throw new ContractError(
              'INCOMPATIBLE_SCHEMA',
              `Schema being registered is incompatible with an earlier schema for subject '${subject}'`,
              verdict.value.differences
                .filter((d) => d.breaking)
                .map((d) => ({
                  path: d.path,
                  keyword: d.kind,
                  message: differenceMessage(d),
                })),
            )
        },
        principal,
      )
      await service.reload(name)
      return { entry: ccompat.stored(name, r.version.version) }
    },

    stored(name: string, v: number): VersionEntry {
      const e = memory.subjects.get(name)?.byVersion.get(v)
      if (!e)
        throw new ContractError('REGISTRY_UNAVAILABLE', `version ${v} of '${name}' is not loaded yet`, [], {
          retriable: true,
        })
      return e
    },

    /**
     * POST /compatibility/subjects/{s}/versions[/{v}]: against every version the mode names, or against version
     * `v` alone. A subject without versions is compatible (no version given), or 40401 (one given).
     */
    async compatibility(
      subject: string,
      v: string | undefined,
      input: RegisterInput,
    ): Promise<{ compatible: boolean; differences: AdmissionDifference[] }> {
      const t = target(subject)
      const s = entryOf(t)
      const schema = parseSchema(input)
      const refs = input.references ?? []
      if (v !== undefined) {
        const parsed = parseVersion(v)
        const against = version(subject, parsed === 'latest' ? 'latest' : String(parsed))
        const next = t.kind === 'schema' ? bundled(schema, refs) : schema
        if (t.kind === 'schema') {
          const r = await work.admitPlain({
            next,
            history: [],
            mode: 'NONE',
            options: { policy, maxDepth, maxBytes },
          })
          if (!r.ok) throw new ContractError(r.code, r.summary, r.issues)
        }
        const mode = compatibilityOf(s)
        const single = mode.replace('_TRANSITIVE', '') as Mode
        const prev = t.kind === 'schema' ? bundled(against.schema, against.references) : against.schema
        const r = await work.compat([prev], next, single, policy)
        return {
          compatible: r.compatible,
          differences: r.differences.map((d) => ({ ...d, against: against.version })),
        }
      }
      if (!s || s.active.length === 0) return { compatible: true, differences: [] }
      if (t.kind === 'resource') {
        const r = await service.compatibility(s.name, schema)
        return { compatible: r.compatible, differences: r.differences }
      }
      const history = s.active.map((e) => ({ version: e.version, schema: bundled(e.schema, e.references) }))
      const r = await work.admitPlain({
        next: bundled(schema, refs),
        history,
        mode: compatibilityOf(s),
        options: { policy, maxDepth, maxBytes },
      })
      if (!r.ok) throw new ContractError(r.code, r.summary, r.issues)
      return { compatible: r.value.compatible, differences: [...r.value.differences] }
    },

    /** DELETE /subjects/{s}/versions/{v}: soft, then (permanent) for good; never a referenced version. */
    async deleteVersion(subject: string, v: string, permanent: boolean, principal: string): Promise<number> {
      writable(subject)
      const parsed = parseVersion(v)
      const { s } = existing(subject, permanent)
      const entry = parsed === 'latest' ? s.latest : s.byVersion.get(parsed)
      if (!entry) throw notFound.version(subject, v)
      if (ccompat.referencedBy(subject, String(entry.version)).length)
        throw confluentError(
          'PRECONDITION_FAILED',
          'REFERENCE_EXISTS',
          `One or more references exist to the schema {subject=${subject}, version=${entry.version}}`,
        )
      if (!permanent) {
        if (entry.deleted)
          throw confluentError(
            'PRECONDITION_FAILED',
            'VERSION_SOFT_DELETED',
            `Subject '${subject}' Version ${entry.version} was soft deleted. Set permanent=true to delete permanently`,
          )
        await service.remove(s.name, String(entry.version), false, principal)
      } else {
        if (!entry.deleted)
          throw confluentError(
            'PRECONDITION_FAILED',
            'VERSION_NOT_SOFT_DELETED',
            `Subject '${subject}' Version ${entry.version} was not deleted first before being permanently deleted`,
          )
        await service.remove(s.name, String(entry.version), true, principal)
      }
      return entry.version
    },

    /** DELETE /subjects/{s}: every version soft-deleted, then (permanent) removed for good. */
    async deleteSubject(subject: string, permanent: boolean, principal: string): Promise<number[]> {
      writable(subject)
      const { s } = existing(subject, true)
      const all = [...s.byVersion.values()]
      if (!permanent && s.active.length === 0)
        throw confluentError(
          'PRECONDITION_FAILED',
          'SUBJECT_SOFT_DELETED',
          `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`,
        )
      if (permanent && s.active.length > 0)
        throw confluentError(
          'PRECONDITION_FAILED',
          'SUBJECT_NOT_SOFT_DELETED',
          `Subject '${subject}' was not deleted first before being permanently deleted`,
        )
      for (const e of all)
        if (ccompat.referencedBy(subject, String(e.version)).length)
          throw confluentError(
            'PRECONDITION_FAILED',
            'REFERENCE_EXISTS',
            `One or more references exist to the schema {subject=${subject}, version=${e.version}}`,
          )
      const done: number[] = []
      for (const e of all) {
        if (!permanent && e.deleted) continue
        await service.remove(s.name, String(e.version), permanent, principal)
        done.push(e.version)
      }
      return done
    },

    /** GET /config[/{s}]: the subject's own level (40408 when it has none, unless `defaultToGlobal`). */
    config(subject: string | undefined, defaultToGlobal: boolean): Mode {
      if (subject === undefined) return memory.defaultMode
      const s = entryOf(target(subject))
      if (s?.compatibility) return s.compatibility
      if (defaultToGlobal) return memory.defaultMode
      if (!s) throw notFound.subject(subject)
      throw confluentError(
        'UNKNOWN_RESOURCE',
        'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
        `Subject '${subject}' does not have subject-level compatibility configured`,
      )
    },

    /** PUT /config[/{s}]: a checked step, as the native PUT /config (the history must satisfy the new level). */
    async setConfig(subject: string | undefined, level: unknown, principal: string): Promise<Mode> {
      if (!isMode(level))
        throw confluentError(
          'BAD_REQUEST',
          'INVALID_COMPATIBILITY_LEVEL',
          `Invalid compatibility level. Valid values are ${MODES.join(', ')}`,
        )
      if (subject === undefined) return service.setMode(undefined, level, principal)
      writable(subject)
      const t = target(subject)
      const s = entryOf(t)
      if (!s) throw notFound.subject(subject)
      if (t.kind === 'resource') return service.setMode(s.name, level, principal)
      await store.setMode(
        s.name,
        level,
        (subjects, storedDefault) => {
          for (const x of subjects) {
            const history = x.versions
              .filter((v) => !v.deleted)
              .map((v) => ({
                version: v.version,
                schema: bundled(
                  JSON.parse(v.body) as JsonObject,
                  v.refs ? (JSON.parse(v.refs) as SchemaReference[]) : [],
                ),
              }))
            const r = admitModeChange(history, x.compatibility ?? storedDefault ?? defaultMode, level, {
              policy,
              name: subject,
            })
            if (!r.ok) throw new ContractError(r.code, r.summary, r.issues)
          }
        },
        principal,
      )
      await service.reload(s.name)
      return level
    },

    /** DELETE /config[/{s}]: back to the configured default (registry), or to following it (subject). Returns the old. */
    async deleteConfig(subject: string | undefined, principal: string): Promise<Mode> {
      const old = ccompat.config(subject, false)
      if (subject === undefined) {
        await service.setMode(undefined, defaultMode, principal)
        return old
      }
      writable(subject)
      const s = entryOf(target(subject)) as SubjectEntry
      await store.clearMode(s.name, principal)
      await service.reload(s.name)
      return old
    },

    /** GET /mode[/{s}]: 40409 for a subject without its own, unless `defaultToGlobal`. */
    mode(subject: string | undefined, defaultToGlobal: boolean): RegistryMode {
      if (subject === undefined || defaultToGlobal) return registryMode(subject)
      const own = memory.settings.get(modeKey(subject))
      if (isRegistryMode(own)) return own
      throw confluentError(
        'UNKNOWN_RESOURCE',
        'SUBJECT_MODE_NOT_CONFIGURED',
        `Subject '${subject}' does not have subject-level mode configured`,
      )
    },

    /** PUT /mode[/{s}] (IMPORT only on an empty registry or subject, unless `force`), DELETE /mode/{s}. */
    async setRegistryMode(
      subject: string | undefined,
      mode: unknown,
      force: boolean,
      principal: string,
    ): Promise<RegistryMode | undefined> {
      if (mode !== null && !isRegistryMode(mode))
        throw confluentError(
          'BAD_REQUEST',
          'INVALID_MODE',
          `Invalid mode. Valid values are ${REGISTRY_MODES.join(', ')}`,
        )
      if (mode === 'IMPORT' && !force) {
        const empty =
          subject === undefined
            ? ccompat.subjects({ deleted: true }).length === 0
            : (entryOf(target(subject))?.byVersion.size ?? 0) === 0
        if (!empty)
          throw notPermitted(
            `Cannot import since found existing subjects${subject === undefined ? '' : ` ('${subject}')`}; set force=true to import anyway`,
          )
      }
      const old = subject === undefined ? undefined : memory.settings.get(modeKey(subject))
      await store.setSetting(subject === undefined ? MODE_KEY : modeKey(subject), mode, principal)
      await service.reloadAll()
      return mode ?? (isRegistryMode(old) ? old : undefined)
    },
  }
  return ccompat
}

export type Ccompat = ReturnType<typeof createCcompat>
