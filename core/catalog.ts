/**
 * What the kernel knows of a catalog: its shape, and the types derived from it. The generator writes one catalog
 * value per schema tree (`generated/catalog.ts` is this repository's); every typed API takes the catalog as an
 * argument and derives its types from it, the way openapi-fetch's `createClient<paths>()` is typed by generated
 * paths. The kernel itself imports no catalog.
 */
import type { ValidateFn } from './validate.ts'

export const ACTIONS = ['create', 'update', 'delete'] as const
/** The kind of operation that was performed on the resource. */
export type Action = (typeof ACTIONS)[number]

/** A reference to a resource (Callisto's ids are numbers; ours may also be strings such as UUIDs). */
export interface ResourceReference {
  tenantId: string | number
  id: string | number
  version: number
  /** The schema that the referenced resource conforms to. */
  schema?: string
}

/** What every envelope has: the built-in one, or a project's extension of it. */
export interface BaseEnvelope {
  id: string
  time: string
  source: string
  action: Action
  resource: { schema: string; content: ResourceReference | { [k: string]: unknown } }
}

/** One resource version: its schema URI and its validator, typed by the generated content type. */
export interface CatalogVersion<T = unknown> {
  readonly uri: string
  readonly validate: ValidateFn<T>
  /** JSON of valid content, compiled from the schema (faster than JSON.stringify); optional. */
  readonly serialize?: (content: never) => string
}

export interface CatalogResource {
  readonly latest: number
  /** Where its events go (`x-topic`): a Kafka topic, a Redis stream, before any environment prefix. */
  readonly topic: string
  /** The partition-key property (`x-key`): one resource's events stay in order. */
  readonly key: string
  readonly versions: { readonly [version: number]: CatalogVersion }
}

/** A catalog: the envelope, the reference shape, and every resource with its versions. */
export interface Catalog {
  readonly envelope: { readonly uri: string; readonly validate: ValidateFn<BaseEnvelope> }
  readonly reference: ValidateFn<ResourceReference>
  readonly resources: { readonly [name: string]: CatalogResource }
}

/** The resource names of a catalog. */
export type ResourceOf<C extends Catalog> = keyof C['resources'] & string
/** The version numbers of a resource. */
export type VersionOf<C extends Catalog, R extends ResourceOf<C>> = keyof C['resources'][R]['versions'] &
  number
/** A resource's latest version. */
export type LatestOf<C extends Catalog, R extends ResourceOf<C>> = C['resources'][R]['latest'] &
  VersionOf<C, R>
/** The schema URI of a resource version. */
export type UriOf<
  C extends Catalog,
  R extends ResourceOf<C>,
  V extends VersionOf<C, R> = LatestOf<C, R>,
> = C['resources'][R]['versions'][V] extends { uri: infer U } ? U : never
/** The content type of a resource version (the latest by default), from its validator's type. */
export type ContentOf<
  C extends Catalog,
  R extends ResourceOf<C>,
  V extends VersionOf<C, R> = LatestOf<C, R>,
> = C['resources'][R]['versions'][V] extends { validate: ValidateFn<infer T> } ? T : never
/** The envelope type of a catalog. */
export type EnvelopeOf<C extends Catalog> = C['envelope']['validate'] extends ValidateFn<infer E> ? E : never
/** The partition-key property of a resource. */
export type KeyOf<C extends Catalog, R extends ResourceOf<C>> = C['resources'][R]['key']

/** An event of one resource version and action: the envelope with its content narrowed. */
export type EventOf<
  C extends Catalog,
  R extends ResourceOf<C>,
  A extends Action = Action,
  V extends VersionOf<C, R> = LatestOf<C, R>,
> = Omit<EnvelopeOf<C>, 'action' | 'resource'> & {
  action: A
  resource: { schema: UriOf<C, R, V>; content: ContentOf<C, R, V> | ResourceReference }
}

/** Any event of a resource, whatever its version: what a consumer's handler for that resource receives. */
export type AnyEventOf<C extends Catalog, R extends ResourceOf<C>, A extends Action = Action> = {
  [V in VersionOf<C, R>]: EventOf<C, R, A, V>
}[VersionOf<C, R>]

/** Any event in the catalog. */
export type AnyEvent<C extends Catalog> = { [R in ResourceOf<C>]: AnyEventOf<C, R> }[ResourceOf<C>]

/** An event that validated against a catalog version: narrows on `resource`, `version` and `reference`. */
export type CatalogEvent<C extends Catalog> = {
  [R in ResourceOf<C>]: {
    [V in VersionOf<C, R>]:
      | {
          resource: R
          version: V
          reference: false
          event: Omit<EnvelopeOf<C>, 'resource'> & {
            resource: { schema: UriOf<C, R, V>; content: ContentOf<C, R, V> }
          }
        }
      | {
          resource: R
          version: V
          reference: true
          event: Omit<EnvelopeOf<C>, 'resource'> & {
            resource: { schema: UriOf<C, R, V>; content: ResourceReference }
          }
        }
  }[VersionOf<C, R>]
}[ResourceOf<C>]

/** An event whose schema came from outside the catalog (a registry): its content is only known to be valid. */
export interface ForeignEvent<C extends Catalog> {
  resource: undefined
  /** From a canonical schema URI (`…/<name>/<version>`), when it is one. */
  version: number | undefined
  reference: boolean
  event: EnvelopeOf<C>
}

/** What checkEvent and parseEvent return for a valid event. */
export type ValidEvent<C extends Catalog> = CatalogEvent<C> | ForeignEvent<C>

/** A valid event as the kernel's own code sees it, whatever the catalog: the view generic code works on. */
export interface BaseValidEvent {
  event: BaseEnvelope
  resource: string | undefined
  version: number | undefined
  reference: boolean
}

/** One catalog version as found by its URI. */
export interface IndexedVersion {
  readonly resource: string
  readonly version: number
  readonly uri: string
  readonly topic: string
  readonly key: string
  readonly validate: ValidateFn<unknown>
  readonly serialize: ((content: never) => string) | undefined
}

/** Look-ups a catalog needs at run time, built once per catalog value. */
export interface CatalogIndex {
  readonly byUri: ReadonlyMap<string, IndexedVersion>
  /** A resource's version, or undefined (a JavaScript caller may pass any string). */
  version(resource: string, version?: number): IndexedVersion | undefined
  resource(name: string): CatalogResource | undefined
  readonly resources: readonly string[]
}

const indexes = new WeakMap<Catalog, CatalogIndex>()

/** The run-time index of a catalog (cached per catalog object). */
export function indexCatalog(catalog: Catalog): CatalogIndex {
  const hit = indexes.get(catalog)
  if (hit) return hit
  const byUri = new Map<string, IndexedVersion>()
  const byName = new Map<string, Map<number, IndexedVersion>>()
  for (const [resource, entry] of Object.entries(catalog.resources)) {
    const versions = new Map<number, IndexedVersion>()
    for (const [v, { uri, validate, serialize }] of Object.entries(entry.versions)) {
      const indexed = {
        resource,
        version: Number(v),
        uri,
        topic: entry.topic,
        key: entry.key,
        validate,
        serialize,
      }
      versions.set(indexed.version, indexed)
      byUri.set(uri, indexed)
    }
    byName.set(resource, versions)
  }
  const index: CatalogIndex = {
    byUri,
    version: (resource, version) => {
      const entry = Object.hasOwn(catalog.resources, resource) ? catalog.resources[resource] : undefined
      return entry && byName.get(resource)?.get(version ?? entry.latest)
    },
    resource: (name) => (Object.hasOwn(catalog.resources, name) ? catalog.resources[name] : undefined),
    resources: Object.keys(catalog.resources),
  }
  indexes.set(catalog, index)
  return index
}
