import { describe, expect, it } from 'vitest'
import { checkTokens, parseTokenFile, resolveTokens, sha256Hex, type TokenEntry } from '../../http/tokens.ts'

const DIGEST = sha256Hex('a-long-random-token')

describe('the token file', () => {
  it('admits the documented format', () => {
    const r = checkTokens([
      { name: 'time-team', sha256: DIGEST, resources: ['time-*'] },
      { name: 'people-team', token: 'people-secret', resources: ['person', 'people-*'] },
      { name: 'ops', token: 'ops-secret', admin: true },
    ])
    expect(r.ok).toBe(true)
  })

  it.each<{ what: string; file: unknown; path: string; keyword: string; message?: RegExp }>([
    { what: 'not a list', file: { name: 'x' }, path: '', keyword: 'type' },
    { what: 'an entry that is not an object', file: ['x'], path: '/0', keyword: 'type' },
    { what: 'no name', file: [{ token: 't', resources: ['*'] }], path: '/0/name', keyword: 'required' },
    {
      what: 'a name with a space',
      file: [{ name: 'a b', token: 't', resources: ['*'] }],
      path: '/0/name',
      keyword: 'pattern',
    },
    {
      what: 'an unknown field, in the second entry',
      file: [
        { name: 'a', token: 't1', resources: ['*'] },
        { name: 'b', token: 't2', resources: ['*'], scopes: ['x'] },
      ],
      path: '/1/scopes',
      keyword: 'additionalProperties',
      message: /^'b': /,
    },
    {
      what: 'a sha256 that is not one',
      file: [{ name: 'team-b', sha256: 'abc', resources: ['*'] }],
      path: '/0/sha256',
      keyword: 'pattern',
      message: /^'team-b': must match pattern/,
    },
    {
      what: 'resources not a list',
      file: [{ name: 'a', token: 't', resources: 'time-*' }],
      path: '/0/resources',
      keyword: 'type',
    },
    {
      what: 'a resource glob with a space',
      file: [{ name: 'a', token: 't', resources: ['time *'] }],
      path: '/0/resources/0',
      keyword: 'pattern',
    },
    {
      what: 'admin not a boolean',
      file: [{ name: 'a', token: 't', admin: 'yes' }],
      path: '/0/admin',
      keyword: 'type',
    },
    {
      what: 'a token with a space',
      file: [{ name: 'a', token: 'two words', resources: ['*'] }],
      path: '/0/token',
      keyword: 'pattern',
    },
    {
      what: 'neither token nor sha256',
      file: [{ name: 'a', resources: ['*'] }],
      path: '/0/token',
      keyword: 'required',
      message: /^'a': must have 'token' or 'sha256'/,
    },
    {
      what: 'both token and sha256',
      file: [{ name: 'a', token: 't', sha256: DIGEST, resources: ['*'] }],
      path: '/0/sha256',
      keyword: 'oneOf',
    },
    {
      what: 'no resources and not admin',
      file: [{ name: 'a', token: 't' }],
      path: '/0/resources',
      keyword: 'required',
    },
    {
      what: 'a name twice',
      file: [
        { name: 'a', token: 't1', resources: ['*'] },
        { name: 'a', token: 't2', resources: ['*'] },
      ],
      path: '/1/name',
      keyword: 'unique',
    },
    {
      what: 'one token twice, in clear and as its digest',
      file: [
        { name: 'a', token: 'a-long-random-token', resources: ['*'] },
        { name: 'b', sha256: DIGEST.toUpperCase(), resources: ['x'] },
      ],
      path: '/1/sha256',
      keyword: 'unique',
      message: /the same token as 'a'/,
    },
  ])('$what → $path ($keyword)', ({ file, path, keyword, message }) => {
    const r = checkTokens(file)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.issues).toEqual([expect.objectContaining({ path, keyword })])
    if (message) expect(r.issues[0]?.message).toMatch(message)
  })

  it('a file that is not JSON is one issue with keyword json', () => {
    const r = parseTokenFile('[{ "name": ')
    expect(r).toMatchObject({ ok: false, issues: [{ path: '', keyword: 'json' }] })
  })

  it('never repeats a token in an issue', () => {
    const r = parseTokenFile(
      JSON.stringify([
        { name: 'a', token: 'the-secret-value', resources: ['*'] },
        { name: 'b', token: 'the-secret-value', resources: ['*'] },
      ]),
    )
    expect(r.ok).toBe(false)
    expect(JSON.stringify(r)).not.toContain('the-secret-value')
  })
})

describe('resolveTokens', () => {
  it('names admin tokens by position, keeps no token in clear, and freezes the result', () => {
    const t = resolveTokens({
      admin: ['first-admin', '', 'second-admin'],
      entries: [{ name: 'team', sha256: DIGEST.toUpperCase(), resources: ['time-*'] }],
    })
    expect(t.grants).toEqual([
      { name: 'admin-1', sha256: sha256Hex('first-admin'), admin: true, resources: [] },
      { name: 'admin-2', sha256: sha256Hex('second-admin'), admin: true, resources: [] },
      { name: 'team', sha256: DIGEST, admin: false, resources: ['time-*'] },
    ])
    expect(JSON.stringify(t)).not.toContain('first-admin"')
    expect(Object.isFrozen(t) && Object.isFrozen(t.grants) && Object.isFrozen(t.grants[2])).toBe(true)
    expect(Object.isFrozen(t.grants[2]?.resources)).toBe(true)
  })

  it.each<{
    what: string
    admin: string[]
    entries: TokenEntry[]
    message: RegExp
  }>([
    {
      what: 'a file entry with an admin token’s name',
      admin: ['x-token'],
      entries: [{ name: 'admin-1', token: 'y-token', resources: ['*'] }],
      message: /token entry 0: 'admin-1': another token has this name \(unique\)/,
    },
    {
      what: 'the same token as an admin token',
      admin: ['x-token'],
      entries: [{ name: 'team', token: 'x-token', resources: ['*'] }],
      message: /token entry 0: 'team': the same token as 'admin-1'/,
    },
    {
      what: 'an admin token with a space',
      admin: ['a b'],
      entries: [],
      message: /admin token 1: 'admin-1': must match pattern/,
    },
  ])('refuses $what', ({ admin, entries, message }) => {
    expect(() => resolveTokens({ admin, entries })).toThrow(message)
  })
})
