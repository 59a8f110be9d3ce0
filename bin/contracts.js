#!/usr/bin/env node
// Installed entry point: the package ships TypeScript sources, so register tsx's loader and run the CLI.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../scripts/cli.ts')
const io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  cwd: process.cwd(),
  env: process.env,
}
process.exitCode = await main(process.argv.slice(2), io)
