/** Jest 30 in ESM mode (NestJS 12 is ESM only): run through `node --experimental-vm-modules`. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*(?<!\\.json))\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 30000,
  // After each spec file: nothing the e2e apps logged may hold a secret, a token or a full number.
  setupFilesAfterEnv: ['<rootDir>/test/support/log-guard.ts'],
};
