/**
 * The rule over a schema tree (`schemas/resources/<name>/<version>.json` plus an optional `resource.json` per
 * resource), as the generator and `contracts check` see it: each version admitted against the ones before it,
 * under the mode resource.json sets. Pure: the caller reads the files.
 */
import type { Mode } from '../compat/index.ts'
import { admitModeChange, DEFAULT_MODE, readResourceSettings, type ResourceSettings } from './mode.ts'
import { admitVersions } from './version.ts'
import type {
  Admission,
  AdmissionOptions,
  Admitted,
  Candidate,
  ModeChange,
  Refused,
  ResourceState,
} from './types.ts'

export interface TreeVersion {
  readonly name: string
  readonly version: number
  /** Relative to the schema root: `resources/person/2.json`. */
  readonly file: string
  readonly schema: unknown
}

export interface TreeSettings {
  readonly name: string
  /** `resources/person/resource.json`. */
  readonly file: string
  /** Its parsed content. */
  readonly json: unknown
}

export interface TreeInput {
  readonly resources: readonly TreeVersion[]
  readonly settings: readonly TreeSettings[]
}

/** The tree at a base revision (CI: the target branch), for `contracts check --base`. */
export interface BaseTree {
  /** Version files that exist at the base: published versions. */
  readonly files: ReadonlySet<string>
  readonly settings: readonly TreeSettings[]
}

export interface ResourceVerdict {
  readonly name: string
  /** Where its mode lives, whether or not the file exists. */
  readonly settingsFile: string
  readonly settings: Admission<ResourceSettings>
  readonly mode: Mode
  readonly modeSource: string
  readonly versions: number
  readonly admitted: readonly Admitted[]
  readonly refused: readonly { file: string; version: number; result: Refused }[]
  /** With a base whose resource.json set another mode: that change, checked against the published history. */
  readonly modeChange?: { readonly from: Mode; readonly to: Mode; readonly result: Admission<ModeChange> }
}

export const settingsFileOf = (name: string) => `resources/${name}/resource.json`

/** Where a file tree's mode is changed, for the x-compatibility message. */
export function fileModeSource(name: string, settings: ResourceSettings): string {
  const file = settingsFileOf(name)
  return settings.explicit ? `set in ${file}` : `the default: ${file} names no mode`
}

const modeAt = (settings: readonly TreeSettings[], name: string): Mode => {
  const r = readResourceSettings(settings.find((s) => s.name === name)?.json)
  return r.ok ? r.value.compatibility : DEFAULT_MODE
}

/**
 * Every resource of the tree, by name: its settings, then its versions in order, each admitted against the ones
 * before it under the resource's mode. With `base`, the published versions (present at the base) are admitted
 * under the base's mode, a changed mode is checked as its own step against them (admitModeChange), and the
 * versions added since are admitted under the new one: the order in which they joined.
 */
export function admitTree(
  tree: TreeInput,
  options: AdmissionOptions & { base?: BaseTree } = {},
): ResourceVerdict[] {
  const names = [...new Set(tree.resources.map((r) => r.name))].sort()
  return names.map((name) => {
    const settingsFile = settingsFileOf(name)
    const files = tree.resources.filter((r) => r.name === name).sort((a, b) => a.version - b.version)
    const settings = readResourceSettings(tree.settings.find((s) => s.name === name)?.json)
    const current = settings.ok ? settings.value : { compatibility: DEFAULT_MODE, explicit: false }
    const mode = current.compatibility
    const modeSource = fileModeSource(name, current)
    const verdict = { name, settingsFile, settings, mode, modeSource, versions: files.length }
    if (!settings.ok) return { ...verdict, admitted: [], refused: [] }
    const candidate = (f: TreeVersion): Candidate => ({
      version: f.version,
      schema: f.schema,
      origin: 'file',
    })
    let published = 0
    while (
      options.base &&
      published < files.length &&
      options.base.files.has((files[published] as TreeVersion).file)
    )
      published++
    const baseMode = options.base && published > 0 ? modeAt(options.base.settings, name) : mode
    const start: ResourceState = {
      name,
      history: [],
      mode: baseMode,
      modeSource:
        baseMode === mode ? modeSource : `the mode at the base: ${settingsFile} changes it to ${mode}`,
    }
    const before = admitVersions(start, files.slice(0, published).map(candidate), options)
    let modeChange: ResourceVerdict['modeChange']
    if (baseMode !== mode)
      modeChange = {
        from: baseMode,
        to: mode,
        result: admitModeChange(before.state.history, baseMode, mode, { policy: options.policy, name }),
      }
    const after = admitVersions(
      { ...before.state, mode, modeSource },
      files.slice(published).map(candidate),
      options,
    )
    const fileOf = (version: number) => files.find((f) => f.version === version)?.file ?? `${name} ${version}`
    return {
      ...verdict,
      admitted: [...before.admitted, ...after.admitted],
      refused: [...before.refused, ...after.refused].map((r) => ({ ...r, file: fileOf(r.version) })),
      ...(modeChange ? { modeChange } : {}),
    }
  })
}
