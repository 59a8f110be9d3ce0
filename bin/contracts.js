#!/usr/bin/env node
// The installed `contracts` command: the compiled CLI in dist/ (npm run build; npm pack builds it). Inside a
// checkout, `npm run contracts -- …` runs the TypeScript sources instead.
let cli
try {
  cli = await import('../dist/scripts/cli.js')
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/scripts/cli.js')) throw e
  process.stderr.write(
    'contracts: dist/ is missing: run `npm run build` (or `npm run contracts -- …` in a checkout)\n',
  )
  process.exit(2)
}
const io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  cwd: process.cwd(),
  env: process.env,
}
process.exitCode = await cli.main(process.argv.slice(2), io)
