import type { Logger } from 'pino'
import { ContractError, isContractError, RESOURCE_NAME, schemaUri, type Issue } from '../core/index.ts'
import { nestsDeeperThan } from '../core/json.ts'
import { isMode, MODES, type Mode, type Policy } from '../compat/index.ts'
import {
  admitModeChange,
  admitVersion,
  admitVersions,
  readResourceSettings,
  settingsFileOf,
  type AdmissionDifference,
  type AdmissionOptions,
  type HistoryEntry,
  type Refused,
  type ResourceState,
} from '../admission/index.ts'
import { SEED_PRINCIPAL, type SeedSchema } from './config.ts'
import { contentHash, withId, type JsonObject } from './content.ts'
import { createEventSchemas, type EventEntry, type EventSchemas } from './events.ts'
import { Memory, toBytes, type Bytes, type SubjectEntry, type VersionEntry } from './memory.ts'
import type { AuditEntry, AuditQuery, AuditRecord } from './store/audit.ts'
import type { SchemaStore, SeedPlan, SeedVersion, StoredSubject } from './store/store.ts'
import { inlineWork, type Work } from './work/pool.ts'

export interface ServiceOptions {
  store: SchemaStore
  defaultMode: Mode
  policy: Policy
  maxDepth: number
  logger: Logger
  /** Where admission and type compilation run: a worker pool with a time budget (createRegistry), else inline. */
  work?: Work
}

export interface Registration {
  created: boolean
  name: string
  version: number
  uri: string
}

/** A compatibility difference as the API reports it: `against` is the version number compared with. */
export type ReportedDifference = AdmissionDifference

export interface CompatReport {
  compatible: boolean
  mode: Mode
  differences: ReportedDifference[]
}

export const VERSION_PARAM = /^[1-9][0-9]{0,8}$/

export function checkName(name: string): void {
  if (!RESOURCE_NAME.test(name))
    throw new ContractError('BAD_REQUEST', `'${name}' is not a resource name`, [
      {
        path: '/name',
        keyword: 'pattern',
        message: `must match ${String(RESOURCE_NAME)}`,
        params: { pattern: RESOURCE_NAME.source },
      },
    ])
}

const annotation = (schema: JsonObject, keyword: string) =>
  typeof schema[keyword] === 'string' ? (schema[keyword] as string) : undefined

/** A refusal of the admission rule as the error the API answers with (422 / 409), its issues unchanged. */
export const refusalError = (r: Refused, prefix = ''): ContractError =>
  new ContractError(r.code, `${prefix}${r.summary}`, r.issues)

/** One file schemas/ holds that seeding refused (or found edited), with the admission rule's report. */
export interface SeedRefusal {
  file: string
  result: Refused
}

/** Seeding refused the schema tree: nothing was written. `refusals` carries each file's report. */
export class SeedRefused extends ContractError {
  constructor(
    code: Refused['code'],
    message: string,
    readonly refusals: readonly SeedRefusal[],
  ) {
    super(
      code,
      message,
      refusals.flatMap((r) => r.result.issues),
    )
  }
}

/** What seeding did, beyond the counts: warnings for the operator and the modes resource.json changed. */
export interface SeedReport {
  inserted: number
  unchanged: number
  purged: number
  /** e.g. a file for a version deleted permanently: not registered again. */
  warnings: { file: string; message: string }[]
  modeChanges: { name: string; file: string; from: Mode; to: Mode }[]
}

/** What the admission rule needs of a stored subject (storage) or a served one (memory). */
interface SubjectView {
  topic: string
  key: string
  compatibility: Mode | null
  lastVersion: number
  active: readonly HistoryEntry[]
}

const fromStored = (s: StoredSubject): SubjectView => ({
  topic: s.topic,
  key: s.key,
  compatibility: s.compatibility,
  lastVersion: s.lastVersion,
  active: s.versions
    .filter((v) => !v.deleted)
    .map((v) => ({ version: v.version, schema: JSON.parse(v.body) as JsonObject })),
})

const fromMemory = (s: SubjectEntry): SubjectView => ({
  topic: s.topic,
  key: s.key,
  compatibility: s.compatibility,
  // Memory does not know a purged last version; the registration itself judges against storage.
  lastVersion: Math.max(0, ...s.byVersion.keys()),
  active: s.active.map((v) => ({ version: v.version, schema: v.schema })),
})

/** Where a registry resource's mode is changed, for the x-compatibility message. */
const registryModeSource = (name: string, own: Mode | null): string =>
  own === null ? `the registry default: change it with PUT /config/${name}` : `set by PUT /config/${name}`

/** The resource as the admission rule sees it in the registry: its mode is its own, else the default. */
function registryState(name: string, subject: SubjectView | undefined, defaultMode: Mode): ResourceState {
  const own = subject?.compatibility ?? null
  return {
    name,
    ...(subject ? { established: { topic: subject.topic, key: subject.key } } : {}),
    history: subject?.active ?? [],
    lastVersion: subject?.lastVersion ?? 0,
    mode: own ?? defaultMode,
    modeSource: registryModeSource(name, own),
    // Creating a resource stores its first mode: its first version's x-compatibility, if it names one.
    modeOpen: subject === undefined,
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

const notFound = (name: string, version?: number | 'latest') =>
  new ContractError(
    'SCHEMA_NOT_FOUND',
    version === undefined ? `no resource '${name}'` : `no version ${version} of '${name}'`,
  )

/**
 * The registry's behaviour, free of HTTP: reads from memory, writes through the store (which serialises them per
 * resource), then refreshes memory from storage so that every replica converges on the same state.
 */
export function createSchemaService({
  store,
  defaultMode,
  policy,
  maxDepth,
  logger,
  work = inlineWork,
}: ServiceOptions) {
  // Memory asks the event schemas for each loaded version's (never before the first load); they look pending
  // ids up in memory.
  const memory = new Memory(defaultMode, (v, id, hash) => eventSchemas.stored(v, id, hash))
  const eventSchemas: EventSchemas = createEventSchemas({ store, memory })
  const rule: AdmissionOptions = { policy, maxDepth }
  let seedReport: SeedReport | undefined

  // Every change to memory goes through one queue: a slow reload never overwrites a newer one.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn)
    queue = run.catch(() => undefined)
    return run
  }
  // The envelope is loaded before anything is: a loaded version's event schema is derived as it is.
  const reloadAll = () =>
    serial(async () => {
      await eventSchemas.ready()
      memory.replaceAll(await store.snapshot())
    })

  /**
   * Runs an authorised write. Its audit row is written by the store in the write's transaction; a refusal rolls
   * that back, so it is recorded here, on its own (storage failures are not refusals: nothing to record).
   */
  async function audited<T>(
    attempt: Omit<AuditRecord, 'outcome' | 'detail'>,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run()
    } catch (e) {
      if (isContractError(e) && e.code !== 'REGISTRY_UNAVAILABLE')
        await store
          .record({ ...attempt, outcome: 'refused', detail: `${e.code}: ${e.message}` })
          .catch((err: unknown) =>
            logger.warn({ err, attempt }, 'a refused write is missing from the audit trail'),
          )
      throw e
    }
  }
  const reload = (name: string) =>
    serial(async () => {
      await eventSchemas.ready()
      memory.apply(name, await store.subject(name))
    })

  /** A body that is not even an object is refused before anything is read from storage. */
  function asObject(name: string, body: unknown): JsonObject {
    // Hashing and the copy to a worker walk it recursively: nested past the call stack, either would be a 500.
    if (nestsDeeperThan(body, maxDepth))
      throw new ContractError('SCHEMA_INVALID', `nested deeper than ${maxDepth} levels`, [
        {
          path: '',
          keyword: 'maxDepth',
          message: `nested deeper than ${maxDepth} levels`,
          params: { limit: maxDepth },
        },
      ])
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as JsonObject
    const r = admitVersion(
      { version: 1, schema: body, origin: 'registry' },
      registryState(name, undefined, defaultMode),
      rule,
    )
    if (!r.ok) throw refusalError(r)
    throw new Error('the admission rule admitted a schema that is not an object')
  }

  /** Seeding one resource, under its lock: which files are stored, new, purged or edited, and what to write. */
  function planSeed(
    name: string,
    files: readonly SeedSchema[],
    subject: StoredSubject | undefined,
    storedDefault: Mode | null,
    report: SeedReport,
    refusals: SeedRefusal[],
  ): SeedPlan {
    const settingsFile = files.find((f) => f.resource)?.resource?.file ?? settingsFileOf(name)
    const settings = readResourceSettings(files.find((f) => f.resource)?.resource?.json)
    if (!settings.ok) {
      refusals.push({ file: settingsFile, result: settings })
      return { insert: [], abort: true }
    }
    const view = subject && fromStored(subject)
    const own = subject?.compatibility ?? null
    const effective = own ?? storedDefault ?? defaultMode
    const fresh: SeedSchema[] = []
    let abort = false
    for (const f of files) {
      const stored = subject?.versions.find((v) => v.version === f.version)
      if (stored) {
        const uri = schemaUri(name, f.version)
        if (stored.hash === contentHash(f.schema) && f.schema.$id === uri) report.unchanged++
        else {
          abort = true
          const edited = stored.hash !== contentHash(f.schema)
          refusals.push({
            file: f.file,
            result: {
              ok: false,
              code: 'SCHEMA_CONFLICT',
              summary: edited
                ? `differs from the stored ${name} ${f.version}: a published version is never edited, add a new version file instead`
                : `its $id is not the stored version's`,
              issues: [
                edited
                  ? {
                      path: '',
                      keyword: 'stored-content',
                      message: `${f.file} differs from the stored version ${f.version} of '${name}'`,
                      params: { name, version: f.version },
                    }
                  : {
                      path: '/$id',
                      keyword: '$id',
                      message: `$id must be '${uri}', found ${JSON.stringify(f.schema.$id) ?? 'none'}`,
                      params: { allowedValue: uri },
                    },
              ],
            },
          })
        }
      } else if (subject && f.version <= subject.lastVersion) {
        report.purged++
        report.warnings.push({
          file: f.file,
          message: `version ${f.version} of '${name}' was deleted permanently; ${f.file} is not registered again (remove the file to silence this)`,
        })
      } else fresh.push(f)
    }
    // The mode: resource.json's when it names one, applied to a stored resource only through the checked step.
    let mode = effective
    let modeSource = `${registryModeSource(name, own)}, or set it in ${settingsFile}`
    let change: Mode | undefined
    if (settings.value.explicit) {
      mode = settings.value.compatibility
      modeSource = `set in ${settingsFile}`
      if (view && own !== mode) {
        const r = admitModeChange(view.active, effective, mode, { policy, name })
        if (!r.ok) {
          abort = true
          refusals.push({ file: settingsFile, result: r })
        } else {
          change = mode
          if (effective !== mode)
            report.modeChanges.push({ name, file: settingsFile, from: effective, to: mode })
        }
      }
    }
    const seq = admitVersions(
      { ...registryState(name, view, mode), mode, modeSource, modeOpen: false },
      fresh.map((f) => ({ version: f.version, schema: f.schema, origin: 'file' as const })),
      rule,
    )
    for (const r of seq.refused)
      refusals.push({
        file: fresh.find((f) => f.version === r.version)?.file ?? `${name} ${r.version}`,
        result: r.result,
      })
    if (seq.refused.length) abort = true
    const insert: SeedVersion[] = seq.admitted.map((a) => {
      const body = JSON.stringify(a.schema)
      return {
        name,
        version: a.version,
        uri: a.uri,
        hash: contentHash(a.schema),
        body,
        eventIdHash: eventSchemas.hashOf({
          name,
          version: a.version,
          uri: a.uri,
          schema: JSON.parse(body) as JsonObject,
        }),
      }
    })
    report.inserted += insert.length
    const first = seq.admitted[0]
    return {
      insert,
      abort,
      ...(change ? { mode: change } : {}),
      ...(!subject && first
        ? {
            create: {
              topic: first.topic,
              key: first.key,
              compatibility: settings.value.explicit ? settings.value.compatibility : null,
            },
          }
        : {}),
    }
  }

  const service = {
    memory,
    reloadAll,
    reload,

    /**
     * Registers what schemas/ holds and storage does not, each file admitted by the rule against its predecessors
     * (stored and earlier files) under the resource's mode, a resource.json mode that differs from the stored one
     * applied through the checked mode change. All or nothing: a refused file, or a stored version whose file was
     * edited, and nothing is written (SeedRefused, each file's report). Files of permanently deleted versions are
     * skipped with a warning in `seedReport`.
     */
    async seed(
      files: readonly SeedSchema[],
    ): Promise<{ inserted: number; unchanged: number; purged: number }> {
      const byName = new Map<string, SeedSchema[]>()
      for (const f of files) byName.set(f.name, [...(byName.get(f.name) ?? []), f])
      for (const list of byName.values()) list.sort((a, b) => a.version - b.version)
      const report: SeedReport = { inserted: 0, unchanged: 0, purged: 0, warnings: [], modeChanges: [] }
      const refusals: SeedRefusal[] = []
      await eventSchemas.ready()
      const outcome = await store.seed(
        [...byName.keys()],
        (name, subject, storedDefault) =>
          planSeed(name, byName.get(name) ?? [], subject, storedDefault, report, refusals),
        SEED_PRINCIPAL,
      )
      if (outcome === 'aborted') {
        const edited = refusals.filter((r) => r.result.issues[0]?.keyword === 'stored-content')
        const parts: string[] = []
        if (edited.length)
          parts.push(
            `stored schemas differ from their files: ${edited.map((r) => `${r.result.issues[0]?.params?.name} ${r.result.issues[0]?.params?.version}`).join(', ')}; a published version is never edited: add a new version file instead`,
          )
        const refused = refusals.filter((r) => !edited.includes(r))
        if (refused.length)
          parts.push(
            `the admission rule refuses ${refused.map((r) => `${r.file} (${r.result.summary})`).join(', ')}`,
          )
        const code = edited.length ? 'SCHEMA_CONFLICT' : (refused[0]?.result.code ?? 'SCHEMA_CONFLICT')
        throw new SeedRefused(code, parts.join('; '), [...edited, ...refused])
      }
      for (const w of report.warnings) logger.warn({ file: w.file }, w.message)
      seedReport = report
      return { inserted: report.inserted, unchanged: report.unchanged, purged: report.purged }
    },

    /** What the last seed did, warnings and mode changes included (`contracts serve` prints it at start). */
    get seedReport(): SeedReport | undefined {
      return seedReport
    },

    list: () => memory.listBytes,

    subject(name: string): SubjectEntry {
      const s = memory.subjects.get(name)
      if (!s?.latest || s.kind !== 'resource')
        throw new ContractError('UNKNOWN_RESOURCE', `no resource '${name}'`)
      return s
    },

    version(name: string, version: string): VersionEntry {
      const found = memory.subjects.get(name)
      const s = found?.kind === 'resource' ? found : undefined
      const v =
        version === 'latest'
          ? s?.latest
          : VERSION_PARAM.test(version)
            ? s?.byVersion.get(Number(version))
            : undefined
      if (!v || v.deleted) throw notFound(name, version === 'latest' ? 'latest' : Number(version))
      return v
    },

    /** A version's event schema (the whole envelope) and its global schema id, assigned by its registration. */
    event(entry: VersionEntry): Promise<EventEntry> {
      return eventSchemas.of(entry)
    },

    /** The event schema with schema id `id`; undefined: the id is no version's event schema. */
    eventById(id: number): Promise<EventEntry | undefined> {
      return eventSchemas.byId(id)
    },

    resolve(uri: string): VersionEntry {
      const v = memory.byUri.get(uri)
      if (!v) throw new ContractError('SCHEMA_NOT_FOUND', `no schema registered as '${uri}'`)
      return v
    },

    /**
     * The version's types, compiled once (in the pool). A version never changes, so a refusal (SCHEMA_INVALID,
     * TOO_COMPLEX) is kept like a result; a busy pool or a failure of ours is tried again next time.
     */
    types(entry: VersionEntry): Promise<Bytes> {
      entry.types ??= work.types(entry.schema, entry.uri).then(toBytes)
      entry.types.catch((e: unknown) => {
        if (!isContractError(e, 'SCHEMA_INVALID') && !isContractError(e, 'TOO_COMPLEX'))
          entry.types = undefined
      })
      return entry.types
    },

    /** Registers a version as `principal` (a token's name): recorded in the audit trail, refused or not. */
    register(
      name: string,
      body: unknown,
      principal: string,
      options: { schemaId?: number } = {},
    ): Promise<Registration> {
      return audited({ principal, action: 'register', resource: name, version: null }, async () => {
        checkName(name)
        const schema = asObject(name, body)
        const hash = contentHash(schema)
        const givenId = schema.$id
        await eventSchemas.ready()
        // Read without judging: the rule judges below, against the subject as stored, under the lock.
        const compatibility = schema['x-compatibility']
        const { created, version } = await store.register(
          {
            name,
            hash,
            topic: annotation(schema, 'x-topic'),
            key: annotation(schema, 'x-key'),
            compatibility: isMode(compatibility) ? compatibility : undefined,
            uri: (v) => schemaUri(name, v),
            body: (_v, uri) => JSON.stringify(withId(schema, uri)),
            // Its event schema's id is assigned with it, in its transaction (events.ts).
            eventIdHash: (version, uri, body) =>
              eventSchemas.hashOf({ name, version, uri, schema: JSON.parse(body) as JsonObject }),
            ...(options.schemaId === undefined ? {} : { schemaId: options.schemaId }),
            // Identical content under another $id is refused in the transaction, so the trail has no no-op for it.
            existing: (stored) => {
              if (givenId !== undefined && givenId !== stored.uri)
                throw new ContractError(
                  'SCHEMA_CONFLICT',
                  `this content is already version ${stored.version} ('${stored.uri}'), not '${String(givenId)}'`,
                  [
                    {
                      path: '/$id',
                      keyword: '$id',
                      message: `must be '${stored.uri}'`,
                      params: { allowedValue: stored.uri },
                    },
                  ],
                )
            },
          },
          async (subject, storedDefault) => {
            const state = registryState(name, subject && fromStored(subject), storedDefault ?? defaultMode)
            // In the work pool: a large schema's compatibility check never holds the event loop.
            const r = await work.admit(
              { version: (state.lastVersion ?? 0) + 1, schema, origin: 'registry' },
              state,
              rule,
            )
            if (!r.ok) throw refusalError(r)
          },
          principal,
        )
        if (created) await reload(name)
        return { created, name, version: version.version, uri: version.uri }
      })
    },

    /**
     * The rule a registration would apply, without registering: a compatibility refusal is reported
     * (`compatible: false` and every difference), any other refusal answered as the registration would be.
     * A resource with no versions yet is compatible.
     */
    async compatibility(name: string, body: unknown): Promise<CompatReport> {
      checkName(name)
      const schema = asObject(name, body)
      const s = memory.subjects.get(name)
      const state = registryState(name, s && fromMemory(s), memory.defaultMode)
      const r = await work.admit(
        { version: (state.lastVersion ?? 0) + 1, schema, origin: 'registry' },
        state,
        rule,
      )
      if (r.ok) return { compatible: true, mode: r.value.mode, differences: [...r.value.differences] }
      const differences = r.differences ?? []
      if (
        r.code !== 'INCOMPATIBLE_SCHEMA' ||
        differences.filter((d) => d.breaking).length !== r.issues.length
      )
        throw refusalError(r)
      return { compatible: false, mode: state.mode, differences: [...differences] }
    },

    mode(name?: string): Mode {
      if (name === undefined) return memory.defaultMode
      return memory.modeOf(service.subject(name))
    },

    /**
     * Changes a resource's mode (or the default, for every resource without its own): a separate, checked step.
     * The history must satisfy the new mode (admitModeChange); refused: 409 INCOMPATIBLE_SCHEMA with each difference.
     */
    setMode(name: string | undefined, mode: unknown, principal: string): Promise<Mode> {
      return audited({ principal, action: 'set-mode', resource: name ?? null, version: null }, async () =>
        setMode(name, mode, principal),
      )
    },

    /** The audit trail, newest first (GET /audit). */
    audit: (query: AuditQuery): Promise<AuditEntry[]> => store.audit(query),

    remove(
      name: string,
      version: string,
      permanent: boolean,
      principal: string,
    ): Promise<{ name: string; version: number; deleted: 'soft' | 'permanent' }> {
      return audited(
        {
          principal,
          action: permanent ? 'permanent-delete' : 'soft-delete',
          resource: name,
          version: VERSION_PARAM.test(version) ? Number(version) : null,
        },
        () => remove(name, version, permanent, principal),
      )
    },
  }

  async function setMode(name: string | undefined, mode: unknown, principal: string): Promise<Mode> {
    if (!isMode(mode))
      throw new ContractError('BAD_REQUEST', 'compatibility must be a mode', [
        {
          path: '/compatibility',
          keyword: 'enum',
          message: `must be one of ${MODES.join(', ')}`,
        },
      ])
    if (name !== undefined) service.subject(name)
    await store.setMode(
      name ?? null,
      mode,
      (subjects, storedDefault) => {
        const issues: Issue[] = []
        const refused: string[] = []
        for (const s of subjects) {
          const from = s.compatibility ?? storedDefault ?? defaultMode
          const r = admitModeChange(fromStored(s).active, from, mode, { policy, name: s.name })
          if (r.ok) continue
          if (name !== undefined) throw refusalError(r)
          refused.push(s.name)
          issues.push(
            ...r.issues.map((i) => ({
              ...i,
              message: `${s.name}: ${i.message}`,
              params: { ...i.params, resource: s.name },
            })),
          )
        }
        if (issues.length)
          throw new ContractError(
            'INCOMPATIBLE_SCHEMA',
            `default mode ${mode} refused: the history of ${refused.join(', ')} is not ${mode} compatible (${plural(issues.length, 'breaking difference')})`,
            issues,
          )
      },
      principal,
    )
    await (name === undefined ? reloadAll() : reload(name))
    return mode
  }

  async function remove(
    name: string,
    version: string,
    permanent: boolean,
    principal: string,
  ): Promise<{ name: string; version: number; deleted: 'soft' | 'permanent' }> {
    if (!VERSION_PARAM.test(version))
      throw new ContractError('BAD_REQUEST', `'${version}' is not a version number`)
    const n = Number(version)
    if (!permanent) {
      if (!(await store.softDelete(name, n, principal))) throw notFound(name, n)
    } else {
      const r = await store.purge(name, n, principal)
      if (r === 'not-found') throw notFound(name, n)
      if (r === 'not-soft-deleted')
        throw new ContractError(
          'PRECONDITION_FAILED',
          `version ${n} of '${name}' must be soft-deleted before it is deleted permanently`,
          [
            {
              path: '',
              keyword: 'soft-delete-first',
              message: `DELETE /schemas/${name}/versions/${n} first`,
            },
          ],
        )
    }
    await reload(name)
    return { name, version: n, deleted: permanent ? 'permanent' : 'soft' }
  }

  return service
}

export type SchemaService = ReturnType<typeof createSchemaService>
