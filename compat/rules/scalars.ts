/** type, enum/const, string and number keywords. */
import { deepEqual } from '../canonical.ts'
import type { Bound, JsonType } from '../keywords.ts'
import { bound, declaredTypes, isMultiple, num, patternMatchesAll, tighter } from '../keywords.ts'
import type { RuleInput } from './context.ts'
import { show, valuesOf } from './context.ts'
import type { DifferenceKind } from './kinds.ts'

const typeList = (s: ReadonlySet<JsonType>) =>
  [...s]
    .filter((t) => !(t === 'integer' && s.has('number')))
    .sort()
    .join(', ') || 'nothing'

export function typeRule(input: RuleInput): void {
  const { c, facts, engine, out, path } = input
  const tb = declaredTypes(c)
  if (!tb) return
  const missing = [...facts.types].filter((t) => !tb.has(t))
  if (missing.length === 0) return
  const ta = typeList(facts.types)
  const nb = typeList(tb)
  out.push(
    engine.finding(
      `${path}/type`,
      ['type-narrowed', `type narrowed from [${ta}] to [${nb}]: ${missing.join(', ')} no longer accepted`],
      ['type-widened', `type widened from [${nb}] to [${ta}]: ${missing.join(', ')} newly accepted`],
      [...facts.types],
      c['type'],
    ),
  )
}

export function enumRule(input: RuleInput): void {
  const { c, facts, engine, out, path } = input
  const isConst = 'const' in c
  const allowed = isConst ? [c['const']] : Array.isArray(c['enum']) ? c['enum'] : undefined
  if (!allowed) return
  const kw = isConst ? 'const' : 'enum'
  if (facts.values) {
    const missing = facts.values.filter((v) => !allowed.some((x) => deepEqual(x, v)))
    if (missing.length === 0) return
    const list = missing.map((v) => JSON.stringify(v)).join(', ')
    out.push(
      engine.finding(
        `${path}/${kw}`,
        [isConst ? 'const-changed' : 'enum-value-removed', `${kw} no longer allows ${list}`],
        [isConst ? 'const-changed' : 'enum-value-added', `${kw} now allows ${list}`],
        facts.values,
        allowed,
      ),
    )
    return
  }
  out.push(
    engine.finding(
      `${path}/${kw}`,
      [
        `${kw}-added`,
        `${kw} ${show(isConst ? c['const'] : allowed)} added: other values are no longer accepted`,
      ],
      [`${kw}-removed`, `${kw} ${show(isConst ? c['const'] : allowed)} removed: any value is now accepted`],
      undefined,
      isConst ? c['const'] : allowed,
    ),
  )
}

/** A numeric limit where A must be at least as tight as B. */
function limit(
  input: RuleInput,
  keyword: string,
  side: 'min' | 'max',
  floor: number | undefined,
  names: { tighter: DifferenceKind; looser: DifferenceKind },
): void {
  const { c, engine, out, path } = input
  const b = num(c[keyword])
  if (b === undefined || (side === 'min' && floor !== undefined && b <= floor)) return
  const as = valuesOf(input, keyword)
    .map(num)
    .filter((x): x is number => x !== undefined)
  const a = as.length === 0 ? floor : side === 'min' ? Math.max(...as, floor ?? -Infinity) : Math.min(...as)
  if (a !== undefined && (side === 'min' ? a >= b : a <= b)) return
  const verbT = side === 'min' ? 'raised' : 'lowered'
  const verbL = side === 'min' ? 'lowered' : 'raised'
  out.push(
    engine.finding(
      `${path}/${keyword}`,
      [names.tighter, `${keyword} ${verbT} from ${show(a)} to ${b}`],
      [names.looser, `${keyword} ${verbL} from ${b} to ${show(a)}`],
      a,
      b,
    ),
  )
}

/** Per count keyword: the kind when it tightens, the kind when it loosens. */
const COUNT_KINDS = {
  minLength: { tighter: 'min-length-increased', looser: 'min-length-decreased' },
  maxLength: { tighter: 'max-length-decreased', looser: 'max-length-increased' },
  minItems: { tighter: 'min-items-increased', looser: 'min-items-decreased' },
  maxItems: { tighter: 'max-items-decreased', looser: 'max-items-increased' },
  minProperties: { tighter: 'min-properties-increased', looser: 'min-properties-decreased' },
  maxProperties: { tighter: 'max-properties-decreased', looser: 'max-properties-increased' },
} as const satisfies Record<string, { tighter: DifferenceKind; looser: DifferenceKind }>

export function minMaxRule(input: RuleInput, keyword: keyof typeof COUNT_KINDS, floor?: number): void {
  const side = keyword.startsWith('min') ? 'min' : 'max'
  limit(input, keyword, side, side === 'min' ? (floor ?? 0) : undefined, COUNT_KINDS[keyword])
}

const TEXT_KINDS = {
  pattern: { added: 'pattern-added', removed: 'pattern-removed', changed: 'pattern-changed' },
  format: { added: 'format-added', removed: 'format-removed', changed: 'format-changed' },
} as const satisfies Record<string, Record<'added' | 'removed' | 'changed', DifferenceKind>>

function sameOrMissing(input: RuleInput, keyword: keyof typeof TEXT_KINDS): void {
  const kinds = TEXT_KINDS[keyword]
  const { c, engine, out, path } = input
  const b = c[keyword]
  if (b === undefined || (keyword === 'pattern' && patternMatchesAll(b))) return
  const as = valuesOf(input, keyword)
  if (as.some((a) => deepEqual(a, b))) return
  const at = `${path}/${keyword}`
  if (as.length === 0) {
    out.push(
      engine.finding(
        at,
        [kinds.added, `${keyword} ${show(b)} added`],
        [kinds.removed, `${keyword} ${show(b)} removed`],
        undefined,
        b,
      ),
    )
  } else {
    const a = as[0]
    out.push(
      engine.finding(
        at,
        [
          kinds.changed,
          `${keyword} changed from ${show(a)} to ${show(b)}: the engine does not compare ${keyword}s, so a different one is breaking`,
        ],
        [
          kinds.changed,
          `${keyword} changed from ${show(b)} to ${show(a)}: the engine does not compare ${keyword}s, so a different one is breaking`,
        ],
        a,
        b,
      ),
    )
  }
}

export function stringRule(input: RuleInput): void {
  if (!input.facts.types.has('string')) return
  minMaxRule(input, 'minLength')
  minMaxRule(input, 'maxLength')
  sameOrMissing(input, 'pattern')
  sameOrMissing(input, 'format')
}

const showBound = (b: Bound | undefined, side: 'min' | 'max') =>
  b === undefined ? 'none' : `${side === 'min' ? '>' : '<'}${b.exclusive ? '' : '='} ${b.value}`

/** For integers, `> 1.5` is `>= 2`. */
function asInteger(b: Bound, side: 'min' | 'max'): Bound {
  if (side === 'min')
    return { value: b.exclusive ? Math.floor(b.value) + 1 : Math.ceil(b.value), exclusive: false }
  return { value: b.exclusive ? Math.ceil(b.value) - 1 : Math.floor(b.value), exclusive: false }
}

export function numberRule(input: RuleInput): void {
  const { c, facts, engine, out, path, flat } = input
  if (!facts.types.has('number') && !facts.types.has('integer')) return
  const intOnly = !facts.types.has('number')
  for (const side of ['min', 'max'] as const) {
    let bb = bound(c, side)
    if (!bb) continue
    let ab = flat.plains
      .map((p) => bound(p, side))
      .reduce<Bound | undefined>(
        (x, y) => (y === undefined ? x : x === undefined ? y : tighter(x, y, side)),
        undefined,
      )
    if (intOnly) {
      bb = asInteger(bb, side)
      ab = ab && asInteger(ab, side)
    }
    const inside =
      ab !== undefined &&
      ((side === 'min' ? ab.value > bb.value : ab.value < bb.value) ||
        (ab.value === bb.value && (!bb.exclusive || ab.exclusive)))
    if (inside) continue
    const kw =
      side === 'min'
        ? typeof c['exclusiveMinimum'] === 'number' && !('minimum' in c)
          ? 'exclusiveMinimum'
          : 'minimum'
        : typeof c['exclusiveMaximum'] === 'number' && !('maximum' in c)
          ? 'exclusiveMaximum'
          : 'maximum'
    const from = showBound(ab, side)
    const to = showBound(bb, side)
    out.push(
      engine.finding(
        `${path}/${kw}`,
        [
          side === 'min' ? 'minimum-increased' : 'maximum-decreased',
          `${side === 'min' ? 'lower' : 'upper'} bound tightened from ${from} to ${to}`,
        ],
        [
          side === 'min' ? 'minimum-decreased' : 'maximum-increased',
          `${side === 'min' ? 'lower' : 'upper'} bound loosened from ${to} to ${from}`,
        ],
        ab,
        bb,
      ),
    )
  }
  const m = num(c['multipleOf'])
  if (m === undefined) return
  const ms = valuesOf(input, 'multipleOf')
    .map(num)
    .filter((x): x is number => x !== undefined)
  if (ms.some((a) => isMultiple(a, m)) || (intOnly && isMultiple(1, m))) return
  const a = ms[0]
  out.push(
    a === undefined
      ? engine.finding(
          `${path}/multipleOf`,
          ['multiple-of-added', `multipleOf ${m} added`],
          ['multiple-of-removed', `multipleOf ${m} removed`],
          undefined,
          m,
        )
      : engine.finding(
          `${path}/multipleOf`,
          ['multiple-of-changed', `multipleOf changed from ${a} to ${m}: ${a} is not a multiple of ${m}`],
          ['multiple-of-changed', `multipleOf changed from ${m} to ${a}: ${a} is not a multiple of ${m}`],
          a,
          m,
        ),
  )
}
