import type {
  Action,
  Catalog,
  ContractTypes,
  Envelope,
  ResourceName,
  ResourceReference,
} from '../generated/index.ts'

export type { Action, Envelope, ResourceName, ResourceReference }
export const ACTIONS = ['create', 'update', 'delete'] as const satisfies readonly Action[]

/** The version numbers of a resource. */
export type VersionOf<R extends ResourceName> = keyof Catalog[R]['versions'] & number
/** A resource's latest version. */
export type LatestOf<R extends ResourceName> = Catalog[R]['latest']
/** The schema URI of a resource version. */
export type UriOf<
  R extends ResourceName,
  V extends VersionOf<R> = LatestOf<R>,
> = Catalog[R]['versions'][V] extends {
  uri: infer U
}
  ? U
  : never
/** The content type of a resource version (the latest by default), from the generated types. */
export type ContentOf<R extends ResourceName, V extends VersionOf<R> = LatestOf<R>> =
  UriOf<R, V> extends keyof ContractTypes ? ContractTypes[UriOf<R, V>] : never

/** An event of one resource version and action: the envelope with its content narrowed. */
export type EventOf<
  R extends ResourceName,
  A extends Action = Action,
  V extends VersionOf<R> = LatestOf<R>,
> = Omit<Envelope, 'action' | 'resource'> & {
  action: A
  resource: { schema: UriOf<R, V>; content: ContentOf<R, V> | ResourceReference }
}

/** Any event of a resource, whatever its version: what a consumer's handler for that resource receives. */
export type AnyEventOf<R extends ResourceName, A extends Action = Action> = {
  [V in VersionOf<R>]: EventOf<R, A, V>
}[VersionOf<R>]

/** Any event in the catalog. */
export type AnyEvent = { [R in ResourceName]: AnyEventOf<R> }[ResourceName]
