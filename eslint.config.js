// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The dependency rule (ARCHITECTURE.md draws it): which of our folders each folder may import. Everything not
 * listed is forbidden, so a new arrow is a visible change to this table.
 *
 *   scripts → registry | transports/* | codegen | client → admission → compat → core
 *   registry → http | storage | codegen | admission | compat | core
 *   outbox → storage | core (a transport comes in through the Sink port)
 *   gateway → http | core (a transport only through core's Sink and the consumers' handler)
 *   every folder → core (the kernel); core → nothing of ours; generated → core's types only
 */
const FOLDERS = [
  'core',
  'compat',
  'admission',
  'codegen',
  'client',
  'http',
  'storage',
  'transports',
  'registry',
  'outbox',
  'gateway',
  'scripts',
  'generated',
]

/** folder → the folders it may import (itself always). */
const ALLOWED = {
  core: [],
  compat: ['core'],
  admission: ['core', 'compat'],
  codegen: ['core', 'compat', 'admission'],
  client: ['core'],
  http: ['core'],
  storage: ['core'],
  transports: ['core'],
  registry: ['core', 'compat', 'admission', 'codegen', 'http', 'storage'],
  // the outbox app publishes through the kernel's Sink port: the CLI hands it a transport
  outbox: ['core', 'storage'],
  gateway: ['core', 'http'],
  scripts: FOLDERS,
  generated: [],
}

/** Network, broker and storage libraries the kernel never touches: it does no I/O of its own. */
const IO_LIBRARIES = [
  'kafkajs',
  'kafkajs/**',
  'redis',
  '@redis/**',
  'hono',
  'hono/**',
  '@hono/**',
  'pg',
  '@electric-sql/**',
  'node:http',
  'node:https',
  'node:net',
  'node:fs',
  'node:fs/**',
]

const paths = (dir) => [`**/${dir}/**`, `**/${dir}`, `event-contracts/${dir}`, `event-contracts/${dir}/**`]

const restrict = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
})

/** The rule for one folder: every folder it may not import, with the reason in the message. */
function ruleFor(dir) {
  const forbidden = FOLDERS.filter((f) => f !== dir && !ALLOWED[dir].includes(f))
  const patterns = forbidden.length
    ? [
        {
          group: forbidden.flatMap(paths),
          message: `${dir}/ may import only ${ALLOWED[dir].length ? ALLOWED[dir].join(', ') : 'itself'} (ARCHITECTURE.md)`,
        },
      ]
    : []
  if (dir === 'core')
    patterns.push({
      group: IO_LIBRARIES,
      message: 'core is the kernel: no network, broker or storage library',
    })
  if (dir === 'generated')
    // Generated code is data plus types: it may name the runtime's types, never call into it.
    patterns.push({
      group: paths('core'),
      allowTypeImports: true,
      message: 'generated/ may import only the types of core',
    })
  if (dir === 'compat')
    patterns.push({ group: IO_LIBRARIES, message: 'the compatibility engine is pure: no I/O library' })
  return patterns.length ? restrict(patterns) : {}
}

/** Each transport adapter stands alone: kafka/ never imports redis/ or memory/, and the other way round. */
const ADAPTERS = ['kafka', 'memory', 'redis']
const adapterRules = ADAPTERS.map((name) => ({
  files: [`transports/${name}/**`],
  rules: restrict([
    {
      group: [
        ...FOLDERS.filter((f) => !ALLOWED.transports.includes(f) && f !== 'transports').flatMap(paths),
        ...ADAPTERS.filter((a) => a !== name).flatMap((a) => [`**/transports/${a}/**`, `../${a}/**`]),
      ],
      message: `transports/${name}/ imports only core: adapters never import each other`,
    },
  ]),
}))

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', '.data/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...FOLDERS.filter((d) => d !== 'transports').map((dir) => ({ files: [`${dir}/**`], rules: ruleFor(dir) })),
  ...adapterRules,
  {
    // This repository's generated/ and the generated fixtures of other catalogs in the tests.
    files: ['generated/**', 'test/fixtures/*/generated/**'],
    rules: {
      // ajv standalone output is JavaScript we do not control; it is typed at its exports (hence @ts-nocheck).
      '@typescript-eslint/ban-ts-comment': 'off',
      'no-var': 'off',
      'no-useless-escape': 'off',
      'no-control-regex': 'off',
      'prefer-const': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
)
