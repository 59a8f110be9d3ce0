/** The admission rule's vocabulary: what it is asked about and what it answers. */
import type { Issue } from '../core/errors.ts'
import type { Difference, Mode, Policy } from '../compat/index.ts'

export type JsonObject = Record<string, unknown>

/** One version already in a resource's history (active: not soft-deleted), oldest first. */
export interface HistoryEntry {
  readonly version: number
  readonly schema: JsonObject
}

/** What a resource is before the candidate joins it. */
export interface ResourceState {
  readonly name: string
  /** The topic and key its history established; undefined for a resource that does not exist yet. */
  readonly established?: { readonly topic: string; readonly key: string }
  /** Active versions, oldest first: what the candidate is checked against. */
  readonly history: readonly HistoryEntry[]
  /** The highest version number ever used (purged versions count); default: the last history entry's. */
  readonly lastVersion?: number
  /** The compatibility mode in force, from the one place it lives (resource.json, or the registry's config). */
  readonly mode: Mode
  /** Where that mode is set and changed, for messages: `set in resources/person/resource.json`. */
  readonly modeSource: string
  /**
   * The resource has no mode of its own yet and no history: its first version's `x-compatibility` becomes its
   * mode (the registry creating a resource). Never true for a file tree, whose mode lives in resource.json.
   */
  readonly modeOpen?: boolean
}

/**
 * Where a candidate comes from, which decides only the `$id` rule: a file must carry the canonical URI; a body
 * sent to the registry may leave it out (the registry assigns it) or carry exactly the URI it will get.
 */
export type Origin = 'file' | 'registry'

export interface Candidate {
  /** The version number it would get: the file's, or the one the registry assigns. */
  readonly version: number
  readonly schema: unknown
  readonly origin: Origin
}

export interface AdmissionOptions {
  policy?: Policy
  /** Bytes of the canonical JSON; default 256 KiB. */
  maxBytes?: number
  /** Nesting of objects and arrays; default 64. */
  maxDepth?: number
}

export const DEFAULT_LIMITS = { maxBytes: 256 * 1024, maxDepth: 64 } as const

/** A compatibility difference with `against` as the version number compared with (not a history position). */
export type AdmissionDifference = Omit<Difference, 'against'> & { readonly against?: number }

/** What the rule knows about a version it admits. */
export interface Admitted {
  readonly name: string
  readonly version: number
  /** The canonical `$id`: `https://event-contracts.dev/schemas/<name>/<version>`. */
  readonly uri: string
  readonly schema: JsonObject
  readonly topic: string
  readonly key: string
  /** The mode in force once it has joined (a first version may declare it where `modeOpen`). */
  readonly mode: Mode
  /** Every difference found against the history, breaking or not (none is breaking here). */
  readonly differences: readonly AdmissionDifference[]
}

/**
 * The kind of refusal, as a ContractError code: not a usable contract schema (SCHEMA_INVALID), names another
 * document, topic, key, version or mode (SCHEMA_CONFLICT), breaks the history (INCOMPATIBLE_SCHEMA). When several
 * apply, the first of SCHEMA_INVALID, INCOMPATIBLE_SCHEMA, SCHEMA_CONFLICT.
 */
export type RefusalCode = 'SCHEMA_INVALID' | 'SCHEMA_CONFLICT' | 'INCOMPATIBLE_SCHEMA'

/** core's Checked<T> failure, with the kind of refusal and a one-line summary. */
export interface Refused {
  readonly ok: false
  readonly issues: Issue[]
  readonly code: RefusalCode
  readonly summary: string
  /** A version compared with its history: every difference found, breaking or not. */
  readonly differences?: readonly AdmissionDifference[]
}

/** core's `Checked<T>` shape: `{ ok: true, value } | { ok: false, issues }` (a refusal also says code and summary). */
export type Admission<T> = { readonly ok: true; readonly value: T } | Refused

/** A mode change that the history satisfies. */
export interface ModeChange {
  readonly from: Mode
  readonly to: Mode
  /** How many (earlier, later) pairs of versions were compared. */
  readonly pairs: number
}
