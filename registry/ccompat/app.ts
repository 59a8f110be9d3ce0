import type { IncomingMessage, ServerResponse } from 'node:http'
import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import type { Authorize, Need, Principal } from '../../http/auth.ts'
import { WWW_AUTHENTICATE } from '../../http/auth.ts'
import { readJson } from '../../http/body.ts'
import type { Bytes, SchemaReference, VersionEntry } from '../memory.ts'
import type { EventEntry } from '../events.ts'
import { toBytes } from '../memory.ts'
import { logRequest } from '../http/access-log.ts'
import type { Metrics } from '../http/metrics.ts'
import { confluentError, toConfluent } from './errors.ts'
import { differenceMessage, type Ccompat, type Found, type RegisterInput } from './service.ts'

export interface CcompatAppOptions {
  ccompat: Ccompat
  authorize: Authorize
  logger: Logger
  metrics: Metrics
  maxBodyBytes: number
  /** Where the app is mounted (`/ccompat`): the route label of metrics starts with it. */
  path: string
}

/** What every answer is sent as; requests may also say application/vnd.schemaregistry+json or application/json. */
export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'
const ACCEPTED = new Set([CONTENT_TYPE, 'application/vnd.schemaregistry+json', 'application/json'])
const HEADERS = { 'content-type': CONTENT_TYPE }

type Endpoint = (c: Context) => Response | Promise<Response>

const send = (c: Context, value: unknown, status = 200): Response =>
  c.body(JSON.stringify(value), status as ContentfulStatusCode, HEADERS)
const sendBytes = (c: Context, bytes: Bytes): Response => c.body(bytes, 200, HEADERS)

const flag = (c: Context, name: string): boolean => c.req.query(name) === 'true'
const p = (c: Context, name: string): string => c.req.param(name) ?? ''

/** The `{schema, schemaType?, references?}` of a version (what /schemas/ids/{id} answers), serialised once. */
function cached(entry: VersionEntry, key: string, make: () => unknown): Bytes {
  entry.ccompat ??= new Map()
  let bytes = entry.ccompat.get(key)
  if (!bytes) {
    bytes = toBytes(JSON.stringify(make()))
    entry.ccompat.set(key, bytes)
  }
  return bytes
}

const decoder = new TextDecoder()
const schemaString = (e: VersionEntry): string => decoder.decode(e.bytes)
const refsOf = (e: VersionEntry): { references?: readonly SchemaReference[] } =>
  e.references.length ? { references: e.references } : {}

const ID = /^[1-9][0-9]{0,9}$/

/** What `/schemas/ids/{id}` answers for a stored version: its first subject's, serialised once. */
const idBytes = (first: VersionEntry): Bytes =>
  cached(first, 'id', () => ({ schemaType: 'JSON', schema: schemaString(first), ...refsOf(first) }))

/** Confluent's 40403 for an id (or spelling) nobody has. */
const unknownId = (raw: string) =>
  confluentError('SCHEMA_NOT_FOUND', 'SCHEMA_NOT_FOUND', `Schema ${raw} not found`)

/** A node:http handler that answers some requests itself and says so (true), or leaves them to the app (false). */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean

/**
 * `GET <path>/schemas/ids/{id}` answered on node:http before hono: what Confluent deserializers ask for every id
 * they do not know yet, so the registry's most frequent request. Only the plain spelling (`/schemas/ids/123`, no
 * query, no escapes) and only what memory settles (a stored version, a known event schema, an id nobody has while
 * no version's event schema id is pending); anything else (`HEAD`, a query, `%31`, a pending id) goes to the app.
 * Same bytes, status, headers, log line and metrics as the app's route (test/registry/ccompat-ids.test.ts).
 */
export function createCcompatFastPath({
  ccompat,
  logger,
  metrics,
  path,
}: Pick<CcompatAppOptions, 'ccompat' | 'logger' | 'metrics' | 'path'>): FastPath {
  const prefix = `${path}/schemas/ids/`
  const label = `${path}/schemas/ids/:id`
  const { memory } = ccompat
  return (req, res) => {
    const url = req.url
    if (req.method !== 'GET' || url === undefined || !url.startsWith(prefix)) return false
    const start = performance.now()
    const raw = url.slice(prefix.length)
    if (!ID.test(raw)) return false
    const id = Number(raw)
    const list = memory.byId.get(id)
    let status = 200
    let bytes: Bytes
    if (list?.length) bytes = idBytes(list[0] as VersionEntry)
    else {
      const event = memory.byEventId.get(id)
      if (event) bytes = event.ccompatBytes
      else if (memory.eventsPending === 0) {
        const { status: s, body } = toConfluent(unknownId(raw))
        status = s
        bytes = toBytes(JSON.stringify(body))
      } else return false
    }
    res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': bytes.length })
    res.end(bytes)
    const ms = performance.now() - start
    metrics.request('GET', label, status, ms / 1000)
    logRequest(logger, 'GET', url, status, ms)
    return true
  }
}

/**
 * Confluent Schema Registry's REST API (JSON Schema only) over the registry's service, store and memory: a hono
 * app of its own, mounted under a prefix, because everything at its edge differs from the native route table's:
 * its errors are `{error_code, message}`, its subjects any string and its versions `latest` or `-1`, its content
 * types its own; and it is not part of /openapi.json (Confluent publishes its own description).
 */
/** Its routes carry the full path (`/ccompat/…`): mount it with `app.route('/', …)`. */
export function createCcompatApp({
  ccompat,
  authorize,
  logger,
  metrics,
  maxBodyBytes,
  path,
}: CcompatAppOptions): Hono {
  const app = new Hono()

  const fail = (c: Context, err: unknown): Response => {
    const { status, body } = toConfluent(err)
    if (status >= 500) logger.error({ err, path: c.req.path }, 'request failed')
    const headers: Record<string, string> = { ...HEADERS }
    if (status === 401) headers['www-authenticate'] = WWW_AUTHENTICATE
    return c.body(JSON.stringify(body), status as ContentfulStatusCode, headers)
  }
  const observe = (c: Context, label: string, start: number, res: Response): Response => {
    const ms = performance.now() - start
    metrics.request(c.req.method, label, res.status, ms / 1000)
    logRequest(logger, c.req.method, c.req.path, res.status, ms)
    return res
  }
  /** One route: timed, logged, counted; whatever it throws becomes Confluent's error. Synchronous stays synchronous. */
  const on = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, endpoint: Endpoint) => {
    const label = `${path}${route}`
    // Clients call `<base>/` for the root: both spellings are served.
    app.on(method, route === '/' ? [path, `${path}/`] : [label], (c) => {
      const start = performance.now()
      let r: Response | Promise<Response>
      try {
        r = endpoint(c)
      } catch (err) {
        return observe(c, label, start, fail(c, err))
      }
      if (r instanceof Promise)
        return r.then(
          (res) => observe(c, label, start, res),
          (err: unknown) => observe(c, label, start, fail(c, err)),
        )
      return observe(c, label, start, r)
    })
  }

  const principal = (c: Context, need: Need): Principal => authorize(c.req.header('authorization'), need)
  const admin = (c: Context) => principal(c, { admin: true })
  /** A registration names what it writes as the native API does: the resource, or the plain subject's storage name. */
  const writer = (c: Context, subject: string) => {
    const t = ccompat.target(subject)
    return principal(c, { write: t.kind === 'resource' ? (t.name ?? t.topic) : subject, path: '/subject' })
  }

  async function body(c: Context): Promise<Record<string, unknown>> {
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (type && !ACCEPTED.has(type))
      throw confluentError(
        'BAD_REQUEST',
        'INVALID_SCHEMA',
        `content type ${type} is not accepted: send ${[...ACCEPTED].join(', ')}`,
      )
    const value = await readJson(c, maxBodyBytes)
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw confluentError('BAD_REQUEST', 'INVALID_SCHEMA', 'the body must be a JSON object')
    return value as Record<string, unknown>
  }

  async function registerInput(c: Context): Promise<RegisterInput> {
    const b = await body(c)
    const { schema, schemaType, references, id, version } = b
    const bad = (m: string) => confluentError('SCHEMA_INVALID', 'INVALID_SCHEMA', m)
    if (typeof schema !== 'string') throw bad('schema must be a string holding the schema')
    if (schemaType !== undefined && typeof schemaType !== 'string') throw bad('schemaType must be a string')
    if (references !== undefined && !Array.isArray(references)) throw bad('references must be an array')
    for (const r of (references ?? []) as unknown[]) {
      const x = r as Record<string, unknown> | null
      if (
        x === null ||
        typeof x !== 'object' ||
        typeof x.name !== 'string' ||
        typeof x.subject !== 'string' ||
        !Number.isInteger(x.version)
      )
        throw bad('each reference is {name: string, subject: string, version: integer}')
    }
    const positive = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 2 ** 31 - 1
    if (id !== undefined && !positive(id)) throw bad('id must be an integer between 1 and 2^31-1')
    if (version !== undefined && version !== -1 && !positive(version))
      throw confluentError(
        'BAD_REQUEST',
        'INVALID_VERSION',
        'version must be an integer between 1 and 2^31-1',
      )
    return {
      schema,
      ...(schemaType === undefined ? {} : { schemaType }),
      ...(references === undefined ? {} : { references: references as SchemaReference[] }),
      ...(id === undefined ? {} : { id: id as number }),
      ...(version === undefined || version === -1 ? {} : { version: version as number }),
    }
  }

  const byId = (c: Context): readonly VersionEntry[] => {
    const raw = c.req.param('id') ?? ''
    if (!ID.test(raw)) throw unknownId(raw)
    return ccompat.byId(Number(raw))
  }
  /** The subject a stored version answers to (undefined: a resource another one with its topic shadows). */
  const subjectName = (e: VersionEntry): string | undefined => {
    const s = ccompat.memory.subjects.get(e.name)
    return s && ccompat.subjectOf(s)
  }
  const versionBody = (e: VersionEntry) => ({
    subject: subjectName(e),
    version: e.version,
    id: e.schemaId,
    schemaType: 'JSON',
    schema: schemaString(e),
    ...refsOf(e),
  })

  on('GET', '/', (c) => send(c, {}))
  on('GET', '/schemas/types', (c) => send(c, ['JSON']))

  /**
   * The stored versions with that id, or (an id no version has) the resource version's event schema it names:
   * registered under no subject (registry/events.ts). Answered from memory, without a promise, unless a version
   * held has an event schema whose id is not known yet (events.ts: pending).
   */
  const byIdOrEvent = (
    c: Context,
    versions: (list: readonly VersionEntry[]) => Response,
    event: (e: EventEntry) => Response,
  ): Response | Promise<Response> => {
    const raw = c.req.param('id') ?? ''
    if (!ID.test(raw)) return versions(byId(c))
    const id = Number(raw)
    const { memory } = ccompat
    const list = memory.byId.get(id)
    if (list?.length) return versions(list)
    const known = memory.byEventId.get(id)
    if (known) return event(known)
    // Every version held knows its event schema's id: an id none has is a 404, without asking storage.
    if (memory.eventsPending === 0) return versions(byId(c))
    return ccompat.event(id).then((e) => (e ? event(e) : versions(byId(c))))
  }

  on('GET', '/schemas/ids/:id', (c) =>
    byIdOrEvent(
      c,
      ([first]) => sendBytes(c, idBytes(first as VersionEntry)),
      (e) => sendBytes(c, e.ccompatBytes),
    ),
  )
  on('GET', '/schemas/ids/:id/schema', (c) =>
    byIdOrEvent(
      c,
      ([first]) => sendBytes(c, (first as VersionEntry).bytes),
      (e) => sendBytes(c, e.schemaBytes),
    ),
  )
  // An event schema is registered under no subject: no versions, no subjects.
  on('GET', '/schemas/ids/:id/versions', (c) => {
    const deleted = flag(c, 'deleted')
    return byIdOrEvent(
      c,
      (list) =>
        send(
          c,
          list
            .filter((e) => deleted || !e.deleted)
            .flatMap((e) => {
              const subject = subjectName(e)
              return subject === undefined ? [] : [{ subject, version: e.version }]
            }),
        ),
      () => send(c, []),
    )
  })
  on('GET', '/schemas/ids/:id/subjects', (c) => {
    const deleted = flag(c, 'deleted')
    return byIdOrEvent(
      c,
      (list) => {
        const names = list
          .filter((e) => deleted || !e.deleted)
          .map(subjectName)
          .filter((s): s is string => s !== undefined)
        return send(c, [...new Set(names)].sort())
      },
      () => send(c, []),
    )
  })
  on('GET', '/schemas', (c) => {
    const prefix = c.req.query('subjectPrefix') ?? ''
    const deleted = flag(c, 'deleted')
    const latestOnly = flag(c, 'latestOnly')
    const out: unknown[] = []
    for (const subject of ccompat.subjects({ prefix, deleted })) {
      const versions = ccompat.versions(subject, deleted)
      const chosen = latestOnly ? versions.slice(-1) : versions
      for (const v of chosen) out.push(versionBody(ccompat.version(subject, String(v), deleted)))
    }
    return send(c, out)
  })

  on('GET', '/subjects', (c) =>
    send(
      c,
      ccompat.subjects({
        prefix: c.req.query('subjectPrefix') ?? '',
        deleted: flag(c, 'deleted'),
        deletedOnly: flag(c, 'deletedOnly'),
      }),
    ),
  )
  on('GET', '/subjects/:subject/versions', (c) =>
    send(c, ccompat.versions(p(c, 'subject'), flag(c, 'deleted'))),
  )
  on('GET', '/subjects/:subject/versions/:version', (c) =>
    send(c, versionBody(ccompat.version(p(c, 'subject'), p(c, 'version'), flag(c, 'deleted')))),
  )
  on('GET', '/subjects/:subject/versions/:version/schema', (c) =>
    sendBytes(c, ccompat.version(p(c, 'subject'), p(c, 'version'), flag(c, 'deleted')).bytes),
  )
  on('GET', '/subjects/:subject/versions/:version/referencedby', (c) =>
    send(c, ccompat.referencedBy(p(c, 'subject'), p(c, 'version'))),
  )
  /** A registration's or lookup's answer: the stored version, or the event schema answered as its version. */
  const foundBody = ({ entry, event }: Found) =>
    event
      ? {
          id: event.id,
          version: entry.version,
          schemaType: 'JSON',
          schema: decoder.decode(event.schemaBytes),
        }
      : {
          id: entry.schemaId,
          version: entry.version,
          schemaType: 'JSON',
          schema: schemaString(entry),
          ...refsOf(entry),
        }
  on('POST', '/subjects/:subject/versions', async (c) => {
    const subject = p(c, 'subject')
    const who = writer(c, subject)
    return send(c, foundBody(await ccompat.register(subject, await registerInput(c), who.name)))
  })
  on('POST', '/subjects/:subject', async (c) => {
    const subject = p(c, 'subject')
    const f = await ccompat.lookup(subject, await registerInput(c), flag(c, 'deleted'))
    return send(c, { subject: subjectName(f.entry), ...foundBody(f) })
  })
  on('DELETE', '/subjects/:subject', async (c) => {
    const who = admin(c)
    return send(c, await ccompat.deleteSubject(p(c, 'subject'), flag(c, 'permanent'), who.name))
  })
  on('DELETE', '/subjects/:subject/versions/:version', async (c) => {
    const who = admin(c)
    return send(
      c,
      await ccompat.deleteVersion(p(c, 'subject'), p(c, 'version'), flag(c, 'permanent'), who.name),
    )
  })

  const compatibility = (withVersion: boolean) => async (c: Context) => {
    const input = await registerInput(c)
    const r = await ccompat.compatibility(p(c, 'subject'), withVersion ? p(c, 'version') : undefined, input)
    return send(c, {
      is_compatible: r.compatible,
      ...(flag(c, 'verbose') ? { messages: r.differences.map(differenceMessage) } : {}),
    })
  }
  on('POST', '/compatibility/subjects/:subject/versions', compatibility(false))
  on('POST', '/compatibility/subjects/:subject/versions/:version', compatibility(true))

  const levelOf = async (c: Context) => {
    const b = await body(c)
    return b.compatibility ?? b.compatibilityLevel
  }
  on('GET', '/config', (c) => send(c, { compatibilityLevel: ccompat.config(undefined, true) }))
  on('PUT', '/config', async (c) => {
    const who = admin(c)
    return send(c, { compatibility: await ccompat.setConfig(undefined, await levelOf(c), who.name) })
  })
  on('DELETE', '/config', async (c) => {
    const who = admin(c)
    return send(c, { compatibilityLevel: await ccompat.deleteConfig(undefined, who.name) })
  })
  on('GET', '/config/:subject', (c) =>
    send(c, { compatibilityLevel: ccompat.config(p(c, 'subject'), flag(c, 'defaultToGlobal')) }),
  )
  on('PUT', '/config/:subject', async (c) => {
    const who = admin(c)
    return send(c, { compatibility: await ccompat.setConfig(p(c, 'subject'), await levelOf(c), who.name) })
  })
  on('DELETE', '/config/:subject', async (c) => {
    const who = admin(c)
    return send(c, { compatibilityLevel: await ccompat.deleteConfig(p(c, 'subject'), who.name) })
  })

  const modeOf = async (c: Context) => (await body(c)).mode
  on('GET', '/mode', (c) => send(c, { mode: ccompat.mode(undefined, true) }))
  on('PUT', '/mode', async (c) => {
    const who = admin(c)
    return send(c, {
      mode: await ccompat.setRegistryMode(undefined, await modeOf(c), flag(c, 'force'), who.name),
    })
  })
  on('GET', '/mode/:subject', (c) =>
    send(c, { mode: ccompat.mode(p(c, 'subject'), flag(c, 'defaultToGlobal')) }),
  )
  on('PUT', '/mode/:subject', async (c) => {
    const who = admin(c)
    const mode = await modeOf(c)
    return send(c, { mode: await ccompat.setRegistryMode(p(c, 'subject'), mode, flag(c, 'force'), who.name) })
  })
  on('DELETE', '/mode/:subject', async (c) => {
    const who = admin(c)
    const subject = p(c, 'subject')
    const old = ccompat.mode(subject, false)
    await ccompat.setRegistryMode(subject, null, false, who.name)
    return send(c, { mode: old })
  })

  app.all(`${path}/*`, (c) =>
    observe(
      c,
      `${path}/*`,
      performance.now(),
      c.body(
        JSON.stringify({
          error_code: 404,
          message: `no route for ${c.req.method} ${c.req.path} (see docs/ccompat.md)`,
        }),
        404,
        HEADERS,
      ),
    ),
  )
  return app
}
