/** Jest 30 in ESM mode (NestJS 12 is ESM only): run through `node --experimental-vm-modules`. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/packages/*/test/**/*.spec.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*(?<!\\.json))\\.js$': '$1',
    // The workspace's packages by name, from their sources (as tsconfig.json's paths).
    '^nestjs-orange-sms$': '<rootDir>/lib/index.ts',
    '^nestjs-orange-sms/(.*)$': '<rootDir>/lib/$1/index.ts',
    '^orange-sms-emulator$': '<rootDir>/packages/emulator/src/index.ts',
    '^orange-sms-emulator/cli$': '<rootDir>/packages/emulator/src/orange-sms.emulator-cli.ts',
  },
  // The root package links itself into node_modules for the CLI (scripts/link-workspace-root.mjs).
  modulePathIgnorePatterns: ['<rootDir>/node_modules/nestjs-orange-sms/', '<rootDir>/packages/.*/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 30000,
  // After each spec file: nothing the e2e apps logged may hold a secret, a token or a full number.
  setupFilesAfterEnv: ['<rootDir>/test/support/log-guard.ts'],
};
