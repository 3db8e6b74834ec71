import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import {
  WORKSPACE_DEPENDENCIES,
  WORKSPACE_IMPORT_FOLDERS,
  plugin as inosec,
} from './tools/eslint/workspace-boundaries.js';

const root = import.meta.dirname;

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/dist-bin/',
      '**/.cache/',
      'data/',
      'coverage/',
      'protos/gen/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      // One program over sources, tests, benchmarks and configs (tsconfig.test.json includes them all).
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: root },
    },
    plugins: { inosec },
    rules: {
      'inosec/workspace-boundaries': [
        'error',
        { root, workspaces: WORKSPACE_DEPENDENCIES, only: WORKSPACE_IMPORT_FOLDERS },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Async functions without await are how interfaces returning promises are implemented.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringContaining) are typed `any`.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // Build scripts, benchmarks and the lint rule itself talk to a terminal.
    files: ['**/scripts/**', '**/bench/**', 'tools/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The console: browser code typed by its own program (DOM, JSX, bundler resolution).
    files: ['dashboards/app/**/*.{ts,tsx}', 'dashboards/vite.config.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { project: './dashboards/tsconfig.app.json', tsconfigRootDir: root },
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
