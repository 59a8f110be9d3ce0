/** The one report of the admission rule, for people: the same lines from the generator, the CI gate and the registry. */
import { formatIssues } from '../core/errors.ts'
import type { Issue } from '../core/errors.ts'

type Result =
  { readonly ok: true } | { readonly ok: false; readonly issues: readonly Issue[]; readonly summary?: string }

/**
 * `file: admitted`, or `file: <summary>` followed by one line per issue: `  <pointer>: <message> (<keyword>)`.
 * `indent` goes before every line.
 */
export function formatAdmission(file: string, result: Result, indent = ''): string {
  if (result.ok) return `${indent}${file}: admitted`
  const n = result.issues.length
  const summary = result.summary ?? `refused: ${n} problem${n === 1 ? '' : 's'}`
  return `${indent}${file}: ${summary}\n${formatIssues(result.issues, `${indent}  `)}`
}
