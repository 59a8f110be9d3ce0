import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { ContractError } from '../core/index.ts'

const digest = (s: string) => createHash('sha256').update(s).digest()

/**
 * Writes need `Authorization: Bearer <token>`: 401 without one, 403 with a wrong one, 403 for every write when no
 * token is configured (secure by default). Tokens are compared as sha256 digests with timingSafeEqual, against
 * every configured token, so the time taken says nothing about the tokens.
 */
export function requireToken(tokens: readonly string[]): MiddlewareHandler {
  const accepted = tokens.map(digest)
  return async (c, next) => {
    if (accepted.length === 0)
      throw new ContractError('FORBIDDEN', 'writes are disabled on this registry: no tokens are configured', [
        {
          path: '',
          keyword: 'writes-disabled',
          message: 'start the registry with tokens (REGISTRY_TOKENS for `contracts serve`) to enable writes',
        },
      ])
    const m = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')
    if (!m) throw new ContractError('UNAUTHORIZED', 'this request writes: send Authorization: Bearer <token>')
    const given = digest(m[1] as string)
    let ok = false
    for (const a of accepted) ok = timingSafeEqual(given, a) || ok
    if (!ok)
      throw new ContractError('FORBIDDEN', 'the token is not accepted', [
        { path: '', keyword: 'token', message: 'unknown token' },
      ])
    await next()
  }
}
