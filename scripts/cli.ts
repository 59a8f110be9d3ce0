#!/usr/bin/env node
/** The `contracts` CLI: a table of commands, each returning its exit code. Only the CLI reads process.env. */
import { pathToFileURL } from 'node:url'
import { formatIssues, isContractError } from '../core/index.ts'
import type { Command, ExitCode, Io } from './commands/command.ts'

/**
 * name → its module, imported only when it runs (or for help). Modules import their optional peers (registry,
 * generator, transports) inside run, through withPeers (commands/peers.ts): `contracts validate` needs none.
 */
export const commands: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init.ts')).initCommand,
  generate: async () => (await import('./commands/generate.ts')).generateCommand,
  'new-resource': async () => (await import('./commands/scaffold.ts')).newResourceCommand,
  'new-version': async () => (await import('./commands/scaffold.ts')).newVersionCommand,
  pull: async () => (await import('./commands/pull.ts')).pullCommand,
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  compat: async () => (await import('./commands/compat.ts')).compatCommand,
  check: async () => (await import('./commands/check.ts')).checkCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  publish: async () => (await import('./commands/publish.ts')).publishCommand,
  consume: async () => (await import('./commands/consume.ts')).consumeCommand,
  relay: async () => (await import('./commands/relay.ts')).relayCommand,
  gateway: async () => (await import('./commands/gateway.ts')).gatewayCommand,
  forward: async () => (await import('./commands/forward.ts')).forwardCommand,
}

async function help(io: Io): Promise<void> {
  io.out('usage: contracts <command> [options]\n')
  for (const load of Object.values(commands)) {
    const c = await load()
    io.out(`  ${c.usage}\n      ${c.summary}`)
  }
  io.out('\nconfiguration: contracts.config.json or the "contracts" key of package.json (see README)')
  io.out(
    'environment: KAFKA_BROKERS (default of --brokers), REDIS_URL (default of --redis-url), DATABASE_URL and DATABASE_SCHEMA (relay)',
  )
}

export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await help(io)
    return name ? 0 : 2
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!load) {
    io.err(`contracts: unknown command '${name}'`)
    await help(io)
    return 2
  }
  const command = await load()
  try {
    return await command.run(rest, io)
  } catch (e) {
    // An optional package that is not installed, or a malformed config: the message says what to do.
    if (isContractError(e, 'MISSING_PACKAGE') || isContractError(e, 'CONFIG_INVALID')) {
      io.err(`contracts ${name}: ${e.message}`)
      if (e.code === 'CONFIG_INVALID') io.err(formatIssues(e.issues, '  '))
      return 2
    }
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
