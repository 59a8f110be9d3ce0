/**
 * A package-lock.json for a temporary project, cut from this repository's own lock: every package it needs
 * resolved to the version, tarball URL and integrity `npm ci` already put in the machine's npm cache. With it,
 * `npm ci --offline` installs the packed tarball and its neighbours without asking the registry anything
 * (`npm install --offline` would need the registry's package documents, which `npm ci` never caches).
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

interface LockEntry {
  version?: string
  resolved?: string
  integrity?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  [key: string]: unknown
}

interface Manifest {
  name: string
  version: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  bin?: Record<string, string>
  engines?: Record<string, string>
  license?: string
}

/** Where node would find `dep` from the package at `from` (`node_modules/a/node_modules/b`): its lock path. */
function locate(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  let base = from
  for (;;) {
    const candidate = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`
    if (packages[candidate]) return candidate
    if (!base) return undefined
    const at = base.lastIndexOf('/node_modules/')
    base = at < 0 ? '' : base.slice(0, at)
  }
}

const FLAGS = ['dev', 'optional', 'devOptional', 'peer']

/**
 * The lock of a project whose package.json is `app`, with `tarball` (the packed event-contracts, relative to the
 * project) as its `event-contracts` dependency.
 */
export async function offlineLock(repo: string, app: Manifest, tarball: { path: string; file: string }) {
  const repoLock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  const source = repoLock.packages
  const packed = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as Manifest
  const packages: Record<string, LockEntry> = {}
  const pending: [string, string][] = []
  const want = (from: string, deps: Record<string, string> | undefined) => {
    for (const dep of Object.keys(deps ?? {})) pending.push([from, dep])
  }
  const bytes = await readFile(tarball.file)
  packages['node_modules/event-contracts'] = {
    version: packed.version,
    resolved: `file:${tarball.path}`,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    license: packed.license,
    dependencies: packed.dependencies,
    peerDependencies: packed.peerDependencies,
    peerDependenciesMeta: packed.peerDependenciesMeta,
    bin: packed.bin,
    engines: packed.engines,
  }
  // event-contracts' own dependencies sit at the root of this repository's tree.
  for (const dep of Object.keys(packed.dependencies ?? {})) pending.push(['', dep])
  const { ['event-contracts']: _self, ...appDeps } = { ...app.dependencies, ...app.devDependencies }
  want('', appDeps)
  while (pending.length) {
    const [from, dep] = pending.pop() as [string, string]
    const at = locate(source, from, dep)
    if (!at) throw new Error(`${dep} (needed by ${from || 'the project'}) is not in package-lock.json`)
    if (packages[at]) continue
    const entry = Object.fromEntries(
      Object.entries(source[at] as LockEntry).filter(([k]) => !FLAGS.includes(k)),
    )
    packages[at] = entry
    want(at, (entry as LockEntry).dependencies)
    want(at, (entry as LockEntry).optionalDependencies)
    const meta = (entry as LockEntry).peerDependenciesMeta ?? {}
    for (const peer of Object.keys((entry as LockEntry).peerDependencies ?? {}))
      if (!meta[peer]?.optional) pending.push([at, peer])
  }
  return {
    name: app.name,
    version: app.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: app.name,
        version: app.version,
        ...(app.dependencies ? { dependencies: app.dependencies } : {}),
        ...(app.devDependencies ? { devDependencies: app.devDependencies } : {}),
      },
      ...Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : 1))),
    },
  }
}
