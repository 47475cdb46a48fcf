import { defineConfig, type Options } from 'tsup';

const common: Options = {
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'redis/index': 'src/redis/index.ts',
    'nestjs/index': 'src/nestjs/index.ts',
    'opentelemetry/index': 'src/opentelemetry/index.ts',
  },
  // The NestJS entry imports the core by its package name (a self-reference), so an app that uses
  // both loads one copy of the core.
  external: ['axios-payment-auth'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
};

export default defineConfig([
  // ESM: dist/*.mjs + *.d.mts, every dependency stays external.
  { ...common, format: ['esm'], clean: true },
  // CJS: dist/*.js + *.d.ts. p-memoize (and its dependency mimic-function) ship as ESM only, so the
  // CJS build inlines them: require() then works on every Node 20.x without require(esm).
  { ...common, format: ['cjs'], noExternal: ['p-memoize', 'mimic-function'] },
  // The payment-auth command: one CJS file with a shebang.
  {
    entry: { 'cli/index': 'src/cli/index.ts' },
    format: ['cjs'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    noExternal: ['p-memoize', 'mimic-function'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
