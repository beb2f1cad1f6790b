import tseslint from 'typescript-eslint';
import orangeSms from './eslint-rules/no-folder-cycles.mjs';

export default tseslint.config(
  { ignores: ['dist/', 'packages/*/dist/', 'dist-sample/', 'dist-bench/', 'coverage/', 'node_modules/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // lib/'s folders import each other in no cycle (types included).
    files: ['lib/**/*.ts'],
    plugins: { 'orange-sms': orangeSms },
    rules: { 'orange-sms/no-folder-cycles': 'error' },
  },
  {
    files: [
      'packages/emulator/src/orange-sms.emulator-cli.ts',
      'packages/*/test/**',
      'packages/*/scripts/**',
      'bench/**',
      'test/**',
      'sample/**',
    ],
    rules: { 'no-console': 'off' },
  },
);
