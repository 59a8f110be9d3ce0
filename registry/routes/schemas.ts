import { problem } from '../http/openapi.ts'
import { route, type Route } from '../http/route.ts'
import type { VersionEntry } from '../memory.ts'
import type { RouteDeps } from './deps.ts'
import { ifNoneMatch, json, name, numberedVersion, Registration, Resource, version } from './shapes.ts'

const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'
const JSON_TYPE = { 'content-type': 'application/json' }
const SCHEMA_TYPE = 'application/schema+json'

/** If-None-Match names this ETag (exactly, in a list, weakly, or `*`). */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header === etag || header === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
}

/**
 * The hot path: bytes and ETag were computed when the version was loaded. A Response with a plain-object header
 * record, not `c.body`: hono turns more than one header into a `Headers` per response, which @hono/node-server
 * then copies back into an object; a plain record is written as is (nothing sets headers through `c.header`).
 */
function sendSchema(entry: VersionEntry, ifNoneMatch: string | undefined, cacheControl: string): Response {
  if (notModified(ifNoneMatch, entry.etag))
    return new Response(null, { status: 304, headers: { etag: entry.etag, 'cache-control': cacheControl } })
  return new Response(entry.bytes, {
    status: 200,
    headers: { 'content-type': SCHEMA_TYPE, etag: entry.etag, 'cache-control': cacheControl },
  })
}

const schemaHeaders = {
  ETag: { description: 'changes exactly when the bytes do', schema: { type: 'string' } },
  'Cache-Control': {
    description: 'numbered versions and URIs are immutable; `latest` is `no-cache`',
    schema: { type: 'string' },
  },
}
const schemaContent = { 'application/schema+json': { schema: { type: 'object' } } }

/** A contract schema as a body: parsed at the edge, judged by the service (422 with its issues). */
export const schemaBody = (maxDepth: number | undefined) =>
  ({
    description: `a JSON Schema (draft 2020-12)${maxDepth === undefined ? '' : `, nested at most ${maxDepth} levels`}`,
    schema: { type: 'object' },
    validate: 'handler',
  }) as const

export const invalidSchema = problem(
  "not a valid schema: meta-schema, strict compile, remote or dangling $ref, a pattern RE2 cannot run, nesting, missing x-topic/x-key for a new resource; or checking it took longer than the registry's time budget",
  'SCHEMA_INVALID',
  'TOO_COMPLEX',
)

/** The work queue is full: the expensive steps wait for a worker thread, and only so many may wait. */
export const workQueueFull = problem("the registry's work queue is full (Retry-After)", 'TOO_MANY_REQUESTS')

export function schemaRoutes({ service, metrics, maxDepth }: RouteDeps): Route[] {
  return [
    route({
      method: 'GET',
      path: '/schemas',
      operationId: 'listResources',
      tags: ['schemas'],
      summary: 'Every resource with its versions',
      auth: 'public',
      responses: {
        '200': { description: 'resources, by name', content: json({ type: 'array', items: Resource }) },
      },
      handler: (c) => c.body(service.list(), 200, JSON_TYPE),
    }),
    route({
      method: 'GET',
      path: '/schemas/:name/versions',
      operationId: 'listVersions',
      tags: ['schemas'],
      summary: 'The version numbers of a resource (soft-deleted ones hidden)',
      auth: 'public',
      params: { name },
      responses: {
        '200': {
          description: 'ascending',
          content: json({ type: 'array', items: { type: 'integer' } }, [1, 2]),
        },
        '404': problem('unknown resource', 'UNKNOWN_RESOURCE'),
      },
      handler: (c, { name }) => c.body(service.subject(name).versionsBytes, 200, JSON_TYPE),
    }),
    route({
      method: 'POST',
      path: '/schemas/:name/versions',
      operationId: 'register',
      tags: ['schemas'],
      summary: 'Register a new version',
      description:
        'The registry assigns the version and the canonical `$id` (`https://event-contracts.dev/schemas/<name>/<version>`); a body `$id` must be absent or exactly that (else 409 SCHEMA_CONFLICT). Identical content (canonical JSON without `$id`) answers 200 with the existing version. A new resource needs `x-topic` and `x-key`; later versions may omit them but cannot change them.',
      auth: { write: 'name' },
      params: { name },
      body: schemaBody(maxDepth),
      responses: {
        '201': {
          description: 'registered',
          content: json(Registration, {
            name: 'time-entry',
            version: 3,
            uri: 'https://event-contracts.dev/schemas/time-entry/3',
          }),
        },
        '200': { description: 'identical content already registered', content: json(Registration) },
        '409': problem(
          'incompatible with its predecessor(s) under the resource mode (one issue per breaking difference), or a conflicting $id / x-topic / x-key',
          'INCOMPATIBLE_SCHEMA',
          'SCHEMA_CONFLICT',
        ),
        '422': invalidSchema,
        '429': workQueueFull,
        '503': problem('storage unreachable', 'REGISTRY_UNAVAILABLE'),
      },
      handler: async (c, { name }, body, principal) => {
        const r = await service.register(name, body, principal.name)
        metrics.registered(r.created)
        return c.json({ name: r.name, version: r.version, uri: r.uri }, r.created ? 201 : 200)
      },
    }),
    route({
      method: 'GET',
      path: '/schemas/:name/versions/:version',
      operationId: 'getSchema',
      tags: ['schemas'],
      summary: 'One schema version, or the latest',
      auth: 'public',
      params: { name, version, ifNoneMatch },
      responses: {
        '200': { description: 'the schema', headers: schemaHeaders, content: schemaContent },
        '304': { description: 'not modified (If-None-Match)' },
        '404': problem('no such version (or soft-deleted)', 'SCHEMA_NOT_FOUND'),
      },
      handler: (_c, { name, version, ifNoneMatch }) =>
        version === 'latest'
          ? sendSchema(service.version(name, 'latest'), ifNoneMatch, REVALIDATE)
          : sendSchema(service.version(name, String(version)), ifNoneMatch, IMMUTABLE),
    }),
    route({
      method: 'GET',
      path: '/schemas/:name/versions/:version/event',
      operationId: 'getEventSchema',
      tags: ['schemas'],
      summary: "A version's event schema (the whole envelope) and its global schema id",
      description:
        "The draft 2020-12 schema of every event of the version (`$id` `<version uri>/event`): the envelope with `resource.schema` that version's URI and `resource.content` its content or a ResourceReference. Its `id` is a global schema id (the Confluent API's `GET /ccompat/schemas/ids/{id}` serves the schema): the id a publisher with `wireFormat: 'confluent'` puts in its frames. Assigned by the version's registration.",
      auth: 'public',
      params: { name, version, ifNoneMatch },
      responses: {
        '200': {
          description: '`{id, schema}`',
          headers: schemaHeaders,
          content: json(
            {
              type: 'object',
              required: ['id', 'schema'],
              properties: { id: { type: 'integer', minimum: 1 }, schema: { type: 'object' } },
            },
            { id: 7, schema: { $id: 'https://event-contracts.dev/schemas/time-entry/2/event' } },
          ),
        },
        '304': { description: 'not modified (If-None-Match)' },
        '404': problem('no such version (or soft-deleted)', 'SCHEMA_NOT_FOUND'),
        '503': problem(
          'storage unreachable (only for a version stored by a registry before migration 4, whose id is found on first request)',
          'REGISTRY_UNAVAILABLE',
        ),
      },
      handler: async (_c, { name, version, ifNoneMatch }) => {
        const latest = version === 'latest'
        const entry = await service.event(service.version(name, latest ? 'latest' : String(version)))
        const cacheControl = latest ? REVALIDATE : IMMUTABLE
        if (notModified(ifNoneMatch, entry.etag))
          return new Response(null, {
            status: 304,
            headers: { etag: entry.etag, 'cache-control': cacheControl },
          })
        return new Response(entry.bytes, {
          status: 200,
          headers: { 'content-type': 'application/json', etag: entry.etag, 'cache-control': cacheControl },
        })
      },
    }),
    route({
      method: 'DELETE',
      path: '/schemas/:name/versions/:version',
      operationId: 'deleteVersion',
      tags: ['schemas'],
      summary:
        'Soft delete (hidden from lists and latest, still resolvable by URI); `?permanent=true` removes a soft-deleted version',
      auth: 'admin',
      params: {
        name,
        version: numberedVersion,
        permanent: {
          in: 'query',
          description: '`true`: delete for good (only after a soft delete); `false` or absent: soft delete',
          schema: { type: 'boolean' },
        },
      },
      responses: {
        '200': {
          description: 'deleted',
          content: json({ type: 'object' }, { name: 'time-entry', version: 3, deleted: 'soft' }),
        },
        '404': problem('no such version', 'SCHEMA_NOT_FOUND'),
        '412': problem('permanent delete of a version that is not soft-deleted', 'PRECONDITION_FAILED'),
      },
      handler: async (c, { name, version, permanent }, _body, principal) =>
        c.json(await service.remove(name, String(version), permanent === true, principal.name)),
    }),
    route({
      method: 'GET',
      path: '/schemas/:name/versions/:version/types.ts',
      operationId: 'getTypes',
      tags: ['schemas'],
      summary: 'TypeScript types for a version (json-schema-to-typescript)',
      auth: 'public',
      params: { name, version },
      responses: {
        '200': {
          description: 'a TypeScript module',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        '404': problem('no such version', 'SCHEMA_NOT_FOUND'),
        '422': problem(
          "the version holds a reference outside the document (stored before admission refused them), or compiling it took longer than the registry's time budget",
          'SCHEMA_INVALID',
          'TOO_COMPLEX',
        ),
        '429': workQueueFull,
      },
      handler: async (c, { name, version }) => {
        const entry = service.version(name, version === 'latest' ? version : String(version))
        const ts = await service.types(entry)
        return c.body(ts, 200, {
          'content-type': 'text/plain; charset=utf-8',
          etag: entry.etag,
          'cache-control': version === 'latest' ? REVALIDATE : IMMUTABLE,
        })
      },
    }),
    route({
      method: 'GET',
      path: '/resolve',
      operationId: 'resolve',
      tags: ['schemas'],
      summary: 'The schema registered under an `$id`, soft-deleted ones included (for old events)',
      auth: 'public',
      params: {
        uri: {
          in: 'query',
          required: true,
          description: 'a schema `$id`',
          schema: { type: 'string', format: 'uri' },
        },
        ifNoneMatch,
      },
      responses: {
        '200': { description: 'the schema', headers: schemaHeaders, content: schemaContent },
        '304': { description: 'not modified' },
        '404': problem('nothing registered under that URI', 'SCHEMA_NOT_FOUND'),
      },
      handler: (_c, { uri, ifNoneMatch }) => sendSchema(service.resolve(uri), ifNoneMatch, IMMUTABLE),
    }),
  ]
}
