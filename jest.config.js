/**
 * Jest runs the TypeScript sources as native ESM (ts-jest's ESM preset; transpile-only because
 * tsconfig sets isolatedModules: `npm run typecheck` does the type checking once for the whole tree).
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
    '/node_modules/jose/.+\\.js$': '<rootDir>/test/support/require-esm-transform.cjs',
  },
  // jose is required (CommonJS) by the Agents SDK's jwks-rsa: see test/support/require-esm-transform.cjs.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['<rootDir>/test/support/preload-jose.mjs'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/bench/', '<rootDir>/test/soak/'],
  testTimeout: 30000,
  maxWorkers: 2,
};
