// A fixed random sample of the core's mutants (docs/testing.md, "A full run in two stages"): a
// Stryker ignore plugin, on in both stages when MUTATE_SAMPLE is below 1. A mutant outside the
// sample is reported as Ignored and never run, so a stage costs about that fraction of its time
// and the sampled mutants' score estimates the whole core's.
//
// The sample is drawn per place in the source (the mutants of a node, and of nodes that span exactly
// the same text, are in or out together) by a hash of the file and the place, so it is the same on every machine and every rerun, in both
// stages, and a file that changes is sampled again at the same rate. Stryker's ignorers hold a
// decision for the node's whole subtree; for a sample each node is drawn on its own, so the
// decisions of this plugin are kept to their node (a patch of the instrumenter's bookkeeper,
// checked at load so that a Stryker version without it fails loudly instead of sampling subtrees).
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';
import { placeInSample, sampleRate } from './sampling.mjs';

export const OUT_OF_SAMPLE = 'Not in the sample (MUTATE_SAMPLE)';

// The instrumenter's bookkeeper, the same module instance Stryker runs (its package exports only its
// index, so by file URL).
const require = createRequire(import.meta.url);
const instrumenterIndex = require.resolve('@stryker-mutator/instrumenter');
const { IgnorerBookkeeper } = await import(
  pathToFileURL(instrumenterIndex.replace(/index\.js$/, 'transformers/ignorer-bookkeeper.js')).href
);
if (
  typeof IgnorerBookkeeper?.prototype?.enterNode !== 'function' ||
  !('currentIgnoreMessage' in IgnorerBookkeeper.prototype)
)
  throw new Error(
    'scripts/mutate/sample.mjs: this Stryker has no IgnorerBookkeeper.enterNode to keep a sample per node',
  );
const enterNode = IgnorerBookkeeper.prototype.enterNode;
IgnorerBookkeeper.prototype.enterNode = function (path) {
  if (this.activeIgnored?.message === OUT_OF_SAMPLE) this.activeIgnored = undefined;
  enterNode.call(this, path);
};

const rate = sampleRate();

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'sample', {
    shouldIgnore(path) {
      const { loc } = path.node;
      const filename = path.hub?.file?.opts?.filename;
      if (!loc || rate >= 1) return undefined;
      if (typeof filename !== 'string') throw new Error('scripts/mutate/sample.mjs: a node without its file name');
      const file = relative(process.cwd(), filename).split('\\').join('/');
      return placeInSample(file, loc, rate) ? undefined : OUT_OF_SAMPLE;
    },
  }),
];
