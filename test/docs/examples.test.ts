/**
 * The documentation's TypeScript examples are real files. Every ```ts block of README.md, docs/publishing.md,
 * docs/consuming.md, docs/outbox.md, docs/gateway.md, docs/redis.md, docs/registry.md and docs/wire-format.md is a
 * verbatim part of a file
 * in examples/, which tsc typechecks
 * (tsconfig.json includes examples/), importing the package by its name as a service would (the
 * `event-contracts-source` export condition resolves that name to the sources here). The examples that need no
 * server are run here and must print what their closing "Prints:" comment says. The Kafka, Redis, PostgreSQL and
 * registry ones are typechecked only: running them needs a server, they create topics, streams and consumer
 * groups under the docs' own names (not a test's), and the consumers run until they are signalled.
 */
import { spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DOCS = [
  'README.md',
  'docs/publishing.md',
  'docs/consuming.md',
  'docs/outbox.md',
  'docs/gateway.md',
  'docs/redis.md',
  'docs/registry.md',
  'docs/wire-format.md',
]
/** No broker needed: run with tsx, output checked. */
const RUN = ['callisto.ts', 'gateway.ts', 'memory.ts', 'outbox-memory.ts', 'types.ts']
/** Need a server (Kafka; outbox.ts PostgreSQL too; redis-*.ts Redis; registry.ts a registry): typechecked by tsc. */
const SERVER_ONLY = [
  'consume.ts',
  'consuming.ts',
  'outbox.ts',
  'publish.ts',
  'publishing.ts',
  'redis-consuming.ts',
  'redis-publishing.ts',
  'registry.ts',
  'wire-format.ts',
]

const read = (path: string) => readFile(join(ROOT, path), 'utf8')

/** The ```ts (or ```typescript) blocks of a Markdown file, trimmed. */
function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```$/gm)].map((m) => (m[1] ?? '').trim())
}

/** The lines of an example's closing `// Prints:` comment, as patterns (`<uuid>` stands for any UUID). */
function printed(source: string): RegExp[] {
  const at = source.lastIndexOf('// Prints:\n')
  if (at < 0) return []
  return source
    .slice(at)
    .split('\n')
    .slice(1)
    .filter((line) => line.startsWith('//'))
    .map((line) => line.replace(/^\/\/ {3}/, ''))
    .map((line) =>
      line
        .split('<uuid>')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'),
    )
    .map((pattern) => new RegExp(`^${pattern}$`))
}

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=event-contracts-source', '--import', 'tsx', file], {
      cwd: ROOT,
      env: process.env,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('documentation examples', () => {
  it('has every file of examples/ either run here or marked as needing a server', async () => {
    const files = (await readdir(join(ROOT, 'examples'))).filter((f) => f.endsWith('.ts')).sort()
    expect(files).toEqual([...RUN, ...SERVER_ONLY].sort())
  })

  it.each(DOCS)('%s: every ```ts block is verbatim in a file of examples/', async (doc) => {
    const markdown = await read(doc)
    const blocks = tsBlocks(markdown)
    // A fence the pattern misses (indented, ```tsx…) would escape the check: count the fences themselves. Blocks
    // marked `file=PATH` are a service's own files (README, "Use it in your service"): test/package runs them.
    expect(blocks.length).toBe(markdown.match(/^\s*```(?:ts|typescript|tsx)\b(?! file=)/gm)?.length ?? 0)
    expect(blocks.length).toBeGreaterThan(0)
    const sources = await Promise.all([...RUN, ...SERVER_ONLY].map((f) => read(`examples/${f}`)))
    for (const block of blocks)
      expect(
        sources.some((s) => s.includes(block)),
        `not in examples/:\n${block}`,
      ).toBe(true)
  })

  it('uses every example in the documentation', async () => {
    const blocks = (await Promise.all(DOCS.map(read))).flatMap(tsBlocks)
    for (const file of [...RUN, ...SERVER_ONLY]) {
      const source = await read(`examples/${file}`)
      expect(
        blocks.some((b) => source.includes(b)),
        `examples/${file} is in no document`,
      ).toBe(true)
    }
  })

  it.each(RUN)('examples/%s runs without a broker, exits 0 and prints what it says', async (file) => {
    const source = await read(`examples/${file}`)
    const expected = printed(source)
    expect(expected.length, 'a closing "// Prints:" comment').toBeGreaterThan(0)
    const { code, stdout, stderr } = await run(`examples/${file}`)
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(expected.length)
    lines.forEach((line, i) => expect(line).toMatch(expected[i] as RegExp))
  })
})
