import type { ErrorObject } from 'ajv'
import { escapePointerToken } from './json.ts'
import { ContractError, type ContractErrorCode, type Issue, type SCHEMA_RULE_KEYWORDS } from './errors.ts'

export type SchemaRuleKeyword = (typeof SCHEMA_RULE_KEYWORDS)[number]

/** An ajv validator: a type guard that leaves structured errors on itself when it returns false. */
export interface ValidateFn<T> {
  (data: unknown): data is T
  errors?: ErrorObject[] | null
}

/** What a function that reports problems returns; `K` closes the keywords its issues may carry. */
export type Checked<T, K extends string = string> = { ok: true; value: T } | { ok: false; issues: Issue<K>[] }

/** One ajv error as an Issue whose path points at the offending field (a missing property's own path). */
export function toIssue(e: ErrorObject, prefix = ''): Issue<SchemaRuleKeyword> {
  let path = e.instancePath
  const p = e.params as Record<string, unknown>
  if (e.keyword === 'required' && typeof p.missingProperty === 'string')
    path += `/${escapePointerToken(p.missingProperty)}`
  if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string')
    path += `/${escapePointerToken(p.additionalProperty)}`
  let message = e.message ?? e.keyword
  if (e.keyword === 'enum' && Array.isArray(p.allowedValues))
    message += `: ${p.allowedValues.map(String).join(', ')}`
  if (e.keyword === 'format') message = `must be a valid ${String(p.format)}`
  // ajv names the JSON Schema keyword that failed: one of SCHEMA_RULE_KEYWORDS (test/core/keywords.test.ts).
  return { path: prefix + path, keyword: e.keyword as SchemaRuleKeyword, message, params: p }
}

/** Validates without throwing. `prefix` is a JSON Pointer prepended to every issue path. */
export function check<T>(validate: ValidateFn<T>, data: unknown, prefix = ''): Checked<T, SchemaRuleKeyword> {
  if (validate(data)) return { ok: true, value: data }
  // ajv's `if` keyword adds a summary error ("must match then schema") next to the real ones: drop it.
  // The same rule can fail twice at one place (content's own type and its `then` branch): report it once.
  const seen = new Set<string>()
  const issues: Issue<SchemaRuleKeyword>[] = []
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'if') continue
    const issue = toIssue(e, prefix)
    const key = `${issue.path}\0${issue.keyword}\0${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
  }
  return { ok: false, issues }
}

/** Validates and throws a ContractError (default code EVENT_INVALID) naming every issue. */
export function parse<T>(
  validate: ValidateFn<T>,
  data: unknown,
  what: string,
  code: ContractErrorCode = 'EVENT_INVALID',
): T {
  const r = check(validate, data)
  if (r.ok) return r.value
  throw new ContractError(code, `${what} does not match its schema`, r.issues)
}
