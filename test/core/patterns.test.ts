/**
 * Schema patterns run on RE2 (core/patterns.ts): the same verdicts as ECMA-262's RegExp with the `u` flag on the
 * patterns schemas use, linear time on the ones that make a backtracking engine explode, and a refusal naming the
 * reason for what RE2 cannot express.
 */
import { describe, expect, it } from 'vitest'
import { compilePattern, linearOnBacktracking, translatePattern } from '../../core/patterns.ts'

/** pattern → inputs; each verdict must equal `new RegExp(pattern, 'u').test(input)`. */
const SAME: [string, string[]][] = [
  // anchors and plain literals
  ['^abc$', ['abc', 'abcd', 'xabc', 'abc\n', '']],
  ['abc', ['abc', 'xxabcxx', 'ab']],
  ['^$', ['', 'a', '\n']],
  ['^a|b$', ['a', 'xb', 'ab', 'ba', 'x']],
  // the registry's own parameter and name patterns
  ['^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$', ['time-entry', 'a', 'a--b', '-a', 'Time', 'a-1', 'a-']],
  ['^[A-Za-z0-9._-]{1,200}$', ['callisto.person-v1', '', 'a b', 'x'.repeat(200), 'x'.repeat(201)]],
  ['^[A-Z0-9-]{1,32}$', ['SKU-1', 'sku-1', '', 'A'.repeat(33)]],
  // classes and class escapes
  ['^\\d{3}-\\d{4}$', ['555-1234', '5551234', '٣٣٣-1234', '555-12345']],
  ['^\\w+$', ['abc_123', 'é', 'a-b', '']],
  ['^\\W$', ['-', 'a', 'é', '😀']],
  ['^\\s$', [' ', '\t', '\n', '\u00a0', '\u2003', '\u2028', '\ufeff', '\u200b', 'a', '\u0085']],
  ['^\\S+$', ['abc', 'a b', '\u00a0', 'é']],
  ['^[^\\s]+$', ['abc', 'a\u00a0b']],
  ['^[\\S\\d]$', ['a', ' ', '1']],
  ['^[\\w.-]+@[\\w.-]+$', ['a.b@c-d.e', 'a@@b', 'é@b']],
  ['^[^abc]$', ['a', 'd', '😀', '\n']],
  ['^[a-c\\-x]$', ['b', '-', 'x', 'd']],
  ['^[\\b]$', ['\b', 'b']],
  ['^[]$', ['', 'a']],
  ['^[^]$', ['a', '\n', '😀']],
  // the dot: every code point but line terminators
  ['^.$', ['a', '😀', '\n', '\r', '\u2028', '\u2029', '\u0085', '\ud800']],
  ['^a.c$', ['abc', 'a\nc', 'a😀c']],
  // escapes
  ['^\\x41\\u0042\\u{43}$', ['ABC', 'abc']],
  ['^\\uD83D\\uDE00$', ['😀', '\ud83d']],
  ['^\\u{1F600}+$', ['😀😀', '😀a']],
  ['^[\\u{1F600}-\\u{1F64F}]$', ['😃', '😀', 'a', '\ud83d']],
  ['^\\t\\n\\v\\f\\r\\0$', ['\t\n\v\f\r\0', 't']],
  ['^\\cJ$', ['\n', 'J']],
  ['^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/\\^\\$\\\\$', ['.*+?()[]{}|/^$\\', 'x']],
  ['^a\\/b$', ['a/b']],
  // word boundaries
  ['\\bcat\\b', ['cat', 'a cat!', 'concat', 'cats', 'écat']],
  ['\\Bat', ['cat', 'at']],
  // quantifiers, lazy ones, groups and alternation
  ['^(ab)+$', ['abab', 'aba', '']],
  ['^(?:ab){2,3}$', ['ab', 'abab', 'ababab', 'abababab']],
  ['^a{2,}?b$', ['aab', 'ab', 'aaaaab']],
  ['^(?<year>\\d{4})-(?<month>\\d{2})$', ['2026-11', '26-11']],
  ['^(a|ab)(c|bcd)(d*)$', ['abcd', 'abcdd', 'ac']],
  ['^a*?$', ['', 'aaa', 'b']],
  // Unicode properties
  ['^\\p{L}+$', ['héllo', 'Ωmega', 'abc1', '😀']],
  ['^\\p{Lu}', ['Abc', 'abc', 'Ωx']],
  ['^\\P{L}$', ['1', 'a', '😀']],
  ['^\\p{Letter}\\p{Nd}$', ['a1', 'a٣', '1a']],
  ['^\\p{General_Category=Punctuation}$', ['!', 'a']],
  ['^\\p{Script=Greek}+$', ['αβγ', 'abc']],
  ['^[\\p{L}\\d_]+$', ['abc_1', 'é9', '-']],
  ['^[^\\p{L}]$', ['a', '1']],
  ['^\\p{Any}$', ['a', '😀', '\n']],
  ['^\\p{ASCII}+$', ['abc~', 'é']],
  ['^\\P{ASCII}$', ['é', 'a']],
]

const cases = SAME.flatMap(([pattern, inputs]) => inputs.map((input) => ({ pattern, input })))

describe('patterns on RE2 answer as RegExp with the u flag does', () => {
  it.each(cases)('$pattern on $input', ({ pattern, input }) => {
    expect(compilePattern(pattern).test(input)).toBe(new RegExp(pattern, 'u').test(input))
  })
})

describe('what RE2 cannot express is refused with the reason', () => {
  it.each<[string, RegExp]>([
    ['^(a)\\1$', /backreference \\1/],
    ['^(?<x>a)\\k<x>$', /named backreference/],
    ['a(?=b)', /lookahead \(\?=/],
    ['a(?!b)', /lookahead \(\?!/],
    ['(?<=a)b', /lookbehind \(\?<=/],
    ['(?<!a)b', /lookbehind \(\?<!/],
    ['^a{1001}$', /repetition \{1001\} is over 1000/],
    ['^(a{100}){100}$', /linear-time engine refuses it/],
    ['\\p{Script=Grek}', /use the long script name/],
    ['\\p{Emoji}', /Unicode property \\p\{Emoji\} has no equivalent/],
    ['\\p{Script_Extensions=Greek}', /no equivalent/],
    ['(', /not a valid regular expression/],
    ['\\-', /not a valid regular expression/],
  ])('%s', (pattern, reason) => {
    const t = translatePattern(pattern)
    expect(t.ok).toBe(false)
    if (!t.ok) expect(t.reason).toMatch(reason)
    expect(() => compilePattern(pattern)).toThrow(reason)
  })
})

describe('linear time', () => {
  // With a backtracking engine each of these takes about 2^n steps: at n = 40, hours. The test's own timeout is
  // the detector: RE2 answers in a pass over the input.
  it.each([
    ['^(a+)+$', `${'a'.repeat(40)}!`],
    ['^(a|a)*$', `${'a'.repeat(40)}!`],
    ['^(a|aa)+$', `${'a'.repeat(60)}!`],
    ['^(\\w+\\s?)*$', `${'word '.repeat(20)}!`],
  ])('%s on %s does not match', (pattern, input) => {
    expect(compilePattern(pattern).test(input)).toBe(false)
  })

  it('names itself for ajv, which keys compiled patterns by toString()', () => {
    expect(String(compilePattern('^a$'))).toBe('/^a$/u')
    expect(String(compilePattern('^b$'))).not.toBe(String(compilePattern('^a$')))
  })
})

describe('shapes a backtracking RegExp runs in linear time keep RegExp (faster); everything else runs on RE2', () => {
  it.each<[string, boolean]>([
    ['^[A-Z0-9-]{1,32}$', true],
    ['^\\d{5}$', true],
    ['^[a-z]+$', true],
    ['^[a-z]+', true],
    ['^a\\.b*c$', true],
    ['^\\u{1F600}?x{3}$', true],
    ['^[^\\]]{0,10}$', true],
    ['^(a+)+$', false], // a group
    ['^(?:ab)*$', false],
    ['^a|b$', false], // alternation
    ['[a-z]+$', false], // not anchored at the start: every start position is tried
    ['^a+b+$', false], // two variable atoms: quadratic choices
    ['^\\d+\\d+$', false],
    ['^a{300}$', false], // over the fixed-length bound
    ['^\\bword$', false],
    ['^\\p{L}+$', false],
    ['^a\\$', true], // an escaped dollar is a literal
  ])('%s → %s', (pattern, linear) => {
    expect(linearOnBacktracking(pattern)).toBe(linear)
  })

  it.each([
    ['^[a-z]+$', `${'a'.repeat(100_000)}!`],
    ['^[a-z]*a$', `${'a'.repeat(100_000)}!`],
    ['^x[0-9]{0,1000}$', `x${'1'.repeat(100_000)}!`],
  ])('%s stays linear on RegExp: %#', (pattern, input) => {
    expect(linearOnBacktracking(pattern)).toBe(true)
    expect(compilePattern(pattern).test(input)).toBe(false)
  })
})
