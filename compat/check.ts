/** The public entry points: one pair, or a new version against its history. */
import { canonical } from './canonical.ts'
import { scanReferences } from './cycles.ts'
import type { ReferenceScan } from './cycles.ts'
import { indexDoc } from './resolve.ts'
import type { Node } from './resolve.ts'
import { Checker } from './subschema.ts'
import type {
  CompatOptions,
  CompatResult,
  Difference,
  Direction,
  Finding,
  Mode,
  Policy,
  Schema,
} from './types.ts'
import { KINDS } from './rules/kinds.ts'
import { MODE_RULES } from './types.ts'

export interface ResolvedOptions {
  mode: Mode
  policy: Policy
}

const DEFAULTS: ResolvedOptions = { mode: 'BACKWARD', policy: 'strict' }

export const resolveOptions = (options: CompatOptions = {}): ResolvedOptions => ({
  mode: options.mode ?? DEFAULTS.mode,
  policy: options.policy ?? DEFAULTS.policy,
})

/**
 * Compares two schemas. Both directions are always computed, so every difference is reported; `breaking` says
 * whether it counts under `mode` and `policy`. Never throws for a schema it does not understand: that is an
 * 'unjudgeable' (breaking) difference.
 */
export function checkCompatibility(previous: Schema, next: Schema, options?: CompatOptions): CompatResult {
  const { mode, policy } = resolveOptions(options)
  const differences = compare(previous, next, mode, policy)
  return { compatible: differences.every((d) => !d.breaking), differences }
}

/**
 * Checks `next` against earlier versions (oldest first): all of them for *_TRANSITIVE modes, the latest otherwise.
 * Each difference carries `against`, the 1-based position in `history`.
 */
export function checkTransitive(
  history: readonly Schema[],
  next: Schema,
  options?: CompatOptions,
): CompatResult {
  const { mode, policy } = resolveOptions(options)
  const from = MODE_RULES[mode].transitive ? 0 : Math.max(0, history.length - 1)
  const differences: Difference[] = []
  for (let i = from; i < history.length; i++) {
    const prev = history[i] as Schema
    for (const d of compare(prev, next, mode, policy)) differences.push({ ...d, against: i + 1 })
  }
  return { compatible: differences.every((d) => !d.breaking), differences }
}

function compare(previous: Schema, next: Schema, mode: Mode, policy: Policy): Difference[] {
  // Own copies: the engine keys its caches by node identity and must not share nodes between the two documents.
  const prev = structuredClone(previous) as Node
  const nxt = structuredClone(next) as Node
  const docP = indexDoc(prev)
  const docN = indexDoc(nxt)
  const checks = MODE_RULES[mode].directions
  const scanP = scanReferences(docP)
  const scanN = scanReferences(docN)
  const cycles = [...cycleFindings('previous', scanP), ...cycleFindings('next', scanN)]
  // The same document means the same thing, when all it means is here: no reference leaves it or dangles.
  if (cycles.length === 0 && !scanP.unresolved && !scanN.unresolved && canonical(prev) === canonical(nxt))
    return []
  const found: [Direction, Finding[]][] =
    cycles.length > 0
      ? [
          ['BACKWARD', cycles],
          ['FORWARD', cycles],
        ]
      : [
          ['BACKWARD', new Checker('BACKWARD', docP, docN).run(prev, nxt)],
          ['FORWARD', new Checker('FORWARD', docN, docP).run(nxt, prev)],
        ]
  return found
    .flatMap(([direction, fs]) =>
      fs.map((f) => toDifference(f, direction, checks.includes(direction), policy)),
    )
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : x.direction < y.direction ? -1 : 0))
}

/**
 * A schema whose references loop without consuming input has no meaning (a validator never finishes), so the
 * pair cannot be judged in either direction, whichever side it is on: fail closed.
 */
function cycleFindings(side: 'previous' | 'next', scan: ReferenceScan): Finding[] {
  const { cycle } = scan
  if (!cycle) return []
  return [
    {
      kind: 'unjudgeable',
      path: cycle.path,
      what: `cannot judge: the ${side} schema has a reference cycle that consumes no input (${cycle.chain.join(' → ')}), so validating against it never ends`,
      previous: side === 'previous' ? cycle.chain : undefined,
      next: side === 'next' ? cycle.chain : undefined,
    },
  ]
}

function toDifference(f: Finding, direction: Direction, checked: boolean, policy: Policy): Difference {
  const tolerated = policy === 'lenient' && f.lenient === true
  const note = f.lenient
    ? tolerated
      ? '; tolerated by the lenient policy'
      : '; the lenient policy would tolerate it'
    : ''
  // Which side breaks is `direction`, and what the mode guarantees is said once per report (MODE_MEANINGS).
  return {
    kind: f.kind,
    path: f.path,
    message: `${f.what}${note}`,
    hint: KINDS[f.kind].hint,
    previous: f.previous,
    next: f.next,
    breaking: checked && !tolerated,
    direction,
    tolerated,
  }
}
