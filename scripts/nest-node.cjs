'use strict';
// Whether the NestJS installed in this repository can run on a given Node: NestJS 12 is ES modules
// only and needs Node 20.19 or later (its engines, and require() of ES modules); NestJS 11 runs on
// any Node 20. Read by the package check and the floor check, which leave the NestJS entry out
// where it cannot run.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** `nodeVersion`: as `process.versions.node` gives it (`20.0.0`). */
function installedNestRunsOn(nodeVersion) {
  const nest = JSON.parse(
    readFileSync(join(__dirname, '..', 'node_modules', '@nestjs', 'core', 'package.json'), 'utf8'),
  );
  const [major, minor] = nodeVersion.split('.').map(Number);
  return Number(nest.version.split('.')[0]) < 12 || major > 20 || (major === 20 && minor >= 19);
}

module.exports = { installedNestRunsOn };
