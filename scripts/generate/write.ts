import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Files in `dir` whose text differs from `files`, plus files there that the generator no longer makes. */
export async function staleFiles(dir: string, files: Map<string, string>): Promise<string[]> {
  const stale: string[] = []
  for (const [name, text] of files) {
    const current = await readFile(join(dir, name), 'utf8').catch(() => undefined)
    if (current !== text) stale.push(name)
  }
  const present = await readdir(dir).catch(() => [] as string[])
  for (const name of present) if (!files.has(name)) stale.push(name)
  return stale.sort()
}

/** Writes the generated files and removes any other file from `dir`. */
export async function writeFiles(dir: string, files: Map<string, string>): Promise<string[]> {
  const stale = await staleFiles(dir, files)
  await mkdir(dir, { recursive: true })
  for (const name of stale) {
    const text = files.get(name)
    if (text === undefined) await rm(join(dir, name))
    else await writeFile(join(dir, name), text)
  }
  return stale
}
