import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { ContractError } from '../core/index.ts'
import { matchGlob, type Tokens } from './tokens.ts'

/** What a request needs: to write one resource (its name, and where the request names it), or an admin token. */
export type Need = { readonly write: string; readonly path?: string } | { readonly admin: true }

/** Who a request comes from: the name of its token, as the token file (or `admin-N`) gives it. */
export interface Principal {
  readonly name: string
  readonly admin: boolean
}

/**
 * The one authorization check: the Authorization header and what the request needs → the principal, or a
 * ContractError: UNAUTHORIZED (401: no usable credentials) or FORBIDDEN (403: unknown token, a resource outside
 * the token's `resources`, an admin request with a non-admin token, or no tokens configured at all).
 */
export type Authorize = (authorization: string | undefined, need: Need) => Principal

export interface AuthorizerOptions {
  /** The comparison of two sha256 digests; constant time. Injected by tests to watch it. */
  equal?: (a: Buffer, b: Buffer) => boolean
  /**
   * The given token is compared with at least this many digests (the configured ones, then random ones that match
   * nothing), so that the time taken does not tell how many tokens there are below it.
   */
  minComparisons?: number
}

/** The challenge of a 401: both schemes are accepted. */
export const WWW_AUTHENTICATE =
  'Bearer realm="event-contracts", Basic realm="event-contracts", charset="UTF-8"'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

const HOW = 'send Authorization: Bearer <token>, or Basic with base64(<name>:<token>)'
const unauthorized = (keyword: string, message: string) =>
  new ContractError('UNAUTHORIZED', `this request needs a token: ${message}`, [
    { path: '/Authorization', keyword, message: `${message}: ${HOW}` },
  ])

// Fixed patterns, each linear: a scheme, spaces, then characters that exclude the space.
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i
const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i

/**
 * The token a header carries. Bearer: the token. Basic (Confluent clients' `basic.auth.user.info`): the password
 * is the token and the user part is ignored: the principal is the token's configured name, never a name the client
 * claims, and a name that is no secret would add no security.
 */
export function credentialOf(authorization: string | undefined): string {
  const header = authorization ?? ''
  if (header.trim() === '') throw unauthorized('required', 'no Authorization header')
  const bearer = BEARER.exec(header)
  if (bearer) return bearer[1] as string
  const basic = BASIC.exec(header)
  if (basic) {
    const encoded = basic[1] as string
    const bytes = Buffer.from(encoded, 'base64')
    // Node decodes leniently: only canonical base64 is taken, so one header has one meaning.
    if (encoded.length % 4 !== 0 || bytes.toString('base64') !== encoded)
      throw unauthorized('format', 'the Basic credentials are not base64')
    const text = bytes.toString('utf8')
    const colon = text.indexOf(':')
    if (colon < 0) throw unauthorized('format', 'the Basic credentials are not <name>:<token>')
    const token = text.slice(colon + 1)
    if (token === '') throw unauthorized('format', 'the Basic credentials have no token')
    return token
  }
  if (/^(?:Bearer|Basic)(?: |$)/i.test(header))
    throw unauthorized('format', 'the Authorization header is malformed')
  throw unauthorized('scheme', 'the Authorization scheme is neither Bearer nor Basic')
}

/**
 * The authorizer over a server's tokens, digests prepared once. Each request's token is hashed (sha256) and compared
 * with `timingSafeEqual` against every configured digest, with no early exit, so the time taken says nothing about
 * which token matched or how close a guess came; the scope is judged only once the token is known.
 */
export function createAuthorizer(
  tokens: Tokens,
  { equal = timingSafeEqual, minComparisons = 16 }: AuthorizerOptions = {},
): Authorize {
  const grants = tokens.grants
  const principals: readonly Principal[] = grants.map((g) => Object.freeze({ name: g.name, admin: g.admin }))
  const digests = grants.map((g) => Buffer.from(g.sha256, 'hex'))
  while (digests.length < minComparisons) digests.push(randomBytes(32))
  const n = digests.length
  return (authorization, need) => {
    if (grants.length === 0)
      throw new ContractError('FORBIDDEN', 'writes are disabled: no tokens are configured', [
        {
          path: '',
          keyword: 'writes-disabled',
          message: 'this server was started without tokens, so it takes no writes (and no admin requests)',
        },
      ])
    const given = digest(credentialOf(authorization))
    let found = -1
    for (let i = 0; i < n; i++) {
      const same = equal(given, digests[i] as Buffer)
      found = same && found < 0 ? i : found
    }
    const grant = grants[found]
    if (!grant)
      throw new ContractError('FORBIDDEN', 'the token is not accepted', [
        { path: '/Authorization', keyword: 'token', message: 'unknown token' },
      ])
    if ('admin' in need) {
      if (!grant.admin)
        throw new ContractError('FORBIDDEN', `token '${grant.name}' is not an admin token`, [
          {
            path: '/Authorization',
            keyword: 'admin',
            message: 'configuration, deletes and the audit trail need an admin token',
            params: { principal: grant.name },
          },
        ])
    } else if (!grant.admin && !grant.resources.some((glob) => matchGlob(glob, need.write)))
      throw new ContractError('FORBIDDEN', `token '${grant.name}' may not write '${need.write}'`, [
        {
          path: need.path ?? '',
          keyword: 'scope',
          message: `'${need.write}' is outside the resources of token '${grant.name}' (${grant.resources.join(', ') || 'none'})`,
          params: { resource: need.write, principal: grant.name, resources: grant.resources },
        },
      ])
    return principals[found] as Principal
  }
}
