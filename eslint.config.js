// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The one dependency rule: scripts → registry | publishers | consumers → core → generated.
 * Siblings never import each other; core imports neither kafkajs nor hono; generated imports nothing hand-written.
 */
const forbid = (...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }],
})
const up = (dir) => [`**/${dir}/**`, `**/${dir}`, `event-contracts/${dir}`, `event-contracts/${dir}/**`]

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', '.data/**', 'coverage/**'] },
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
  {
    files: ['generated/**'],
    rules: {
      ...forbid([
        [...up('core'), ...up('registry'), ...up('publishers'), ...up('consumers'), ...up('scripts')],
        'generated/ imports nothing hand-written',
      ]),
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
  {
    files: ['core/**'],
    rules: forbid(
      [
        [...up('registry'), ...up('publishers'), ...up('consumers'), ...up('scripts')],
        'core is the kernel: it imports only generated/',
      ],
      [
        ['kafkajs', 'kafkajs/**', 'hono', 'hono/**', '@hono/**', 'pg', '@electric-sql/**'],
        'core stays free of kafkajs, hono and storage',
      ],
    ),
  },
  {
    files: ['registry/**'],
    rules: forbid([
      [...up('publishers'), ...up('consumers'), ...up('scripts')],
      'registry never imports its siblings or scripts',
    ]),
  },
  {
    files: ['publishers/**'],
    rules: forbid([
      [...up('registry'), ...up('consumers'), ...up('scripts'), 'hono', 'hono/**'],
      'publishers never import their siblings or scripts',
    ]),
  },
  {
    files: ['consumers/**'],
    rules: forbid([
      [...up('registry'), ...up('publishers'), ...up('scripts'), 'hono', 'hono/**'],
      'consumers never import their siblings or scripts',
    ]),
  },
)
