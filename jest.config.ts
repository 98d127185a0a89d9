import type { Config } from 'jest';

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: { '^@export-service/testing/(.*)$': '<rootDir>/libs/testing/src/$1', '^@export-service/(.*)$': '<rootDir>/libs/$1/src' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
} satisfies Partial<Config>;

/** Unit tests sit beside the code; integration tests talk to the real PostgreSQL, Redis and binaries. */
const config: Config = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/*/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
  ],
  // A global option: integration tests seed and export real data.
  testTimeout: 120_000,
};

export default config;
