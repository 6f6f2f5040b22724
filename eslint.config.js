// ESLint (flat config): typescript-eslint's type-aware rules over the TypeScript in src and test,
// the recommended rules over the plain JavaScript (scripts, bench, fake CLIs), and a rule that keeps
// Node APIs, zod values and the non-workflow SDK packages out of workflow code. Prettier formats
// (.prettierrc.json), so eslint-config-prettier turns the style rules off. `npm run lint` runs both.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SANDBOX = "workflow code runs in Temporal's deterministic sandbox: no Node APIs here (do it in an activity, src/activities).";

/** What workflow code must never import: it runs in Temporal's sandbox, bundled without Node or zod. */
const NOT_IN_WORKFLOWS = [
  { group: ['node:*'], message: SANDBOX },
  {
    group: ['fs', 'fs/*', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'events', 'stream', 'util', 'timers', 'timers/*', 'worker_threads', 'execa'],
    message: SANDBOX,
  },
  {
    group: ['zod', 'zod/*'],
    message: 'no zod values in workflow code: check input where it enters (the client, an MCP tool, an activity); import its types with `import type`.',
    allowTypeImports: true,
  },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'workflow code imports @temporalio/workflow (and @temporalio/common) only.' },
  {
    group: ['**/activities/*', '**/activities/**', '**/client/*', '**/mcp/**', '**/commands/**', '**/temporal/*', '**/secrets/*', '**/a2a/*'],
    message: 'workflow code reaches activities through proxyActivities with a type-only import (`import type`), never their code.',
    allowTypeImports: true,
  },
];

/** Unused names are an error, except those marked unused on purpose with a leading underscore. */
const UNUSED = ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'test/fixtures/histories/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': UNUSED,
      // Sanitizers and parsers match control characters on purpose (agent output, terminal escapes).
      'no-control-regex': 'off',
      // An async function that does not await still turns a throw into a rejection, which its
      // callers (.catch, Promise.race, activity interfaces) rely on: async is kept on purpose.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON answers (any) and assert on them; the assertions are the type check there.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-unused-vars': UNUSED, 'no-control-regex': 'off' },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: NOT_IN_WORKFLOWS }] },
  },
  prettier,
);
