/** @type {import('jest').Config} */
const swcTs = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__', '<rootDir>/examples'],
  // Examples import the package by name, as users do.
  moduleNameMapper: {
    '^axios-payment-auth$': '<rootDir>/src/index.ts',
    '^axios-payment-auth/testing$': '<rootDir>/src/testing/index.ts',
    '^axios-payment-auth/redis$': '<rootDir>/src/redis/index.ts',
    '^axios-payment-auth/opentelemetry$': '<rootDir>/src/opentelemetry/index.ts',
    // The NestJS entry is tested as built: the published build has no decorator metadata.
    '^axios-payment-auth/nestjs$': '<rootDir>/dist/nestjs/index.js',
  },
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', swcTs],
    '^.+\\.m?jsx?$': ['@swc/jest'],
  },
  // ESM-only packages, compiled to CJS for jest: p-memoize 8, mimic-function 5, NestJS 12 and jose 6.
  transformIgnorePatterns: ['/node_modules/(?!(p-memoize|mimic-function|@nestjs|jose)/)'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/_helpers/setup.ts'],
  // Some tests load dist/: rebuild it first when it is older than src/ (once per run).
  globalSetup: '<rootDir>/__tests__/_helpers/global-setup.ts',
  testTimeout: 20000,
};
