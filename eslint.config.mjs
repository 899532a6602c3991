// ESLint for Samsa (`npm run lint`): typescript-eslint's type-aware rules and the layer graph
// (scripts/lint/layers.mjs). Formatting is Prettier's job, not ESLint's (docs/adr/0023, 0024).
import tseslint from 'typescript-eslint';
import { samsaPlugin } from './scripts/lint/layers.mjs';

export default tseslint.config(
  {
    // libs/rpc/generated is written by scripts/gen-proto-types.mjs; a staleness test guards it.
    ignores: [
      'dist/**',
      'node_modules/**',
      'libs/rpc/generated/**',
      'libs/kafka-protocol/generated/**',
      'examples/**',
      '**/*.mjs',
      '**/*.d.mts',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      // One program over everything tsconfig.test.json covers (sources and tests), built once.
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin, samsa: samsaPlugin },
    rules: {
      'samsa/layers': 'error',
      // Every promise is awaited, returned, or handed to an owner; `void` says "on purpose".
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Time is a parameter (libs/runtime Clock, docs/adr/0039): libs, services, the CLI and the tools
    // read the clock through a Clock they were given, or systemClock where nothing injects one; only
    // libs/runtime/clock.ts reads Date.now(). bench/ and test/ may: they measure the machine they run on.
    files: ['libs/**/*.ts', 'services/**/*.ts', 'cli/**/*.ts', 'tools/**/*.ts'],
    ignores: ['libs/runtime/clock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'read time through a Clock (libs/runtime): injected, or systemClock' },
      ],
    },
  },
);
