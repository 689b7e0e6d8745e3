// ESLint (flat config): the recommended JavaScript and typescript-eslint rules;
// formatting is left to Prettier (eslint-config-prettier turns off the rules it owns).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'output/**', 'node_modules/**', '.venv-python/**', 'assembly/**', 'test/fixtures/**', 'test/api/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Potentials, scenario documents and parsed JSON are dynamic by nature; `any` marks those boundaries.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Published coefficient tables are quoted with all their digits; the nearest double is what is meant.
      'no-loss-of-precision': 'off',
      // `for (;;)` / `while (true)` loops with an inner exit are idiomatic here.
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
);
