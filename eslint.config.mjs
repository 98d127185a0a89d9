// @ts-check
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', '**/coverage/', 'data/', '.nx/', 'bench/results/', '**/*.js', '**/*.cjs']),
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
      // The only control-character regexes here are deliberate guards that reject control characters in
      // user input (password rules, S3 key prefix), which is exactly what this rule would flag.
      'no-control-regex': 'off',
    },
  },
  // Must stay last: turns off every stylistic rule that would fight Prettier.
  prettier,
);
