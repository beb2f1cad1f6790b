import tseslint from 'typescript-eslint';

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
