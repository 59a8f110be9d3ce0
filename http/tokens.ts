import { createHash } from 'node:crypto'
import { check, createAjv, type Checked, type Issue, type ValidateFn } from '../core/index.ts'

/**
 * Who may write what: tokens, each with a name (what the audit trail records), the resources it may write (globs)
 * and whether it is an admin token (configuration, deletes, the audit trail). A server's CLI reads them from its
 * environment and files; library code takes the parsed, resolved structure (`resolveTokens`).
 */

/** One entry of a token file (REGISTRY_TOKENS_FILE), as `checkTokens` admits it. */
export interface TokenEntry {
  readonly name: string
  /** The token in clear; or, instead, `sha256`: the hex SHA-256 of the token, so the file never holds it. */
  readonly token?: string
  readonly sha256?: string
  /** What it may write: resource names, `*` matching any run of characters (`time-*`, `*`). */
  readonly resources?: readonly string[]
  /** Admin tokens also change configuration, delete and read the audit trail; they may write every resource. */
  readonly admin?: boolean
}

/** One token as the authorizer uses it: never the token itself, only its digest. */
export interface Grant {
  readonly name: string
  /** Hex SHA-256 of the token, lower case. */
  readonly sha256: string
  readonly admin: boolean
  readonly resources: readonly string[]
}

/** Every token a server accepts, resolved once and frozen. No grants: writes are disabled. */
export interface Tokens {
  readonly grants: readonly Grant[]
}

export interface TokenSources {
  /** Admin tokens in clear (REGISTRY_TOKENS), named `admin-1`, `admin-2`… by position. */
  readonly admin?: readonly string[]
  /** Entries of a token file. */
  readonly entries?: readonly TokenEntry[]
}

/** Visible ASCII: what an Authorization header carries without quoting. */
const VISIBLE = '^[\\x21-\\x7e]+$'
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/

/** The shape of a token file; the rules across fields and entries are checked after it (`checkTokens`). */
export const TOKEN_FILE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'array',
  maxItems: 10_000,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: TOKEN_NAME.source },
      token: { type: 'string', maxLength: 1024, pattern: VISIBLE },
      sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
      resources: {
        type: 'array',
        maxItems: 1000,
        items: { type: 'string', maxLength: 256, pattern: VISIBLE },
      },
      admin: { type: 'boolean' },
    },
  },
} as const

let validateFile: ValidateFn<TokenEntry[]> | undefined

export const sha256Hex = (token: string): string => createHash('sha256').update(token).digest('hex')

const tokenIssue = (at: number, field: string, keyword: string, message: string, name?: string): Issue => ({
  path: `/${at}${field ? `/${field}` : ''}`,
  keyword,
  message: name === undefined ? message : `'${name}': ${message}`,
  params: name === undefined ? {} : { entry: name },
})

/**
 * A token file's content → its entries, or one issue per problem, each naming the entry (its index in the path, its
 * name in the message) and the field: the schema first, then exactly one of `token` and `sha256`, `resources`
 * unless `admin`, names and tokens unique.
 */
export function checkTokens(value: unknown): Checked<readonly TokenEntry[]> {
  validateFile ??= createAjv({ formats: {} }).compile<TokenEntry[]>(TOKEN_FILE_SCHEMA)
  const shape = check(validateFile, value)
  if (!shape.ok) {
    const names = Array.isArray(value) ? value : []
    return {
      ok: false,
      issues: shape.issues.map((i) => {
        const at = Number(i.path.split('/')[1])
        const entry: unknown = names[at]
        const name = (entry as { name?: unknown } | undefined)?.name
        return typeof name === 'string' && TOKEN_NAME.test(name)
          ? { ...i, message: `'${name}': ${i.message}`, params: { ...i.params, entry: name } }
          : i
      }),
    }
  }
  const issues: Issue[] = []
  const names = new Set<string>()
  const digests = new Map<string, string>()
  shape.value.forEach((e, i) => {
    if (e.token !== undefined && e.sha256 !== undefined)
      issues.push(tokenIssue(i, 'sha256', 'oneOf', 'give the token or its sha256, not both', e.name))
    if (e.token === undefined && e.sha256 === undefined)
      issues.push(tokenIssue(i, 'token', 'required', "must have 'token' or 'sha256'", e.name))
    if (e.resources === undefined && e.admin !== true)
      issues.push(
        tokenIssue(i, 'resources', 'required', "must have 'resources' (or be an admin token)", e.name),
      )
    if (names.has(e.name)) issues.push(tokenIssue(i, 'name', 'unique', 'another token has this name', e.name))
    names.add(e.name)
    const digest = e.token !== undefined ? sha256Hex(e.token) : e.sha256?.toLowerCase()
    if (digest === undefined) return
    const sameToken = digests.get(digest)
    if (sameToken !== undefined)
      issues.push(
        tokenIssue(
          i,
          e.token !== undefined ? 'token' : 'sha256',
          'unique',
          `the same token as '${sameToken}': a token names one principal`,
          e.name,
        ),
      )
    else digests.set(digest, e.name)
  })
  return issues.length ? { ok: false, issues } : { ok: true, value: shape.value }
}

/** A token file's text (JSON) → its entries, or the issues (`json` when it does not parse). */
export function parseTokenFile(text: string): Checked<readonly TokenEntry[]> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return { ok: false, issues: [{ path: '', keyword: 'json', message: (e as Error).message }] }
  }
  return checkTokens(value)
}

/**
 * Admin tokens and file entries → the frozen structure the authorizer takes. Admin tokens come first, named
 * `admin-1`… (a file entry may not take one of those names). Throws a TypeError listing the issues when the
 * entries break a rule (`checkTokens`): a CLI checks the file first to print them.
 */
export function resolveTokens({ admin = [], entries = [] }: TokenSources = {}): Tokens {
  const all: TokenEntry[] = [
    ...admin.filter((t) => t.length > 0).map((token, i) => ({ name: `admin-${i + 1}`, token, admin: true })),
    ...entries,
  ]
  const checked = checkTokens(all)
  if (!checked.ok) {
    const offset = admin.filter((t) => t.length > 0).length
    const where = (path: string) => {
      const at = Number(path.split('/')[1])
      return at < offset ? `admin token ${at + 1}` : `token entry ${at - offset}`
    }
    throw new TypeError(
      `invalid tokens: ${checked.issues.map((i) => `${where(i.path)}: ${i.message} (${i.keyword})`).join('; ')}`,
    )
  }
  return Object.freeze({
    grants: Object.freeze(
      checked.value.map((e) =>
        Object.freeze({
          name: e.name,
          sha256: e.token !== undefined ? sha256Hex(e.token) : (e.sha256 as string).toLowerCase(),
          admin: e.admin === true,
          resources: Object.freeze([...(e.resources ?? [])]),
        }),
      ),
    ),
  })
}

/**
 * Whether `text` matches `glob`, where `*` matches any run of characters (none included) and every other
 * character itself. Linear backtracking to the last `*` only: O(glob × text) at worst, never exponential.
 */
export function matchGlob(glob: string, text: string): boolean {
  let g = 0
  let t = 0
  let star = -1
  let mark = 0
  while (t < text.length) {
    if (g < glob.length && glob[g] === '*') {
      star = g++
      mark = t
    } else if (g < glob.length && glob[g] === text[t]) {
      g++
      t++
    } else if (star >= 0) {
      g = star + 1
      t = ++mark
    } else return false
  }
  while (g < glob.length && glob[g] === '*') g++
  return g === glob.length
}
