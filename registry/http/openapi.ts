import { MODES } from '../../compat/index.ts'
import { STATUS, type ProblemCode } from '../../http/problem.ts'

/** The parts of OpenAPI 3.1 this document uses, typed so that a typo in a field name does not compile. */
type JsonSchema = Record<string, unknown>
export interface MediaType {
  schema: JsonSchema
  example?: unknown
}
export interface ResponseObject {
  description: string
  headers?: Record<string, { description: string; schema: JsonSchema }>
  content?: Record<string, MediaType>
}
export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required: boolean
  description: string
  schema: JsonSchema
}
export interface Operation {
  operationId: string
  summary: string
  description?: string
  tags: string[]
  parameters?: Parameter[]
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> }
  responses: Record<string, ResponseObject>
  security?: Record<string, string[]>[]
}
export type Method = 'get' | 'put' | 'post' | 'delete'
export type PathItem = Partial<Record<Method, Operation>>
export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  paths: Record<string, PathItem>
  components: {
    schemas: Record<string, JsonSchema>
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>
  }
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: JsonSchema, example?: unknown): Record<string, MediaType> => ({
  'application/json': example === undefined ? { schema } : { schema, example },
})
const problem = (description: string, ...codes: ProblemCode[]): ResponseObject => ({
  description: `${description} (code ${codes.join(', ')})`,
  content: { 'application/problem+json': { schema: ref('Problem') } },
})
const name: Parameter = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'resource name, e.g. `time-entry`',
  schema: { type: 'string', pattern: '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$' },
}
const version: Parameter = {
  name: 'version',
  in: 'path',
  required: true,
  description: 'a version number, or `latest`',
  schema: { type: 'string', pattern: '^([1-9][0-9]*|latest)$' },
}
const versionNumber: Parameter = {
  ...version,
  description: 'a version number',
  schema: { type: 'integer', minimum: 1 },
}
const ifNoneMatch: Parameter = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'an ETag from an earlier answer: 304 when unchanged',
  schema: { type: 'string' },
}
const schemaHeaders = {
  ETag: { description: 'changes exactly when the bytes do', schema: { type: 'string' } },
  'Cache-Control': {
    description: 'numbered versions and URIs are immutable; `latest` is `no-cache`',
    schema: { type: 'string' },
  },
}
const bearer = [{ bearer: [] }]
const writeErrors = {
  '401': problem('no bearer token', 'UNAUTHORIZED'),
  '403': problem('wrong token, or writes disabled (issue keyword `writes-disabled`)', 'FORBIDDEN'),
}
const schemaBody = {
  required: true,
  description: 'a JSON Schema (draft 2020-12), at most 256 KiB, nested at most 64 levels',
  content: { 'application/json': { schema: { type: 'object' } } },
}
const invalid = {
  '400': problem('body is not JSON, or a bad parameter', 'NOT_JSON', 'BAD_REQUEST'),
  '413': problem('body over the size limit', 'PAYLOAD_TOO_LARGE'),
  '422': problem(
    'not a valid schema: meta-schema, strict compile, remote or dangling $ref, nesting, missing x-topic/x-key for a new resource',
    'SCHEMA_INVALID',
  ),
}
const modeBody = json(ref('Config'), { compatibility: 'BACKWARD' })

/** The API, described once; /openapi.json serves it and /docs renders it. */
export function openApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'event-contracts registry',
      version: '1',
      description:
        'Serves the JSON Schemas of event contracts by name and version or by `$id`, and registers new versions only when they are compatible with their predecessors. Reads are public; writes need a bearer token.',
    },
    paths: {
      '/health': {
        get: {
          operationId: 'health',
          tags: ['operations'],
          summary: 'The process is alive',
          responses: { '200': { description: 'alive', content: json({ type: 'object' }, { status: 'ok' }) } },
        },
      },
      '/ready': {
        get: {
          operationId: 'ready',
          tags: ['operations'],
          summary: 'Storage is reachable',
          responses: {
            '200': {
              description: 'ready',
              content: json({ type: 'object' }, { status: 'ready', storage: 'postgres' }),
            },
            '503': problem('storage unreachable', 'REGISTRY_UNAVAILABLE'),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          tags: ['operations'],
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: 'text exposition format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/schemas': {
        get: {
          operationId: 'listResources',
          tags: ['schemas'],
          summary: 'Every resource with its versions',
          responses: {
            '200': {
              description: 'resources, by name',
              content: json({ type: 'array', items: ref('Resource') }),
            },
          },
        },
      },
      '/schemas/{name}/versions': {
        get: {
          operationId: 'listVersions',
          tags: ['schemas'],
          summary: 'The version numbers of a resource (soft-deleted ones hidden)',
          parameters: [name],
          responses: {
            '200': {
              description: 'ascending',
              content: json({ type: 'array', items: { type: 'integer' } }, [1, 2]),
            },
            '404': problem('unknown resource', 'UNKNOWN_RESOURCE'),
          },
        },
        post: {
          operationId: 'register',
          tags: ['schemas'],
          summary: 'Register a new version',
          description:
            'The registry assigns the version and the canonical `$id` (`https://event-contracts.dev/schemas/<name>/<version>`); a body `$id` must be absent or exactly that (else 409 SCHEMA_CONFLICT). Identical content (canonical JSON without `$id`) answers 200 with the existing version. A new resource needs `x-topic` and `x-key`; later versions may omit them but cannot change them.',
          security: bearer,
          parameters: [name],
          requestBody: schemaBody,
          responses: {
            '201': {
              description: 'registered',
              content: json(ref('Registration'), {
                name: 'time-entry',
                version: 3,
                uri: 'https://event-contracts.dev/schemas/time-entry/3',
              }),
            },
            '200': {
              description: 'identical content already registered',
              content: json(ref('Registration')),
            },
            ...invalid,
            ...writeErrors,
            '409': problem(
              'incompatible with its predecessor(s) under the resource mode (one issue per breaking difference), or a conflicting $id / x-topic / x-key',
              'INCOMPATIBLE_SCHEMA',
              'SCHEMA_CONFLICT',
            ),
            '503': problem('storage unreachable', 'REGISTRY_UNAVAILABLE'),
          },
        },
      },
      '/schemas/{name}/versions/{version}': {
        get: {
          operationId: 'getSchema',
          tags: ['schemas'],
          summary: 'One schema version, or the latest',
          parameters: [name, version, ifNoneMatch],
          responses: {
            '200': {
              description: 'the schema',
              headers: schemaHeaders,
              content: { 'application/schema+json': { schema: { type: 'object' } } },
            },
            '304': { description: 'not modified (If-None-Match)' },
            '404': problem('no such version (or soft-deleted)', 'SCHEMA_NOT_FOUND'),
          },
        },
        delete: {
          operationId: 'deleteVersion',
          tags: ['schemas'],
          summary:
            'Soft delete (hidden from lists and latest, still resolvable by URI); `?permanent=true` removes a soft-deleted version',
          security: bearer,
          parameters: [
            name,
            versionNumber,
            {
              name: 'permanent',
              in: 'query',
              required: false,
              description: '`true`: delete for good (only after a soft delete)',
              schema: { type: 'boolean' },
            },
          ],
          responses: {
            '200': {
              description: 'deleted',
              content: json({ type: 'object' }, { name: 'time-entry', version: 3, deleted: 'soft' }),
            },
            ...writeErrors,
            '404': problem('no such version', 'SCHEMA_NOT_FOUND'),
            '412': problem('permanent delete of a version that is not soft-deleted', 'PRECONDITION_FAILED'),
          },
        },
      },
      '/schemas/{name}/versions/{version}/types.ts': {
        get: {
          operationId: 'getTypes',
          tags: ['schemas'],
          summary: 'TypeScript types for a version (json-schema-to-typescript)',
          parameters: [name, version],
          responses: {
            '200': {
              description: 'a TypeScript module',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            '404': problem('no such version', 'SCHEMA_NOT_FOUND'),
          },
        },
      },
      '/resolve': {
        get: {
          operationId: 'resolve',
          tags: ['schemas'],
          summary: 'The schema registered under an `$id`, soft-deleted ones included (for old events)',
          parameters: [
            {
              name: 'uri',
              in: 'query',
              required: true,
              description: 'a schema `$id`',
              schema: { type: 'string', format: 'uri' },
            },
            ifNoneMatch,
          ],
          responses: {
            '200': {
              description: 'the schema',
              headers: schemaHeaders,
              content: { 'application/schema+json': { schema: { type: 'object' } } },
            },
            '304': { description: 'not modified' },
            '400': problem('uri missing', 'BAD_REQUEST'),
            '404': problem('nothing registered under that URI', 'SCHEMA_NOT_FOUND'),
          },
        },
      },
      '/compatibility/{name}': {
        post: {
          operationId: 'checkCompatibility',
          tags: ['compatibility'],
          summary:
            'Check a schema against the resource history without registering (a new resource is compatible)',
          parameters: [name],
          requestBody: schemaBody,
          responses: {
            '200': { description: 'the verdict and every difference', content: json(ref('CompatReport')) },
            ...invalid,
          },
        },
      },
      '/config': {
        get: {
          operationId: 'getDefaultMode',
          tags: ['compatibility'],
          summary: 'The default compatibility mode',
          responses: { '200': { description: 'the mode', content: modeBody } },
        },
        put: {
          operationId: 'setDefaultMode',
          tags: ['compatibility'],
          summary: 'Set the default compatibility mode',
          security: bearer,
          requestBody: { required: true, content: modeBody },
          responses: {
            '200': { description: 'the mode now', content: modeBody },
            '400': problem('not a mode', 'BAD_REQUEST', 'NOT_JSON'),
            ...writeErrors,
          },
        },
      },
      '/config/{name}': {
        get: {
          operationId: 'getMode',
          tags: ['compatibility'],
          summary: 'The mode of a resource (its own, else the default)',
          parameters: [name],
          responses: {
            '200': { description: 'the mode', content: modeBody },
            '404': problem('unknown resource', 'UNKNOWN_RESOURCE'),
          },
        },
        put: {
          operationId: 'setMode',
          tags: ['compatibility'],
          summary: 'Set the mode of a resource',
          security: bearer,
          parameters: [name],
          requestBody: { required: true, content: modeBody },
          responses: {
            '200': { description: 'the mode now', content: modeBody },
            '400': problem('not a mode', 'BAD_REQUEST', 'NOT_JSON'),
            ...writeErrors,
            '404': problem('unknown resource', 'UNKNOWN_RESOURCE'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          tags: ['operations'],
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
      '/docs': {
        get: {
          operationId: 'docs',
          tags: ['operations'],
          summary: 'This document as a page',
          responses: {
            '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'one of the tokens the registry was started with (REGISTRY_TOKENS)',
        },
      },
      schemas: {
        Resource: {
          type: 'object',
          required: ['name', 'latest', 'versions', 'uri', 'topic', 'key'],
          properties: {
            name: { type: 'string' },
            latest: { type: 'integer' },
            versions: { type: 'array', items: { type: 'integer' } },
            uri: { type: 'string', format: 'uri' },
            topic: { type: 'string' },
            key: { type: 'string' },
          },
        },
        Registration: {
          type: 'object',
          required: ['name', 'version', 'uri'],
          properties: {
            name: { type: 'string' },
            version: { type: 'integer' },
            uri: { type: 'string', format: 'uri' },
          },
        },
        Config: {
          type: 'object',
          required: ['compatibility'],
          properties: { compatibility: { enum: [...MODES] } },
        },
        Difference: {
          type: 'object',
          required: ['kind', 'path', 'message', 'breaking'],
          properties: {
            kind: { type: 'string' },
            path: { type: 'string' },
            message: { type: 'string' },
            previous: {},
            next: {},
            breaking: { type: 'boolean' },
            direction: { enum: ['BACKWARD', 'FORWARD'] },
            against: { type: 'integer' },
          },
        },
        CompatReport: {
          type: 'object',
          required: ['compatible', 'mode', 'differences'],
          properties: {
            compatible: { type: 'boolean' },
            mode: { enum: [...MODES] },
            differences: { type: 'array', items: ref('Difference') },
          },
        },
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details; branch on `code`',
          required: ['type', 'title', 'status', 'code', 'issues'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { enum: [...Object.keys(STATUS), 'NOT_FOUND', 'INTERNAL'] },
            issues: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'keyword', 'message'],
                properties: {
                  path: { type: 'string' },
                  keyword: { type: 'string' },
                  message: { type: 'string' },
                  params: { type: 'object' },
                },
              },
            },
          },
        },
      },
    },
  }
}
