export { canonical } from './canonical.ts'
export { checkCompatibility, checkTransitive, resolveOptions } from './check.ts'
export type { ResolvedOptions } from './check.ts'
export { formatDifference, formatResult } from './format.ts'
export { DIFFERENCE_KINDS, HINTS, KINDS } from './rules/kinds.ts'
export type { KindInfo } from './rules/kinds.ts'
export { MODE_MEANINGS, MODES, POLICIES, isMode, isPolicy } from './types.ts'
export type {
  CompatOptions,
  CompatResult,
  Difference,
  DifferenceKind,
  Direction,
  Hint,
  Mode,
  Policy,
  Schema,
} from './types.ts'
