/**
 * Schema patterns (`pattern`, `patternProperties`, `propertyNames`) on a linear-time engine: RE2, in pure JavaScript
 * (re2js). A backtracking RegExp takes exponential time on patterns like `^(a+)+$`; RE2 takes time linear in the
 * input whatever the pattern. JSON Schema patterns are ECMA-262 regular expressions with the `u` flag, so each one
 * is translated into RE2 syntax with the same meaning (`\s`, `\d`, `\w`, `.`, escapes, classes, Unicode
 * properties); what RE2 cannot express (backreferences, lookaround) is refused with the reason, never run.
 * This file is self-contained: the generator copies its text into generated/patterns.ts.
 */
import { RE2JS } from 're2js'

/** The translation of one pattern, or why it cannot run in linear time. */
export type PatternTranslation = { ok: true; source: string } | { ok: false; reason: string }

/** What a compiled pattern offers: RegExp's `test` (a match anywhere), and a `toString` that names it. */
export interface PatternMatcher {
  test(s: string): boolean
  toString(): string
}

type Range = readonly [number, number]
const MAX = 0x10ffff

// ECMA-262: \s is WhiteSpace plus LineTerminator; \d and \w are ASCII (u flag, no i flag); `.` is not a line terminator.
const SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]
const DIGIT: Range[] = [[0x30, 0x39]]
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]
const LINE_TERMINATORS: Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
]

/** The code points not in `ranges` (sorted, disjoint). */
function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = []
  let next = 0
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= MAX) out.push([next, MAX])
  return out
}

const SETS: Record<string, Range[]> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
}
const DOT = complement(LINE_TERMINATORS)

const hex = (cp: number) => `\\x{${cp.toString(16)}}`
const rangeText = ([lo, hi]: Range) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)
const classOf = (ranges: readonly Range[]) => `[${ranges.map(rangeText).join('')}]`
/** A literal code point: letters and digits as they are, anything else by its number (never a metacharacter). */
const literal = (cp: number) =>
  (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)
    ? String.fromCodePoint(cp)
    : hex(cp)

/** General categories by their long names (ECMA-262 accepts both spellings); RE2 knows the short ones. */
const CATEGORIES: Record<string, string> = {
  Letter: 'L',
  Cased_Letter: 'LC',
  Uppercase_Letter: 'Lu',
  Lowercase_Letter: 'Ll',
  Titlecase_Letter: 'Lt',
  Modifier_Letter: 'Lm',
  Other_Letter: 'Lo',
  Mark: 'M',
  Combining_Mark: 'M',
  Nonspacing_Mark: 'Mn',
  Spacing_Mark: 'Mc',
  Enclosing_Mark: 'Me',
  Number: 'N',
  Decimal_Number: 'Nd',
  digit: 'Nd',
  Letter_Number: 'Nl',
  Other_Number: 'No',
  Punctuation: 'P',
  punct: 'P',
  Connector_Punctuation: 'Pc',
  Dash_Punctuation: 'Pd',
  Open_Punctuation: 'Ps',
  Close_Punctuation: 'Pe',
  Initial_Punctuation: 'Pi',
  Final_Punctuation: 'Pf',
  Other_Punctuation: 'Po',
  Symbol: 'S',
  Math_Symbol: 'Sm',
  Currency_Symbol: 'Sc',
  Modifier_Symbol: 'Sk',
  Other_Symbol: 'So',
  Separator: 'Z',
  Space_Separator: 'Zs',
  Line_Separator: 'Zl',
  Paragraph_Separator: 'Zp',
  Other: 'C',
  Control: 'Cc',
  cntrl: 'Cc',
  Format: 'Cf',
  Surrogate: 'Cs',
  Private_Use: 'Co',
  Unassigned: 'Cn',
}
const SHORT_CATEGORIES = new Set(Object.values(CATEGORIES))
/** The few binary properties with a fixed, version-independent set of code points. */
const BINARY: Record<string, Range[]> = { Any: [[0, MAX]], ASCII: [[0, 0x7f]] }

/** Thrown inside the translator; the caller turns it into `{ ok: false }`. */
class Untranslatable extends Error {}

const refuse = (reason: string): never => {
  throw new Untranslatable(reason)
}

/** `\p{…}` / `\P{…}` → RE2's spelling, or ranges for a binary property; refused when RE2 has no equivalent. */
function property(body: string, negated: boolean): { text: string } | { ranges: Range[] } {
  const eq = body.indexOf('=')
  const name = eq < 0 ? undefined : body.slice(0, eq)
  const value = eq < 0 ? body : body.slice(eq + 1)
  const shown = `\\${negated ? 'P' : 'p'}{${body}}`
  let re2: string | undefined
  if (name === undefined) {
    if (SHORT_CATEGORIES.has(value)) re2 = value
    else if (Object.hasOwn(CATEGORIES, value)) re2 = CATEGORIES[value]
    else if (Object.hasOwn(BINARY, value)) {
      const ranges = BINARY[value] as Range[]
      return { ranges: negated ? complement(ranges) : ranges }
    }
  } else if (name === 'General_Category' || name === 'gc')
    re2 = SHORT_CATEGORIES.has(value) ? value : CATEGORIES[value]
  else if (name === 'Script' || name === 'sc') re2 = value
  if (re2 === undefined || !/^[A-Za-z_]+$/.test(re2))
    return refuse(`the Unicode property ${shown} has no equivalent in the linear-time engine`)
  const text = `\\${negated ? 'P' : 'p'}{${re2}}`
  try {
    RE2JS.compile(text)
  } catch {
    refuse(
      `the Unicode property ${shown} has no equivalent in the linear-time engine${name === 'Script' || name === 'sc' ? ' (use the long script name, e.g. Script=Greek)' : ''}`,
    )
  }
  return { text }
}

/** The pattern as RE2 source. `cps` are its code points (a `u` pattern is read by code point). */
function translate(cps: readonly string[]): string {
  let i = 0
  const n = cps.length
  const cp = (k: number) => (cps[k] as string).codePointAt(0) as number
  const isHex = (s: string | undefined) => s !== undefined && /^[0-9A-Fa-f]$/.test(s)
  const hexRun = (from: number, len: number): number | undefined => {
    let s = ''
    for (let k = from; k < from + len; k++) {
      if (!isHex(cps[k])) return undefined
      s += cps[k]
    }
    return parseInt(s, 16)
  }

  /** An escape that stands for one code point (after the backslash at `i`), advancing `i`; undefined otherwise. */
  const charEscape = (inClass: boolean): number | undefined => {
    const c = cps[i + 1] as string
    const simple: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 }
    if (Object.hasOwn(simple, c)) {
      i += 2
      return simple[c]
    }
    if (c === 'b' && inClass) {
      i += 2
      return 8
    }
    if (c === '0') {
      i += 2
      return 0
    }
    if (c === 'c') {
      i += 3
      return cp(i - 1) % 32
    }
    if (c === 'x') {
      const v = hexRun(i + 2, 2) as number
      i += 4
      return v
    }
    if (c === 'u') {
      if (cps[i + 2] === '{') {
        let end = i + 3
        while (cps[end] !== '}') end++
        const v = parseInt(cps.slice(i + 3, end).join(''), 16)
        i = end + 1
        return v
      }
      const v = hexRun(i + 2, 4) as number
      i += 6
      // A surrogate pair spelt as two escapes is one code point under the u flag.
      if (v >= 0xd800 && v <= 0xdbff && cps[i] === '\\' && cps[i + 1] === 'u') {
        const low = hexRun(i + 2, 4)
        if (low !== undefined && low >= 0xdc00 && low <= 0xdfff) {
          i += 6
          return 0x10000 + ((v - 0xd800) << 10) + (low - 0xdc00)
        }
      }
      return v
    }
    if (/^[1-9]$/.test(c)) refuse(`the backreference \\${c} cannot be matched in linear time`)
    if (c === 'k') refuse('the named backreference \\k<…> cannot be matched in linear time')
    if ('dDwWsSpPbB'.includes(c)) return undefined
    // An identity escape: a syntax character, `/`, or `-` in a class.
    i += 2
    return cp(i - 1)
  }

  /** `\d`, `\p{…}` and the like at `i`: ranges or RE2 text, advancing `i`. */
  const setEscape = (): { text: string } | { ranges: Range[] } => {
    const c = cps[i + 1] as string
    if (c === 'p' || c === 'P') {
      let end = i + 3
      while (cps[end] !== '}') end++
      const body = cps.slice(i + 3, end).join('')
      i = end + 1
      return property(body, c === 'P')
    }
    i += 2
    return { ranges: SETS[c] as Range[] }
  }

  const characterClass = (): string => {
    i++ // [
    const negated = cps[i] === '^'
    if (negated) i++
    const ranges: Range[] = []
    const texts: string[] = []
    const atom = (): number | { text: string } | { ranges: Range[] } => {
      if (cps[i] === '\\') return charEscape(true) ?? setEscape()
      return cp(i++)
    }
    while (cps[i] !== ']') {
      const a = atom()
      if (typeof a === 'number' && cps[i] === '-' && cps[i + 1] !== ']') {
        i++
        const b = atom()
        ranges.push([a, b as number])
      } else if (typeof a === 'number') ranges.push([a, a])
      else if ('text' in a) texts.push(a.text)
      else ranges.push(...a.ranges)
    }
    i++ // ]
    const items = ranges.map(rangeText).join('') + texts.join('')
    // [] matches nothing and [^] anything; RE2 spells neither.
    if (items === '') return negated ? `[${rangeText([0, MAX])}]` : `[^${rangeText([0, MAX])}]`
    return `[${negated ? '^' : ''}${items}]`
  }

  let out = ''
  while (i < n) {
    const c = cps[i] as string
    if (c === '\\') {
      const b = cps[i + 1]
      if (b === 'b' || b === 'B') {
        out += `\\${b}` // both ASCII word boundaries, as ECMA-262's without the i flag
        i += 2
        continue
      }
      const single = charEscape(false)
      if (single !== undefined) out += literal(single)
      else {
        const set = setEscape()
        out += 'text' in set ? set.text : classOf(set.ranges)
      }
    } else if (c === '[') out += characterClass()
    else if (c === '.') {
      out += classOf(DOT)
      i++
    } else if (c === '(') {
      if (cps[i + 1] !== '?') {
        out += '(?:' // never captured: only whether it matches matters
        i++
      } else if (cps[i + 2] === ':') {
        out += '(?:'
        i += 3
      } else if (cps[i + 2] === '=' || cps[i + 2] === '!')
        refuse(`the lookahead (?${cps[i + 2]}…) cannot be matched in linear time`)
      else if (cps[i + 2] === '<' && (cps[i + 3] === '=' || cps[i + 3] === '!'))
        refuse(`the lookbehind (?<${cps[i + 3]}…) cannot be matched in linear time`)
      else {
        // (?<name>…): a named group, matched as a plain group.
        while (cps[i] !== '>') i++
        out += '(?:'
        i++
      }
    } else if (c === '{') {
      let end = i + 1
      while (cps[end] !== '}') end++
      const body = cps.slice(i + 1, end).join('')
      for (const count of body.split(','))
        if (count !== '' && Number(count) > 1000)
          refuse(`the repetition {${body}} is over 1000, the linear-time engine's limit`)
      out += `{${body}}`
      i = end + 1
    } else if ('^$|)*+?'.includes(c)) {
      out += c
      i++
    } else out += literal(cp(i++))
  }
  return out
}

/**
 * Translates an ECMA-262 `u` pattern into RE2 syntax with the same meaning, or says why it cannot run in linear
 * time (not a valid pattern, a backreference, a lookaround, a property RE2 lacks, a repetition over its limit).
 */
export function translatePattern(pattern: string): PatternTranslation {
  const r = build(pattern)
  return r.ok ? { ok: true, source: r.source } : r
}

function build(pattern: string): { ok: true; source: string; re: RE2JS } | { ok: false; reason: string } {
  try {
    new RegExp(pattern, 'u')
  } catch (e) {
    return { ok: false, reason: `not a valid regular expression: ${(e as Error).message}` }
  }
  try {
    const source = translate([...pattern])
    return { ok: true, source, re: RE2JS.compile(source) }
  } catch (e) {
    if (e instanceof Untranslatable) return { ok: false, reason: e.message }
    return { ok: false, reason: `the linear-time engine refuses it: ${(e as Error).message}` }
  }
}

/** The fixed-length atoms a shape may hold at most: bounds the work per position of its one variable atom. */
const MAX_FIXED = 256

/**
 * Whether a backtracking RegExp provably takes linear time on `pattern`: anchored with `^`, then a sequence of
 * single-character atoms (a literal, an escape, a class, `.`), each with at most a quantifier, of which at most
 * one repeats a variable number of times, and an optional `$`. No group, no alternation. A backtracking matcher
 * then has one starting position and one choice point: it tries each length of the variable atom (at most n + 1)
 * and checks the fixed rest (at most MAX_FIXED characters) after each, so O(n). Such shapes (`^[A-Z0-9-]{1,32}$`,
 * `^\d{5}$`, `^[a-z]+$`) are most schema patterns, and V8 runs them many times faster than RE2 in JavaScript.
 */
export function linearOnBacktracking(pattern: string): boolean {
  const cps = [...pattern]
  if (cps[0] !== '^') return false
  let i = 1
  let variable = 0
  let fixed = 0
  const end = cps.at(-1) === '$' && cps.at(-2) !== '\\' ? cps.length - 1 : cps.length
  while (i < end) {
    const c = cps[i] as string
    if (c === '\\') {
      const e = cps[i + 1]
      if (e === undefined || /[1-9kbBpP]/.test(e)) return false
      if (e === 'u' && cps[i + 2] === '{') {
        while (i < end && cps[i] !== '}') i++
        i++
      } else i += e === 'x' ? 4 : e === 'u' ? 6 : e === 'c' ? 3 : 2
    } else if (c === '[') {
      i++
      if (cps[i] === '^') i++
      while (i < end && cps[i] !== ']') i += cps[i] === '\\' ? 2 : 1
      if (cps[i] !== ']') return false
      i++
    } else if ('()|^$*+?{}'.includes(c)) return false
    else i++
    // The atom's quantifier, if any.
    let min = 1
    let max = 1
    const q = cps[i]
    if (q === '*' || q === '+' || q === '?') {
      min = q === '+' ? 1 : 0
      max = q === '?' ? 1 : Infinity
      i++
    } else if (q === '{') {
      let close = i + 1
      while (close < end && cps[close] !== '}') close++
      const m = /^(\d+)(,(\d*))?$/.exec(cps.slice(i + 1, close).join(''))
      if (!m) return false
      min = Number(m[1])
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])
      i = close + 1
    }
    if (cps[i] === '?') i++ // lazy: another order of the same choices
    if (min !== max) variable++
    fixed += min
    if (variable > 1 || fixed > MAX_FIXED) return false
  }
  return i === end
}

/**
 * A schema pattern compiled for linear time: on RegExp when its shape is provably linear there
 * (`linearOnBacktracking`), on RE2 otherwise. Throws an Error with the reason when neither can run it.
 */
export function compilePattern(pattern: string): PatternMatcher {
  const r = build(pattern)
  if (!r.ok) throw new Error(`pattern ${JSON.stringify(pattern)}: ${r.reason}`)
  const shown = `/${pattern}/u`
  if (linearOnBacktracking(pattern)) {
    const native = new RegExp(pattern, 'u')
    return { test: (s) => native.test(s), toString: () => shown }
  }
  const { re } = r
  return { test: (s) => re.test(s), toString: () => shown }
}

/**
 * ajv's `code.regExp` engine: how every validator, generated or compiled at run time, builds its patterns. ajv
 * keys compiled patterns by `toString()`; in standalone output it writes `code`, which the generated module
 * imports under that name.
 */
export const patternRegExp = Object.assign((pattern: string, _flags: string) => compilePattern(pattern), {
  code: 'patternRegExp',
})
