#!/usr/bin/env node
/** The `contracts` CLI: a table of commands, each returning its exit code. Only the CLI reads process.env. */
import { pathToFileURL } from 'node:url'
import type { Command, ExitCode, Io } from './commands/command.ts'
import { checkCommand } from './commands/check.ts'
import { compatCommand } from './commands/compat.ts'
import { consumeCommand } from './commands/consume.ts'
import { forwardCommand } from './commands/forward.ts'
import { gatewayCommand } from './commands/gateway.ts'
import { generateCommand } from './commands/generate.ts'
import { publishCommand } from './commands/publish.ts'
import { serveCommand } from './commands/serve.ts'
import { validateCommand } from './commands/validate.ts'

export const commands: Command[] = [
  generateCommand,
  validateCommand,
  compatCommand,
  checkCommand,
  serveCommand,
  publishCommand,
  consumeCommand,
  gatewayCommand,
  forwardCommand,
]

function help(io: Io): void {
  io.out('usage: contracts <command> [options]\n')
  for (const c of commands) io.out(`  ${c.usage}\n      ${c.summary}`)
  io.out('\nenvironment: KAFKA_BROKERS (default of --brokers), REDIS_URL (default of --redis-url)')
}

export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(io)
    return name ? 0 : 2
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    io.err(`contracts: unknown command '${name}'`)
    help(io)
    return 2
  }
  try {
    return await command.run(rest, io)
  } catch (e) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options.
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`contracts ${name}: ${(e as Error).message}\nusage: ${command.usage}`)
      return 2
    }
    throw e
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isEntry) {
  const io: Io = {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    cwd: process.cwd(),
    env: process.env,
  }
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      process.stderr.write(`contracts: ${(e as Error).stack ?? String(e)}\n`)
      process.exitCode = 2
    },
  )
}
