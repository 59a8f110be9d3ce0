import { LRUCache } from 'lru-cache'
import {
  backoff,
  ContractError,
  eventSchemaUri,
  sleep,
  type SchemaIdPort,
  type SchemaVersionRef,
} from '../core/index.ts'

/** What consumers need from a registry: the schema registered under a URI, or undefined when nobody knows it. */
export interface SchemaSource {
  getByUri(uri: string): Promise<unknown | undefined>
}

/**
 * What consumers and publishers need from a registry. It is also a SchemaIdPort, for Confluent's wire format:
 * `idOf` gives a version's event schema id (our native API), `schemaOf` an id's schema (Confluent's REST API under
 * `confluentPrefix`).
 */
export interface RegistryClient extends SchemaSource, SchemaIdPort {
  /** A version of a resource, or its latest; undefined when the registry has no such version. */
  get(name: string, version: number | 'latest'): Promise<unknown | undefined>
  /** `GET /schemas`: every resource with its versions, topic and key. */
  list(): Promise<ResourceSummary[]>
  /** A resource's version numbers; undefined when the registry has no such resource. */
  versions(name: string): Promise<number[] | undefined>
  /** A resource's compatibility mode (its own, else the default); undefined for an unknown resource. */
  mode(name: string): Promise<string | undefined>
}

/** One row of `GET /schemas`. */
export interface ResourceSummary {
  name: string
  latest: number
  versions: number[]
  uri: string
  topic: string
  key: string
}

/** The longest wait between two attempts, whatever `backoffMs` and `retries` say. */
const MAX_BACKOFF_MS = 5_000

export interface RegistryClientOptions {
  /** e.g. `http://registry:8080` */
  baseUrl: string
  fetch?: typeof globalThis.fetch
  /** Per attempt. */
  timeoutMs?: number
  /** Further attempts after a network error, a timeout or a 5xx. */
  retries?: number
  /** Entries kept (least recently used ones go first). */
  cacheSize?: number
  /** First retry delay; doubles each time. */
  backoffMs?: number
  /** The largest answer body read; a larger one is PAYLOAD_TOO_LARGE (the registry's own limit is 256 KiB). */
  maxBytes?: number
  /** Where the registry serves Confluent's API (schema ids): `/ccompat` by default. */
  confluentPrefix?: string
  now?: () => number
}

interface Cached {
  etag: string | undefined
  value: unknown
  /** Until when the answer may be used without asking again (Cache-Control max-age; 0 for no-cache). */
  freshUntil: number
}

const maxAge = (cacheControl: string | null): number => {
  if (!cacheControl || /no-cache|no-store/.test(cacheControl)) return 0
  const m = /max-age=(\d+)/.exec(cacheControl)
  return m ? Number(m[1]) * 1000 : 0
}

/**
 * An HTTP client for the registry, on plain `fetch`. Answers are cached (bounded LRU) and revalidated with their
 * ETag; immutable answers (numbered versions, URIs) are reused while fresh. Network errors, timeouts and 5xx are
 * retried with exponential backoff, then reported as a retriable REGISTRY_UNAVAILABLE.
 */
export function createRegistryClient({
  baseUrl,
  fetch = globalThis.fetch,
  timeoutMs = 2000,
  retries = 3,
  cacheSize = 256,
  backoffMs = 100,
  maxBytes = 1024 * 1024,
  confluentPrefix = '/ccompat',
  now = Date.now,
}: RegistryClientOptions): RegistryClient & { readonly cached: number } {
  const base = baseUrl.replace(/\/+$/, '')
  const ccompat = '/' + confluentPrefix.replace(/^\/+|\/+$/g, '')
  const cache = new LRUCache<string, Cached>({ max: cacheSize })
  // Concurrent requests for one URL share one round trip.
  const inFlight = new Map<string, Promise<unknown | undefined>>()

  async function attempt(url: string, cached: Cached | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/schema+json, application/json' }
    if (cached?.etag) headers['if-none-match'] = cached.etag
    return fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) })
  }

  async function load(url: string): Promise<unknown | undefined> {
    const cached = cache.get(url)
    if (cached && cached.freshUntil > now()) return cached.value
    let failure = 'no answer'
    let lastError: unknown
    for (let i = 0; i <= retries; i++) {
      if (i > 0) await sleep(backoff(i, { initialMs: backoffMs, maxMs: MAX_BACKOFF_MS }))
      let res: Response
      try {
        res = await attempt(url, cached)
      } catch (e) {
        lastError = e
        failure =
          (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e as Error).message
        continue
      }
      if (res.status === 304 && cached) {
        void res.body?.cancel()
        cache.set(url, { ...cached, freshUntil: now() + maxAge(res.headers.get('cache-control')) })
        return cached.value
      }
      if (res.status === 404) {
        void res.body?.cancel()
        return undefined
      }
      if (res.status >= 500) {
        void res.body?.cancel()
        failure = `HTTP ${res.status}`
        continue
      }
      if (res.status !== 200) {
        const text = await res.text().catch(() => '')
        throw new ContractError(
          'BAD_REQUEST',
          `the registry refused ${url}: HTTP ${res.status} ${text.slice(0, 200)}`,
        )
      }
      let value: unknown
      try {
        value = JSON.parse(await boundedText(res, maxBytes, url))
      } catch (cause) {
        if (cause instanceof ContractError) throw cause
        throw new ContractError(
          'NOT_JSON',
          `the registry answered ${url} with something that is not JSON`,
          [],
          { cause },
        )
      }
      cache.set(url, {
        etag: res.headers.get('etag') ?? undefined,
        value,
        freshUntil: now() + maxAge(res.headers.get('cache-control')),
      })
      return value
    }
    throw new ContractError(
      'REGISTRY_UNAVAILABLE',
      `registry ${base} unavailable after ${retries + 1} attempts: ${failure}`,
      [],
      {
        cause: lastError,
        retriable: true,
      },
    )
  }

  function request(path: string): Promise<unknown | undefined> {
    const url = base + path
    const pending = inFlight.get(url)
    if (pending) return pending
    const p = load(url).finally(() => inFlight.delete(url))
    inFlight.set(url, p)
    return p
  }

  // Schema ids per resource version (by URI): asked once, kept; concurrent look-ups share one; failures not kept.
  const ids = new Map<string, number>()
  const idsInFlight = new Map<string, Promise<number>>()

  /**
   * `GET /schemas/{name}/versions/{v}/event`: the id of the version's event schema, the schema of the whole value
   * our publishers frame (envelope and content), so that Confluent's deserializers validate what they read.
   */
  async function lookUpId(ref: SchemaVersionRef): Promise<number> {
    const path = `/schemas/${encodeURIComponent(ref.resource)}/versions/${ref.version}/event`
    const answer = await request(path)
    if (answer === undefined)
      throw new ContractError(
        'SCHEMA_NOT_FOUND',
        `the registry at ${base} has no event schema for '${ref.uri}' (${ref.resource} v${ref.version})`,
      )
    const { id, schema } = answer as { id?: unknown; schema?: { $id?: unknown } }
    if (!Number.isInteger(id) || (id as number) < 0)
      throw new ContractError('BAD_REQUEST', `the registry answered ${base}${path} without a schema id`)
    if (schema?.$id !== eventSchemaUri(ref.uri))
      throw new ContractError(
        'BAD_REQUEST',
        `the registry answered ${base}${path} with a schema that is not '${ref.uri}/event'`,
      )
    return id as number
  }

  function idOf(ref: SchemaVersionRef): Promise<number> {
    const hit = ids.get(ref.uri)
    if (hit !== undefined) return Promise.resolve(hit)
    let p = idsInFlight.get(ref.uri)
    if (!p) {
      p = lookUpId(ref)
        .then((id) => {
          ids.set(ref.uri, id)
          return id
        })
        .finally(() => idsInFlight.delete(ref.uri))
      idsInFlight.set(ref.uri, p)
    }
    return p
  }

  /** `GET /schemas/ids/{id}`: the schema, parsed (answers are cached like every GET: bounded, revalidated). */
  async function schemaOf(id: number): Promise<unknown> {
    const answer = await request(`${ccompat}/schemas/ids/${id}`)
    if (answer === undefined) return undefined
    const { schemaType, schema } = answer as { schemaType?: unknown; schema?: unknown }
    // Confluent leaves schemaType out for Avro.
    if (schemaType !== 'JSON')
      throw new ContractError(
        'SCHEMA_INVALID',
        `schema id ${id} is ${typeof schemaType === 'string' ? `a ${schemaType}` : 'an AVRO'} schema, not JSON Schema`,
      )
    if (typeof schema !== 'string')
      throw new ContractError('BAD_REQUEST', `the registry answered schema id ${id} without a schema`)
    try {
      return JSON.parse(schema)
    } catch (cause) {
      throw new ContractError('SCHEMA_INVALID', `schema id ${id} is not JSON`, [], { cause })
    }
  }

  const shaped = <T>(path: string, ok: (v: unknown) => v is T, what: string) =>
    request(path).then((v) => {
      if (v === undefined || ok(v)) return v
      throw new ContractError(
        'BAD_REQUEST',
        `the registry answered ${base}${path} with something that is not ${what}`,
      )
    })

  return {
    idOf,
    schemaOf,
    getByUri: (uri) => request(`/resolve?uri=${encodeURIComponent(uri)}`),
    list: () =>
      shaped('/schemas', isSummaries, 'a list of resources').then((v) => {
        if (v === undefined)
          throw new ContractError('BAD_REQUEST', `${base}/schemas: not found (is it a registry?)`)
        return v
      }),
    versions: (name) =>
      shaped(`/schemas/${encodeURIComponent(name)}/versions`, isVersions, 'a list of version numbers'),
    mode: (name) =>
      shaped(`/config/${encodeURIComponent(name)}`, isModeAnswer, 'a compatibility mode').then(
        (v) => v?.compatibility,
      ),
    get: (name, version) =>
      request(
        `/schemas/${encodeURIComponent(name)}/versions/${version === 'latest' ? 'latest' : String(version)}`,
      ),
    get cached() {
      return cache.size
    },
  }
}

/** The body as text, reading no more than `max` bytes. */
async function boundedText(res: Response, max: number, url: string): Promise<string> {
  const tooLarge = () =>
    new ContractError('PAYLOAD_TOO_LARGE', `the registry's answer to ${url} is larger than ${max} bytes`)
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    void res.body?.cancel()
    throw tooLarge()
  }
  if (!res.body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > max) {
      void res.body.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const isVersions = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((n) => Number.isInteger(n) && n > 0)

const isSummaries = (v: unknown): v is ResourceSummary[] =>
  Array.isArray(v) &&
  v.every(
    (r) =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as ResourceSummary).name === 'string' &&
      isVersions((r as ResourceSummary).versions),
  )

const isModeAnswer = (v: unknown): v is { compatibility: string } =>
  typeof v === 'object' && v !== null && typeof (v as { compatibility?: unknown }).compatibility === 'string'
