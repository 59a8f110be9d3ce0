/**
 * The lock file `contracts pull` writes: which versions of which resources were pulled from which registry, each
 * with its URI and a hash of its content, so that a build is reproducible and `pull --check` sees the registry
 * move on. Pure: the CLI reads and writes the file.
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from '../core/json.ts'

export interface LockedVersion {
  uri: string
  /** sha256 of the schema's canonical JSON (key order and whitespace do not count). */
  sha256: string
}

export interface LockedResource {
  /** The range pulled (`*` for every version); versions below it are locked too: they are its history. */
  range: string
  mode: string
  versions: Record<string, LockedVersion>
}

export interface LockFile {
  registry: string
  resources: Record<string, LockedResource>
}

export const contentHash = (schema: unknown): string =>
  createHash('sha256').update(canonicalJson(schema)).digest('hex')

/** Why a lock file is not one: undefined when it has the shape of a LockFile. */
export function lockProblem(value: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(value) || typeof value.registry !== 'string' || !isObject(value.resources))
    return 'not a lock file: { registry, resources }'
  for (const [name, r] of Object.entries(value.resources)) {
    if (!isObject(r) || typeof r.range !== 'string' || typeof r.mode !== 'string' || !isObject(r.versions))
      return `/resources/${name}: not { range, mode, versions }`
    for (const [v, e] of Object.entries(r.versions))
      if (
        !/^[1-9][0-9]*$/.test(v) ||
        !isObject(e) ||
        typeof e.uri !== 'string' ||
        typeof e.sha256 !== 'string'
      )
        return `/resources/${name}/versions/${v}: not { uri, sha256 }`
  }
}

const span = (versions: Record<string, unknown>) => {
  const n = Object.keys(versions).map(Number)
  return n.length ? `${Math.min(...n)}–${Math.max(...n)}` : 'none'
}

/** What changed between the lock and what the registry serves now; empty when nothing did. */
export function lockDifferences(locked: LockFile, now: LockFile): string[] {
  const out: string[] = []
  for (const name of Object.keys(locked.resources))
    if (!now.resources[name]) out.push(`${name}: locked, but no longer pulled`)
  for (const [name, r] of Object.entries(now.resources)) {
    const before = locked.resources[name]
    if (!before) {
      out.push(`${name}: pulled, but not in the lock`)
      continue
    }
    if (before.range !== r.range) out.push(`${name}: the lock pulled ${before.range}, now ${r.range}`)
    if (before.mode !== r.mode)
      out.push(`${name}: its mode was ${before.mode}, the registry says ${r.mode} now`)
    for (const [v, e] of Object.entries(r.versions)) {
      const pinned = before.versions[v]
      if (!pinned) out.push(`${name} ${v}: new on the registry (the lock has ${span(before.versions)})`)
      else if (pinned.sha256 !== e.sha256 || pinned.uri !== e.uri)
        out.push(
          `${name} ${v}: changed on the registry (sha256 ${pinned.sha256.slice(0, 12)}… in the lock, ${e.sha256.slice(0, 12)}… now): a published version must never change`,
        )
    }
    for (const v of Object.keys(before.versions))
      if (!r.versions[v]) out.push(`${name} ${v}: locked, but the registry no longer serves it`)
  }
  return out
}
