import semver from 'semver'
import type { Catalog, ResourceOf } from './catalog.ts'

/** The schema versions a consumer accepts for a resource: a semver range over `n.0.0` ('^1', '>=1 <3') or a list. */
export type AcceptedVersions = string | readonly number[]
export type Accept<C extends Catalog> = { readonly [R in ResourceOf<C>]?: AcceptedVersions }

/** Compiles `accept` once into a predicate; a resource without an entry accepts every version. */
export function acceptsVersion(
  accept: Readonly<Record<string, AcceptedVersions | undefined>> = {},
): (resource: string | undefined, version: number | undefined) => boolean {
  const rules = new Map<string, (v: number) => boolean>()
  for (const [resource, rule] of Object.entries(accept)) {
    if (rule === undefined) continue
    if (typeof rule === 'string') {
      const range = semver.validRange(rule)
      if (range === null) throw new TypeError(`accept['${resource}']: '${rule}' is not a semver range`)
      rules.set(resource, (v) => semver.satisfies(`${v}.0.0`, range))
    } else {
      const allowed = new Set(rule)
      rules.set(resource, (v) => allowed.has(v))
    }
  }
  return (resource, version) => {
    const rule = resource === undefined ? undefined : rules.get(resource)
    // A version we cannot tell (a schema URI outside the canonical form) passes only when nothing is required.
    return rule === undefined ? true : version !== undefined && rule(version)
  }
}
