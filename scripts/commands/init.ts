/**
 * `contracts init`: makes an empty or existing project ready for `npm install && npx contracts generate`: the
 * config, a schema tree with one example resource, npm scripts and the generator's dev dependency. It never
 * overwrites: what exists is kept and reported.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Command } from './command.ts'
import { CONFIG_FILE } from './config.ts'
import { scaffoldResource, specProblem } from './scaffold.ts'
import { PEERS } from './peers.ts'

type PackageJson = Record<string, unknown> & {
  name?: string
  type?: string
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  contracts?: unknown
}

/** This package's own manifest: its version and the ranges of its optional peers. */
async function ownManifest(): Promise<PackageJson> {
  const { packageFile } = await import('../../codegen/package-files.ts')
  return JSON.parse(await packageFile('package.json')) as PackageJson
}

export const INIT_SCRIPTS = {
  'contracts:generate': 'contracts generate',
  'contracts:check': 'contracts check && contracts generate --check',
} as const

export const initCommand: Command = {
  name: 'init',
  summary:
    'set up this project: contracts.config.json, contracts/ with an example resource, npm scripts, the generator dev dependency',
  usage:
    'contracts init [--schemas contracts] [--out src/contracts] [--registry URL] [--topic-prefix P] [--resource NAME --topic T --key FIELD] [--in-package-json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        schemas: { type: 'string', default: 'contracts' },
        out: { type: 'string', default: 'src/contracts' },
        registry: { type: 'string', default: 'http://localhost:8080' },
        'topic-prefix': { type: 'string' },
        resource: { type: 'string', default: 'example' },
        topic: { type: 'string' },
        key: { type: 'string', default: 'id' },
        'in-package-json': { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    })
    if (positionals.length) {
      io.err(`usage: ${this.usage}`)
      return 2
    }
    const spec = { name: values.resource, topic: values.topic ?? `${values.resource}s`, key: values.key }
    const problem = specProblem(spec)
    if (problem) {
      io.err(`init: ${problem}`)
      return 2
    }
    if (!/^https?:\/\//.test(values.registry)) {
      io.err(`init: --registry must be an http(s) URL, not '${values.registry}'`)
      return 2
    }
    const own = await ownManifest()
    const pkgPath = join(io.cwd, 'package.json')
    const existing = await readFile(pkgPath, 'utf8').then(
      (t) => JSON.parse(t) as PackageJson,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined
        throw e
      },
    )
    const pkg: PackageJson = existing ?? {
      name:
        basename(io.cwd)
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, '-') || 'my-service',
      version: '0.1.0',
      private: true,
      type: 'module',
    }
    const config = {
      schemas: values.schemas,
      out: values.out,
      runtime: 'event-contracts',
      importExtension: '.js',
      ...(values['topic-prefix'] === undefined ? {} : { topicPrefix: values['topic-prefix'] }),
      registry: values.registry,
    }

    const configExists = await readFile(join(io.cwd, CONFIG_FILE)).then(
      () => true,
      () => false,
    )
    if (configExists || pkg.contracts !== undefined)
      io.out(`kept ${configExists ? CONFIG_FILE : 'package.json#contracts'}: it exists already`)
    else if (values['in-package-json']) {
      pkg.contracts = config
      io.out('wrote package.json#contracts')
    } else {
      await writeFile(join(io.cwd, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n', { flag: 'wx' })
      io.out(`wrote ${CONFIG_FILE}`)
    }

    try {
      for (const f of await scaffoldResource(io.cwd, resolve(io.cwd, values.schemas), spec))
        io.out(`wrote ${f}`)
    } catch (e) {
      io.out(`kept ${values.schemas}/: ${(e as Error).message}`)
    }

    const added: string[] = []
    const scripts = (pkg.scripts ??= {})
    for (const [name, command] of Object.entries(INIT_SCRIPTS))
      if (scripts[name] === undefined) {
        scripts[name] = command
        added.push(`script ${name}`)
      }
    const dependencies = (pkg.dependencies ??= {})
    if (
      dependencies['event-contracts'] === undefined &&
      pkg.devDependencies?.['event-contracts'] === undefined
    ) {
      dependencies['event-contracts'] = `^${String(own.version)}`
      added.push('dependency event-contracts')
    }
    const devDependencies = (pkg.devDependencies ??= {})
    const peers = (own.peerDependencies ?? {}) as Record<string, string>
    for (const name of PEERS.generator)
      if (devDependencies[name] === undefined && dependencies[name] === undefined) {
        devDependencies[name] = peers[name] ?? 'latest'
        added.push(`dev dependency ${name}`)
      }
    if (added.length || !existing || pkg.contracts === config) {
      await writeFile(pkgPath, JSON.stringify(pkg, null, 2) + '\n')
      io.out(`${existing ? 'updated' : 'wrote'} package.json${added.length ? `: ${added.join(', ')}` : ''}`)
    }
    if (pkg.type !== 'module')
      io.err(
        'init: package.json has no "type": "module": the generated code and event-contracts are ES modules, so compile them as ESM (or set "type": "module")',
      )
    io.out('\nnext: npm install && npx contracts generate')
    return 0
  },
}
