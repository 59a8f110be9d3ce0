/** Where contract schemas live. A resource version's `$id` is `${SCHEMA_BASE}/<name>/<version>`. */
export const SCHEMA_BASE = 'https://event-contracts.dev/schemas'

/** Resource names: lower-case words joined by single dashes (`time-entry`). */
export const RESOURCE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/

export function schemaUri(name: string, version: number, base: string = SCHEMA_BASE): string {
  return `${base}/${name}/${version}`
}

/** The resource name and version a canonical schema URI names, or undefined. */
export function parseSchemaUri(
  uri: string,
  base: string = SCHEMA_BASE,
): { name: string; version: number } | undefined {
  if (!uri.startsWith(base + '/')) return undefined
  const m = /^([a-z][a-z0-9-]*)\/([1-9][0-9]{0,8})$/.exec(uri.slice(base.length + 1))
  if (!m || !RESOURCE_NAME.test(m[1] as string)) return undefined
  return { name: m[1] as string, version: Number(m[2]) }
}

/**
 * The `$id` of a resource version's event schema (the schema of a whole event of that version, which the registry
 * derives): the version's URI with `/event`. The schema id in our Confluent frames names this schema.
 */
export const eventSchemaUri = (versionUri: string): string => `${versionUri}/event`
