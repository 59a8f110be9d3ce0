/** Public types of the compatibility engine. */
import type { DifferenceKind, Hint } from './rules/kinds.ts'

export type { DifferenceKind, Hint }

/** Compatibility modes, as in Confluent's Schema Registry. */
export const MODES = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const
export type Mode = (typeof MODES)[number]

/** What each mode guarantees, said once for a whole report (formatResult's header). */
export const MODE_MEANINGS: Readonly<Record<Mode, string>> = {
  BACKWARD: 'consumers on the new version must read everything written with the old one',
  BACKWARD_TRANSITIVE: 'consumers on the new version must read everything written with any earlier version',
  FORWARD: 'consumers still on the old version must read everything written with the new one',
  FORWARD_TRANSITIVE: 'consumers on any earlier version must read everything written with the new one',
  FULL: 'consumers on the new version must read everything written with the old one, and consumers on the old version everything written with the new one',
  FULL_TRANSITIVE:
    'consumers on the new version must read everything written with any earlier version, and consumers on any earlier version everything written with the new one',
  NONE: 'no guarantee: differences are listed, none of them breaks',
}

export const POLICIES = ['strict', 'lenient'] as const
/** `strict` (default) is sound; `lenient` tolerates the changes listed in docs/compatibility.md. */
export type Policy = (typeof POLICIES)[number]

/** A JSON Schema: a boolean schema or an object. */
export type Schema = boolean | { readonly [keyword: string]: unknown }

export interface CompatOptions {
  mode?: Mode
  policy?: Policy
}

/**
 * Which side a difference breaks.
 * `BACKWARD`: readers on the next schema reject data written under the previous one.
 * `FORWARD`: readers still on the previous schema reject data written under the next one.
 */
export type Direction = 'BACKWARD' | 'FORWARD'

export interface Difference {
  /** Stable name, one of DIFFERENCE_KINDS, e.g. 'property-became-required'. */
  readonly kind: DifferenceKind
  /** JSON Pointer to the keyword, following the schema's structure (a followed $ref keeps the referrer's path). */
  readonly path: string
  /** For people: what changed (one line; which side it breaks is `direction`, what the mode means MODE_MEANINGS). */
  readonly message: string
  /** The compatible alternative for this kind of change, from a closed set (HINTS). */
  readonly hint: Hint
  readonly previous: unknown
  readonly next: unknown
  /** True when this difference makes the pair incompatible under the requested mode and policy. */
  readonly breaking: boolean
  /** The direction in which the change loses instances. */
  readonly direction: Direction
  /** True when the lenient policy tolerates this difference. */
  readonly tolerated: boolean
  /** For transitive checks: the 1-based position in `history` of the version compared against. */
  readonly against?: number
}

export interface CompatResult {
  readonly compatible: boolean
  readonly differences: readonly Difference[]
}

/** A place where the checked side (A) admits an instance the other side (B) rejects. Internal. */
export interface Finding {
  readonly kind: DifferenceKind
  readonly path: string
  /** Describes the change from previous to next, without the "who breaks" part. */
  readonly what: string
  readonly previous: unknown
  readonly next: unknown
  /** The lenient policy tolerates it. */
  readonly lenient?: boolean
}

/** Mode → the directions it checks and whether it covers the whole history. */
export const MODE_RULES: Record<Mode, { directions: readonly Direction[]; transitive: boolean }> = {
  BACKWARD: { directions: ['BACKWARD'], transitive: false },
  BACKWARD_TRANSITIVE: { directions: ['BACKWARD'], transitive: true },
  FORWARD: { directions: ['FORWARD'], transitive: false },
  FORWARD_TRANSITIVE: { directions: ['FORWARD'], transitive: true },
  FULL: { directions: ['BACKWARD', 'FORWARD'], transitive: false },
  FULL_TRANSITIVE: { directions: ['BACKWARD', 'FORWARD'], transitive: true },
  NONE: { directions: [], transitive: false },
}

export const isMode = (s: unknown): s is Mode =>
  typeof s === 'string' && (MODES as readonly string[]).includes(s)
export const isPolicy = (s: unknown): s is Policy => s === 'strict' || s === 'lenient'
