/**
 * Results for people: a header saying once what the mode guarantees, then one line per difference (breaking
 * ones first) with its path, what changed, its kind and the compatible alternative.
 */
import type { CompatResult, Difference, Mode } from './types.ts'
import { MODE_MEANINGS } from './types.ts'

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }
/** Line breaks and other control characters as escapes (`\n`, `\u2028`), so that a line stays one line. */
function oneLine(s: string): string {
  let out = ''
  for (const ch of s) {
    const c = ch.charCodeAt(0)
    const control = c < 0x20 || c === 0x7f || c === 0x85 || c === 0x2028 || c === 0x2029
    out += control ? (ESCAPES[ch] ?? `\\u${c.toString(16).padStart(4, '0')}`) : ch
  }
  return out
}

const status = (d: Difference) => (d.breaking ? 'BREAKING' : d.tolerated ? 'tolerated' : 'ok')

/**
 * One line: `BREAKING BACKWARD /required: property "a" became required: … (property-became-required; hint: add it
 * as optional)`. The direction names the side that breaks; `[vs version N]` follows the path in transitive checks.
 */
export function formatDifference(d: Difference): string {
  const against = d.against === undefined ? '' : ` [vs version ${d.against}]`
  return oneLine(
    `${status(d).padEnd(9)} ${d.direction.padEnd(8)} ${d.path || '/'}${against}: ${d.message} (${d.kind}; hint: ${d.hint})`,
  )
}

/** `MODE: what it guarantees`, then each difference on its own line (breaking first), indented by `indent`. */
export function formatResult(result: CompatResult, mode: Mode, indent = ''): string {
  const rank = (d: Difference) => (d.breaking ? 0 : d.tolerated ? 1 : 2)
  const sorted = [...result.differences].sort((a, b) => rank(a) - rank(b))
  const lines = sorted.length === 0 ? ['no differences'] : sorted.map(formatDifference)
  return [`${mode}: ${MODE_MEANINGS[mode]}`, ...lines.map((l) => indent + l)].join('\n')
}
