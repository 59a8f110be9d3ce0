import { timingSafeEqual } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isContractError, type ContractError } from '../../core/index.ts'
import { createAuthorizer, credentialOf, type Need } from '../../http/auth.ts'
import { matchGlob, resolveTokens, sha256Hex } from '../../http/tokens.ts'

const ADMIN = 'admin-secret-0123456789'
const TIME = 'time-team-secret-abcdef'
const PEOPLE = 'people-team-secret-xyz'
const STAR = 'star-team-secret-qwerty'

const tokens = resolveTokens({
  admin: [ADMIN],
  entries: [
    { name: 'time-team', token: TIME, resources: ['time-*'] },
    // Given as its digest: the configuration never holds this token in clear.
    { name: 'people-team', sha256: sha256Hex(PEOPLE).toUpperCase(), resources: ['person', 'people-*'] },
    { name: 'everything', token: STAR, resources: ['*'] },
  ],
})
const authorize = createAuthorizer(tokens)

const colon = { name: 'colon', token: 'a:b', resources: ['x'] } as const
const asEntry = (g: (typeof tokens.grants)[number]) => ({
  name: g.name,
  sha256: g.sha256,
  resources: g.resources,
  admin: g.admin,
})

const bearer = (t: string) => `Bearer ${t}`
const basic = (user: string, t: string) => `Basic ${Buffer.from(`${user}:${t}`).toString('base64')}`

/** The error `fn` throws (a test fails when it throws nothing). */
function thrown(fn: () => unknown): ContractError {
  try {
    fn()
  } catch (e) {
    if (isContractError(e)) return e
    throw e
  }
  throw new Error('expected a ContractError')
}

describe('the authorizer', () => {
  it.each<{ what: string; header: string; need: Need; principal: string }>([
    {
      what: 'bearer, admin token, admin need',
      header: bearer(ADMIN),
      need: { admin: true },
      principal: 'admin-1',
    },
    {
      what: 'bearer, admin token writes anything',
      header: bearer(ADMIN),
      need: { write: 'person' },
      principal: 'admin-1',
    },
    {
      what: 'bearer, glob prefix',
      header: bearer(TIME),
      need: { write: 'time-entry' },
      principal: 'time-team',
    },
    {
      what: 'scheme is case-insensitive',
      header: `bearer ${TIME}`,
      need: { write: 'time-off' },
      principal: 'time-team',
    },
    {
      what: 'sha256 entry, exact name',
      header: bearer(PEOPLE),
      need: { write: 'person' },
      principal: 'people-team',
    },
    {
      what: 'sha256 entry, second glob',
      header: bearer(PEOPLE),
      need: { write: 'people-x' },
      principal: 'people-team',
    },
    {
      what: '`*` writes every resource',
      header: bearer(STAR),
      need: { write: 'anything-at-all' },
      principal: 'everything',
    },
    {
      what: 'basic, user ignored',
      header: basic('whoever', TIME),
      need: { write: 'time-entry' },
      principal: 'time-team',
    },
    { what: 'basic, empty user', header: basic('', ADMIN), need: { admin: true }, principal: 'admin-1' },
    {
      what: 'basic, token with a colon',
      header: basic('u', 'a:b'),
      need: { write: 'x' },
      principal: 'colon',
    },
  ])('$what → $principal', ({ header, need, principal }) => {
    const withColon = createAuthorizer(
      resolveTokens({ admin: [ADMIN], entries: [...tokens.grants.slice(1).map(asEntry), colon] }),
    )
    expect(withColon(header, need).name).toBe(principal)
  })

  it.each<{ what: string; header: string | undefined; keyword: string }>([
    { what: 'no header', header: undefined, keyword: 'required' },
    { what: 'empty header', header: '', keyword: 'required' },
    { what: 'another scheme', header: 'Digest username="x"', keyword: 'scheme' },
    { what: 'a bare token', header: TIME, keyword: 'scheme' },
    { what: 'bearer without a token', header: 'Bearer ', keyword: 'format' },
    { what: 'bearer with two words', header: `Bearer ${TIME} more`, keyword: 'format' },
    { what: 'bearer with a control character', header: `Bearer a\u0001b`, keyword: 'format' },
    { what: 'basic that is not base64', header: 'Basic !!!!', keyword: 'format' },
    { what: 'basic not canonical base64', header: 'Basic YQ', keyword: 'format' },
    {
      what: 'basic without a colon',
      header: `Basic ${Buffer.from('justatoken').toString('base64')}`,
      keyword: 'format',
    },
    { what: 'basic with an empty token', header: basic('time-team', ''), keyword: 'format' },
  ])('$what → 401 UNAUTHORIZED ($keyword)', ({ header, keyword }) => {
    const e = thrown(() => authorize(header, { write: 'time-entry' }))
    expect(e.code).toBe('UNAUTHORIZED')
    expect(e.issues).toEqual([expect.objectContaining({ path: '/Authorization', keyword })])
  })

  it.each<{ what: string; header: string; need: Need; keyword: string; path: string }>([
    {
      what: 'unknown token',
      header: bearer('nope'),
      need: { write: 'time-entry' },
      keyword: 'token',
      path: '/Authorization',
    },
    {
      what: 'unknown token over basic',
      header: basic('time-team', 'nope'),
      need: { admin: true },
      keyword: 'token',
      path: '/Authorization',
    },
    {
      what: 'a digest sent as the token',
      header: bearer(sha256Hex(PEOPLE)),
      need: { write: 'person' },
      keyword: 'token',
      path: '/Authorization',
    },
    {
      what: 'another team’s resource',
      header: bearer(TIME),
      need: { write: 'person', path: '/name' },
      keyword: 'scope',
      path: '/name',
    },
    {
      what: 'a glob is anchored',
      header: bearer(TIME),
      need: { write: 'overtime-entry' },
      keyword: 'scope',
      path: '',
    },
    {
      what: 'admin need, team token',
      header: bearer(STAR),
      need: { admin: true },
      keyword: 'admin',
      path: '/Authorization',
    },
  ])('$what → 403 FORBIDDEN ($keyword)', ({ header, need, keyword, path }) => {
    const e = thrown(() => authorize(header, need))
    expect(e.code).toBe('FORBIDDEN')
    expect(e.issues).toEqual([expect.objectContaining({ path, keyword })])
  })

  it('a scope refusal names the resource and the token, never the token itself', () => {
    const e = thrown(() => authorize(bearer(TIME), { write: 'person', path: '/name' }))
    expect(e.message).toBe("token 'time-team' may not write 'person'")
    expect(e.issues[0]).toMatchObject({
      path: '/name',
      keyword: 'scope',
      params: { resource: 'person', principal: 'time-team', resources: ['time-*'] },
    })
    expect(JSON.stringify({ message: e.message, issues: e.issues })).not.toContain(TIME)
  })

  it('no tokens configured: every request is 403 writes-disabled, whatever it sends', () => {
    const none = createAuthorizer(resolveTokens({}))
    for (const header of [undefined, bearer(ADMIN), 'garbage']) {
      const e = thrown(() => none(header, { write: 'person' }))
      expect(e.code).toBe('FORBIDDEN')
      expect(e.issues[0]?.keyword).toBe('writes-disabled')
    }
  })

  it('the given token is compared with every configured digest, the same number of times whichever matches', () => {
    const calls: Buffer[][] = []
    const spy = (a: Buffer, b: Buffer) => {
      calls.push([a, b])
      return timingSafeEqual(a, b)
    }
    const watched = createAuthorizer(tokens, { equal: spy, minComparisons: 0 })
    const configured = tokens.grants.map((g) => g.sha256).sort()
    for (const header of [bearer(ADMIN), bearer(STAR), bearer('wrong'), basic('x', PEOPLE)]) {
      calls.length = 0
      try {
        watched(header, { admin: true })
      } catch {
        // refusals are the other tests' business: here, only the comparisons count
      }
      expect(calls.length, header).toBe(tokens.grants.length)
      expect(calls.map(([, b]) => b?.toString('hex')).sort(), header).toEqual(configured)
    }
  })

  it('with fewer tokens than minComparisons, random digests make up the count', () => {
    let count = 0
    const watched = createAuthorizer(tokens, {
      equal: (a, b) => {
        count++
        return timingSafeEqual(a, b)
      },
      minComparisons: 16,
    })
    expect(watched(bearer(STAR), { write: 'x' }).name).toBe('everything')
    expect(count).toBe(16)
  })
})

describe('credentialOf', () => {
  it.each([
    [bearer('abc'), 'abc'],
    ['Bearer   abc  ', 'abc'],
    [basic('user', 'tok:en'), 'tok:en'],
    [basic('', 'tok'), 'tok'],
  ])('%s → %s', (header, token) => {
    expect(credentialOf(header)).toBe(token)
  })
})

describe('matchGlob', () => {
  it.each<[string, string, boolean]>([
    ['person', 'person', true],
    ['person', 'persons', false],
    ['person', 'perso', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['time-*', 'time-entry', true],
    ['time-*', 'time-', true],
    ['time-*', 'time', false],
    ['time-*', 'overtime-entry', false],
    ['*-entry', 'time-entry', true],
    ['*-entry', 'time-entry-x', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'abcabc', true],
    ['a*b*c', 'acb', false],
    ['**', 'x', true],
    ['a?', 'ab', false],
    ['a.c', 'abc', false],
  ])('%s against %s → %s', (glob, text, matches) => {
    expect(matchGlob(glob, text)).toBe(matches)
  })

  it('is not exponential on the classic backtracking trap', () => {
    const glob = `${'a*'.repeat(50)}b`
    const text = 'a'.repeat(5000)
    // O(glob × text) = 500k steps at most: a wrong answer, not a stall, is what would fail here.
    expect(matchGlob(glob, text)).toBe(false)
    expect(matchGlob(glob, `${text}b`)).toBe(true)
  })
})
