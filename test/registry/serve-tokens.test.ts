import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../http/tokens.ts'
import { serveCommand } from '../../scripts/commands/serve.ts'
import { captureIo } from '../helpers/io.ts'
import { repoRoot } from './helpers.ts'

/** `contracts serve` with REGISTRY_TOKENS_FILE: the CLI is the one place that reads the file. */
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registry-tokens-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const TEAM = 'time-team-token-51c0de'
let files = 0
const file = async (name: string, content: unknown) => {
  const path = join(dir, name)
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

describe('contracts serve: REGISTRY_TOKENS_FILE', () => {
  it.each<[string, unknown, Record<string, string>, RegExp[]]>([
    [
      'an entry the schema refuses',
      [
        { name: 'team-a', token: TEAM, resources: ['time-*'] },
        { name: 'team-b', sha256: 'not-a-digest', resources: ['person'] },
      ],
      {},
      [
        /^serve: REGISTRY_TOKENS_FILE .*bad-\d+\.json is not a valid token file/,
        /^ {2}\/1\/sha256: 'team-b': must match pattern "\^\[0-9a-fA-F\]\{64\}\$" \(pattern\)$/m,
      ],
    ],
    [
      'an entry with neither token nor resources',
      [{ name: 'team-a' }],
      {},
      [/^ {2}\/0\/token: 'team-a': must have 'token' or 'sha256' \(required\)$/m, /\/0\/resources: /m],
    ],
    ['not JSON', '[{"name": "a",', {}, [/^ {2}\/: .*JSON.* \(json\)$/m]],
    [
      'a token that is also an admin token',
      [{ name: 'team-a', sha256: sha256Hex('shared-secret'), resources: ['*'] }],
      { REGISTRY_TOKENS: 'shared-secret' },
      [/invalid tokens: token entry 0: 'team-a': the same token as 'admin-1'/],
    ],
    [
      'a token named seed',
      [{ name: 'seed', token: TEAM, resources: ['*'] }],
      {},
      [/a token may not be named 'seed'/],
    ],
  ])('%s: refuses to start (2), naming the entry and the field', async (_what, content, env, messages) => {
    const path = await file(`bad-${++files}.json`, content)
    const { io, errText } = captureIo(repoRoot, { REGISTRY_TOKENS_FILE: path, ...env })
    expect(await serveCommand.run([], io)).toBe(2)
    for (const m of messages) expect(errText()).toMatch(m)
    expect(errText()).not.toContain(TEAM)
  })

  it('a file that cannot be read: 2, naming it', async () => {
    const { io, errText } = captureIo(repoRoot, { REGISTRY_TOKENS_FILE: join(dir, 'missing.json') })
    expect(await serveCommand.run([], io)).toBe(2)
    expect(errText()).toMatch(/REGISTRY_TOKENS_FILE .*missing\.json cannot be read: ENOENT/)
  })

  it('a real process takes the file: the team token writes only its own resources', async () => {
    const path = await file('tokens.json', [
      { name: 'time-team', sha256: sha256Hex(TEAM), resources: ['time-*'] },
    ])
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'silent',
        DATA_DIR: join(dir, 'data'),
        REGISTRY_TOKENS: 'an-admin-token',
        REGISTRY_TOKENS_FILE: path,
        REGISTRY_RELOAD_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString()
          const m = /listening on (http:\/\/\S+)/.exec(output)
          if (m && output.includes('writes ')) resolve(m[1] as string)
        })
        child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${output}`)))
      })
      expect(output).toContain('registry: writes enabled (2 tokens: 1 admin, 1 scoped)')
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${TEAM}` }
      const other = await fetch(`${url}/schemas/person/versions`, { method: 'POST', headers, body: '{}' })
      expect(other.status).toBe(403)
      expect(
        ((await other.json()) as { issues: { params: { resource: string } }[] }).issues[0]?.params.resource,
      ).toBe('person')
      const own = await fetch(`${url}/config/time-entry`, {
        method: 'PUT',
        headers,
        body: '{"compatibility":"NONE"}',
      })
      expect(own.status).toBe(403) // a mode change needs an admin token, even on its own resource
      const audit = await fetch(`${url}/audit?limit=1`, {
        headers: { authorization: 'Bearer an-admin-token' },
      })
      expect(audit.status).toBe(200)
    } finally {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
  }, 60_000)
})
