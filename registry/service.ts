import type { Logger } from 'pino'
import { ContractError, RESOURCE_NAME, schemaUri, type Issue } from '../core/index.ts'
import {
  checkTransitive,
  isMode,
  type CompatResult,
  type Difference,
  type Mode,
  type Policy,
} from '../compat/index.ts'
import type { SeedSchema } from './config.ts'
import { checkStructure, contentHash, createSchemaChecker, withId, type JsonObject } from './content.ts'
import { Memory, toBytes, type Bytes, type SubjectEntry, type VersionEntry } from './memory.ts'
import type { SchemaStore, SeedVersion, StoredSubject } from './store/store.ts'
import { schemaTypes } from '../codegen/types-ts.ts'

export interface ServiceOptions {
  store: SchemaStore
  defaultMode: Mode
  policy: Policy
  maxDepth: number
  logger: Logger
}

export interface Registration {
  created: boolean
  name: string
  version: number
  uri: string
}

/** A compatibility difference as the API reports it: `against` is the version number compared with. */
export type ReportedDifference = Omit<Difference, 'against'> & { against?: number }

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

const notFound = (name: string, version?: number | 'latest') =>
  new ContractError(
    'SCHEMA_NOT_FOUND',
    version === undefined ? `no resource '${name}'` : `no version ${version} of '${name}'`,
  )

/**
 * The registry's behaviour, free of HTTP: reads from memory, writes through the store (which serialises them per
 * resource), then refreshes memory from storage so that every replica converges on the same state.
 */
export function createSchemaService({ store, defaultMode, policy, maxDepth, logger }: ServiceOptions) {
  const memory = new Memory(defaultMode)
  const checkSchema = createSchemaChecker()

  // Every change to memory goes through one queue: a slow reload never overwrites a newer one.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn)
    queue = run.catch(() => undefined)
    return run
  }
  const reloadAll = () => serial(async () => memory.replaceAll(await store.snapshot()))
  const reload = (name: string) => serial(async () => memory.apply(name, await store.subject(name)))

  /** Body → a checked schema object; throws SCHEMA_INVALID with every issue found. */
  function validated(body: unknown): JsonObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new ContractError('SCHEMA_INVALID', 'a contract schema is a JSON object', [
        { path: '', keyword: 'type', message: 'must be object' },
      ])
    const schema = body as JsonObject
    checkStructure(schema, maxDepth)
    checkSchema(schema)
    return schema
  }

  /** The topic/key rules: a new resource names both; later versions keep them; the key is a required property. */
  function annotations(
    name: string,
    schema: JsonObject,
    subject: Pick<StoredSubject, 'topic' | 'key'> | undefined,
  ) {
    const topic = annotation(schema, 'x-topic')
    const key = annotation(schema, 'x-key')
    if (!subject) {
      const missing: Issue[] = []
      if (!topic)
        missing.push({
          path: '/x-topic',
          keyword: 'required',
          message: `a new resource needs x-topic (its Kafka topic)`,
        })
      if (!key)
        missing.push({
          path: '/x-key',
          keyword: 'required',
          message: `a new resource needs x-key (its partition-key property)`,
        })
      if (missing.length)
        throw new ContractError(
          'SCHEMA_INVALID',
          `'${name}' is a new resource: x-topic and x-key are required`,
          missing,
        )
    } else {
      const changed: Issue[] = []
      if (topic !== undefined && topic !== subject.topic)
        changed.push({
          path: '/x-topic',
          keyword: 'const',
          message: `must stay '${subject.topic}'`,
          params: { allowedValue: subject.topic },
        })
      if (key !== undefined && key !== subject.key)
        changed.push({
          path: '/x-key',
          keyword: 'const',
          message: `must stay '${subject.key}'`,
          params: { allowedValue: subject.key },
        })
      if (changed.length)
        throw new ContractError('SCHEMA_CONFLICT', `the topic and key of '${name}' never change`, changed)
    }
    const effectiveKey = key ?? subject?.key
    const required = Array.isArray(schema.required) ? schema.required : []
    if (effectiveKey !== undefined && !required.includes(effectiveKey))
      throw new ContractError(
        'SCHEMA_INVALID',
        `the partition key '${effectiveKey}' must be a required property`,
        [
          {
            path: '/required',
            keyword: 'x-key',
            message: `must include '${effectiveKey}'`,
            params: { key: effectiveKey },
          },
        ],
      )
    const compatibility = schema['x-compatibility']
    return {
      topic: topic ?? subject?.topic,
      key: effectiveKey,
      compatibility: isMode(compatibility) ? compatibility : undefined,
    }
  }

  function compare(
    history: readonly { version: number; schema: JsonObject }[],
    next: JsonObject,
    mode: Mode,
  ): CompatReport {
    const result: CompatResult = checkTransitive(
      history.map((h) => h.schema),
      next,
      { mode, policy },
    )
    return {
      compatible: result.compatible,
      mode,
      differences: result.differences.map(({ against, ...d }) => ({
        ...d,
        ...(against === undefined ? {} : { against: history[against - 1]?.version }),
      })),
    }
  }

  function incompatible(name: string, report: CompatReport): ContractError {
    const breaking = report.differences.filter((d) => d.breaking)
    return new ContractError(
      'INCOMPATIBLE_SCHEMA',
      `not ${report.mode} compatible with ${name}: ${breaking.length} breaking difference${breaking.length === 1 ? '' : 's'}`,
      breaking.map((d) => ({
        path: d.path,
        keyword: d.kind,
        message: d.message,
        params: {
          kind: d.kind,
          previous: d.previous,
          next: d.next,
          direction: d.direction,
          against: d.against,
        },
      })),
    )
  }

  const service = {
    memory,
    reloadAll,
    reload,

    /** Registers what schemas/ holds and storage does not; refuses when a stored version differs from its file. */
    async seed(
      files: readonly SeedSchema[],
    ): Promise<{ inserted: number; unchanged: number; purged: number }> {
      const seeds: SeedVersion[] = []
      for (const f of files) {
        const uri = schemaUri(f.name, f.version)
        if (f.schema.$id !== uri)
          throw new ContractError('SCHEMA_CONFLICT', `${f.file}: $id must be '${uri}'`, [
            { path: '/$id', keyword: 'const', message: `must be '${uri}'` },
          ])
        try {
          const schema = validated(f.schema)
          const a = annotations(f.name, schema, undefined)
          seeds.push({
            name: f.name,
            version: f.version,
            uri,
            hash: contentHash(schema),
            body: JSON.stringify(schema),
            topic: a.topic as string,
            key: a.key as string,
            compatibility: a.compatibility,
          })
        } catch (e) {
          if (e instanceof ContractError)
            throw new ContractError(e.code, `${f.file}: ${e.message}`, e.issues, { cause: e })
          throw e
        }
      }
      const outcomes = await store.seed(seeds)
      const differs = outcomes.flatMap((o) => (o.status === 'differs' ? [o] : []))
      if (differs.length)
        throw new ContractError(
          'SCHEMA_CONFLICT',
          `stored schemas differ from their files: ${differs.map((o) => `${o.seed.name} ${o.seed.version}`).join(', ')}; a published version is never edited: add a new version file instead`,
          differs.map((o) => ({
            path: `/${o.seed.name}/${o.seed.version}`,
            keyword: 'stored-content',
            message: `${files.find((f) => f.name === o.seed.name && f.version === o.seed.version)?.file ?? o.seed.uri} differs from the stored version`,
          })),
        )
      for (const o of outcomes)
        if (o.status === 'purged')
          logger.warn(
            { name: o.seed.name, version: o.seed.version },
            'seed skipped: that version was permanently deleted',
          )
      const count = (s: string) => outcomes.filter((o) => o.status === s).length
      return { inserted: count('inserted'), unchanged: count('unchanged'), purged: count('purged') }
    },

    list: () => memory.listBytes,

    subject(name: string): SubjectEntry {
      const s = memory.subjects.get(name)
      if (!s?.latest) throw new ContractError('UNKNOWN_RESOURCE', `no resource '${name}'`)
      return s
    },

    version(name: string, version: string): VersionEntry {
      const s = memory.subjects.get(name)
      const v =
        version === 'latest'
          ? s?.latest
          : VERSION_PARAM.test(version)
            ? s?.byVersion.get(Number(version))
            : undefined
      if (!v || v.deleted) throw notFound(name, version === 'latest' ? 'latest' : Number(version))
      return v
    },

    resolve(uri: string): VersionEntry {
      const v = memory.byUri.get(uri)
      if (!v) throw new ContractError('SCHEMA_NOT_FOUND', `no schema registered as '${uri}'`)
      return v
    },

    types(entry: VersionEntry): Promise<Bytes> {
      entry.types ??= schemaTypes(entry.schema, entry.uri).then(toBytes)
      entry.types.catch(() => {
        entry.types = undefined
      })
      return entry.types
    },

    async register(name: string, body: unknown): Promise<Registration> {
      checkName(name)
      const schema = validated(body)
      const hash = contentHash(schema)
      const givenId = schema.$id
      // Read without judging: the gate below judges against the subject as stored, under the lock.
      const compatibility = schema['x-compatibility']
      const pre = {
        topic: annotation(schema, 'x-topic'),
        key: annotation(schema, 'x-key'),
        compatibility: isMode(compatibility) ? compatibility : undefined,
      }
      const { created, version } = await store.register(
        {
          name,
          hash,
          topic: pre.topic,
          key: pre.key,
          compatibility: pre.compatibility,
          uri: (v) => schemaUri(name, v),
          body: (_v, uri) => JSON.stringify(withId(schema, uri)),
        },
        (subject, storedDefault) => {
          annotations(name, schema, subject)
          const next = (subject?.lastVersion ?? 0) + 1
          if (givenId !== undefined && givenId !== schemaUri(name, next))
            throw new ContractError(
              'SCHEMA_CONFLICT',
              `$id must be absent or '${schemaUri(name, next)}': the registry assigns it`,
              [
                {
                  path: '/$id',
                  keyword: 'const',
                  message: `must be '${schemaUri(name, next)}'`,
                  params: { allowedValue: schemaUri(name, next) },
                },
              ],
            )
          const mode = subject?.compatibility ?? storedDefault ?? defaultMode
          const history = (subject?.versions ?? [])
            .filter((v) => !v.deleted)
            .map((v) => ({ version: v.version, schema: JSON.parse(v.body) as JsonObject }))
          const report = compare(history, schema, mode)
          if (!report.compatible) throw incompatible(name, report)
        },
      )
      if (!created && givenId !== undefined && givenId !== version.uri)
        throw new ContractError(
          'SCHEMA_CONFLICT',
          `this content is already version ${version.version} ('${version.uri}'), not '${String(givenId)}'`,
          [
            {
              path: '/$id',
              keyword: 'const',
              message: `must be '${version.uri}'`,
              params: { allowedValue: version.uri },
            },
          ],
        )
      if (created) await reload(name)
      return { created, name, version: version.version, uri: version.uri }
    },

    /** The check a registration would make, without registering. A resource with no versions yet is compatible. */
    compatibility(name: string, body: unknown): CompatReport {
      checkName(name)
      const schema = validated(body)
      const s = memory.subjects.get(name)
      return compare(s?.active ?? [], schema, memory.modeOf(s))
    },

    mode(name?: string): Mode {
      if (name === undefined) return memory.defaultMode
      return memory.modeOf(service.subject(name))
    },

    async setMode(name: string | undefined, mode: unknown): Promise<Mode> {
      if (!isMode(mode))
        throw new ContractError('BAD_REQUEST', 'compatibility must be a mode', [
          {
            path: '/compatibility',
            keyword: 'enum',
            message:
              'must be one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE',
          },
        ])
      if (name !== undefined) service.subject(name)
      await store.setMode(name ?? null, mode)
      await (name === undefined ? reloadAll() : reload(name))
      return mode
    },

    async remove(
      name: string,
      version: string,
      permanent: boolean,
    ): Promise<{ name: string; version: number; deleted: 'soft' | 'permanent' }> {
      if (!VERSION_PARAM.test(version))
        throw new ContractError('BAD_REQUEST', `'${version}' is not a version number`)
      const n = Number(version)
      if (!permanent) {
        if (!(await store.softDelete(name, n))) throw notFound(name, n)
      } else {
        const r = await store.purge(name, n)
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
    },
  }
  return service
}

export type SchemaService = ReturnType<typeof createSchemaService>
