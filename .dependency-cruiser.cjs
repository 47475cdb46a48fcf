/**
 * The architecture as rules (`npm run depcruise`, part of `npm test`). src/ is grouped by concept,
 * and the folders form layers, lowest first:
 *
 *   util < errors < store < observability < options < request < retry < token < interceptors < attach/index
 *
 * A folder imports only from folders below it, type-only imports included, so no two folders
 * import each other. The optional entries (redis, nestjs, opentelemetry, testing, cli) sit on top:
 * the core never imports them or their libraries. docs/architecture.md explains each layer.
 */
const LAYERS = ['util', 'errors', 'store', 'observability', 'options', 'request', 'retry', 'token', 'interceptors'];

const layerRules = LAYERS.map((layer, rank) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only from the layers below it (${LAYERS.slice(0, rank).join(', ') || 'none'})`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(?!(?:${[...LAYERS.slice(0, rank + 1)].join('|')})/)` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only ones included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-without-entries',
      comment: 'The core never imports an optional entry.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(redis|nestjs|opentelemetry|testing|cli)/' },
      to: { path: '^src/(redis|nestjs|opentelemetry|testing|cli)/' },
    },
    {
      name: 'core-without-optional-peers',
      comment:
        'The core needs axios, axios-retry and p-memoize, and jose where keys are read and JWTs signed (client assertions, DPoP; loaded only when used); Redis, Nest and OpenTelemetry belong to their entries.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot:
          '^src/(redis|nestjs|opentelemetry|testing|cli)/|^src/util/jose\\.ts$|^src/token/client-assertion\\.ts$|^src/token/dpop/',
      },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'],
        pathNot: 'node_modules/(axios|axios-retry|p-memoize)/',
      },
    },
    {
      name: 'entries-use-the-public-core',
      comment:
        'An optional entry reaches the core through the package name (src/index.ts) or the low layers it shares (store, util…); never the machinery of one attachment.',
      severity: 'error',
      from: { path: '^src/(redis|nestjs|opentelemetry|testing)/' },
      to: { path: '^src/(attach\\.ts$|interceptors/|token/|retry/|request/)' },
    },
    {
      name: 'no-orphans',
      comment: 'Every module is reachable from an entry.',
      severity: 'error',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '(^|/)tsconfig\\.json$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    exclude: { path: '^(dist|coverage|reports|\\.stryker-tmp)/' },
  },
};
