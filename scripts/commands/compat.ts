import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Ajv07 from 'ajv'
import Ajv2019 from 'ajv/dist/2019.js'
import Ajv2020 from 'ajv/dist/2020.js'
import {
  checkCompatibility,
  formatResult,
  isMode,
  isPolicy,
  MODE_MEANINGS,
  MODES,
} from '../../compat/index.ts'
import type { Policy, Schema } from '../../compat/index.ts'
import { draftOf, type Draft } from '../../core/json.ts'
import type { Command } from './command.ts'

export const compatCommand: Command = {
  name: 'compat',
  summary: 'compare two JSON Schemas: is NEXT compatible with PREVIOUS under a mode?',
  usage: `contracts compat PREVIOUS.json NEXT.json [--mode ${MODES.join('|')}] [--policy strict|lenient] [--json]`,
  async run(argv, io) {
    let parsed
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          mode: { type: 'string', default: 'BACKWARD' },
          policy: { type: 'string', default: 'strict' },
          json: { type: 'boolean', default: false },
        },
        allowPositionals: true,
        strict: true,
      })
    } catch (e) {
      io.err(`${(e as Error).message}\nusage: ${this.usage}`)
      return 2
    }
    const { values, positionals } = parsed
    const [prevFile, nextFile] = positionals
    if (positionals.length !== 2 || prevFile === undefined || nextFile === undefined) {
      io.err(`usage: ${this.usage}`)
      return 2
    }
    const mode = values.mode.toUpperCase()
    if (!isMode(mode)) {
      io.err(`unknown mode "${values.mode}": one of ${MODES.join(', ')}`)
      return 2
    }
    if (!isPolicy(values.policy)) {
      io.err(`unknown policy "${values.policy}": strict or lenient`)
      return 2
    }
    const schemas: Schema[] = []
    for (const file of [prevFile, nextFile]) {
      const r = await readSchema(resolve(io.cwd, file))
      if (!r.ok) {
        io.err(`${file}: ${r.error}`)
        return 2
      }
      schemas.push(r.schema)
    }
    const [prev, next] = schemas as [Schema, Schema]
    const policy: Policy = values.policy
    const result = checkCompatibility(prev, next, { mode, policy })
    if (values.json)
      io.out(
        JSON.stringify(
          {
            compatible: result.compatible,
            mode,
            meaning: MODE_MEANINGS[mode],
            policy,
            differences: result.differences,
          },
          null,
          2,
        ),
      )
    else {
      // The verdict, then what the mode guarantees (once), then one line per difference with its hint.
      io.out(
        `${result.compatible ? 'compatible' : 'INCOMPATIBLE'}: ${nextFile} against ${prevFile}, ${policy} policy`,
      )
      io.out(formatResult(result, mode, '  '))
    }
    return result.compatible ? 0 : 1
  },
}

export type SchemaRead = { ok: true; schema: Schema } | { ok: false; error: string }

export async function readSchema(path: string): Promise<SchemaRead> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    return { ok: false, error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` }
  }
  const problem = schemaProblem(json)
  return problem === undefined ? { ok: true, schema: json as Schema } : { ok: false, error: problem }
}

const AJV_OPTIONS = { strict: false, allowUnionTypes: true, validateFormats: false, logger: false } as const

/** A fresh ajv per schema, so that two files with the same $id never clash in ajv's cache. */
const compilerFor = (draft: Draft) =>
  draft === '2020-12'
    ? new Ajv2020.default(AJV_OPTIONS)
    : draft === '2019-09'
      ? new Ajv2019.default(AJV_OPTIONS)
      : new Ajv07.default(AJV_OPTIONS)

/**
 * Undefined when `json` is a JSON Schema: it compiles with the ajv of its draft (`$schema`, draft-07 when absent).
 * Unknown keywords (x-*) are allowed; a remote $ref fails, since nothing is fetched.
 */
export function schemaProblem(json: unknown): string | undefined {
  if (typeof json !== 'boolean' && (typeof json !== 'object' || json === null || Array.isArray(json))) {
    return 'not a JSON Schema: must be an object or a boolean'
  }
  const draft = draftOf(json)
  try {
    compilerFor(draft).compile(json as object | boolean)
    return undefined
  } catch (e) {
    return `not a valid JSON Schema (draft ${draft}): ${(e as Error).message}`
  }
}
