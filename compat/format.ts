/** Formatting results for people: one line per difference, breaking ones first. */
import type { CompatResult, Difference } from './types.ts'

export function formatDifference(d: Difference): string {
  const tag = d.breaking ? 'BREAKING' : 'ok'
  const against = d.against === undefined ? '' : ` [vs version ${d.against}]`
  return `${tag.padEnd(8)} ${d.path || '/'}${against}: ${d.message} (${d.kind})`
}

export function formatResult(result: CompatResult, indent = ''): string {
  const sorted = [...result.differences].sort((a, b) => Number(b.breaking) - Number(a.breaking))
  return sorted.map((d) => indent + formatDifference(d)).join('\n')
}
