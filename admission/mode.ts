/**
 * The mode of a resource lives in one place (resource.json for a file tree, the stored config in the registry),
 * and changing it is its own checked step: the history already there must satisfy the new mode.
 */
import type { Issue } from '../core/errors.ts'
import { escapePointerToken } from '../core/json.ts'
import { checkTransitive, isMode, MODES, type Mode, type Policy } from '../compat/index.ts'
import { isJsonObject } from './document.ts'
import { differenceIssue, refusal } from './version.ts'
import type { Admission, HistoryEntry, ModeChange } from './types.ts'

/** The mode of a resource whose resource.json is absent or names none. */
export const DEFAULT_MODE: Mode = 'BACKWARD'

/** `schemas/resources/<name>/resource.json`: the resource's own settings. */
export interface ResourceSettings {
  readonly compatibility: Mode
  /** The file names the mode (else it is the default). */
  readonly explicit: boolean
}

/** Reads a parsed resource.json (undefined: no such file): `{ "compatibility": MODE }`, both optional. */
export function readResourceSettings(json: unknown): Admission<ResourceSettings> {
  if (json === undefined) return { ok: true, value: { compatibility: DEFAULT_MODE, explicit: false } }
  const issues: Issue[] = []
  if (!isJsonObject(json))
    issues.push({ path: '', keyword: 'type', message: 'resource.json holds a JSON object' })
  else {
    for (const k of Object.keys(json))
      if (k !== 'compatibility' && k !== '$comment')
        issues.push({
          path: `/${escapePointerToken(k)}`,
          keyword: 'additionalProperties',
          message: `unknown setting '${k}': resource.json holds only "compatibility"`,
        })
    if (json.compatibility !== undefined && !isMode(json.compatibility))
      issues.push({
        path: '/compatibility',
        keyword: 'enum',
        message: `compatibility must be one of ${MODES.join(', ')}`,
        params: { allowedValues: MODES },
      })
  }
  if (issues.length)
    return refusal(
      issues.map((issue) => ({ code: 'SCHEMA_INVALID', issue })),
      'resource.json',
    )
  const compatibility = (json as { compatibility?: Mode }).compatibility
  return {
    ok: true,
    value: { compatibility: compatibility ?? DEFAULT_MODE, explicit: compatibility !== undefined },
  }
}

/**
 * May a resource with this (active) history move from mode `from` to mode `to`? Every version must be compatible
 * under `to` with the one before it, or with every earlier one for a *_TRANSITIVE mode (NONE: always). Refused
 * with INCOMPATIBLE_SCHEMA and one issue per breaking difference, whose params name both versions.
 */
export function admitModeChange(
  history: readonly HistoryEntry[],
  from: Mode,
  to: Mode,
  options: { policy?: Policy; name?: string } = {},
): Admission<ModeChange> {
  if (from === to) return { ok: true, value: { from, to, pairs: 0 } }
  const issues: Issue[] = []
  let pairs = 0
  for (let j = 1; j < history.length; j++) {
    const later = history[j] as HistoryEntry
    const earlier = history.slice(0, j)
    const result = checkTransitive(
      earlier.map((h) => h.schema),
      later.schema,
      { mode: to, policy: options.policy },
    )
    pairs += to === 'NONE' ? 0 : /_TRANSITIVE$/.test(to) ? j : 1
    for (const { against, ...d } of result.differences)
      if (d.breaking)
        issues.push(
          differenceIssue(
            { ...d, against: against === undefined ? undefined : earlier[against - 1]?.version },
            later.version,
            `version ${later.version} `,
          ),
        )
  }
  if (issues.length === 0) return { ok: true, value: { from, to, pairs } }
  const what = options.name === undefined ? 'the history' : `the history of '${options.name}'`
  return {
    ...refusal(
      issues.map((issue) => ({ code: 'INCOMPATIBLE_SCHEMA', issue })),
      `mode change ${from} → ${to}`,
    ),
    summary: `mode change ${from} → ${to} refused: ${what} is not ${to} compatible (${issues.length} breaking difference${issues.length === 1 ? '' : 's'})`,
  }
}
