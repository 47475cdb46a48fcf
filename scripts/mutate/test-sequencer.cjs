// The jest test sequencer of the mutation run (jest.mutate.config.js). For one mutant, Stryker runs
// jest with `--findRelatedTests <mutated file>` and a `--testNamePattern` of the tests that cover
// the mutant; jest would still load every related test file (nearly all of them import the core)
// only to skip its tests. This sequencer drops the files that hold no covering test, using the
// names that jest-environment.cjs recorded in Stryker's initial run (a file with no record ran no
// test there, so it covers nothing). Without that record, or outside a Stryker mutant run, it
// changes nothing.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const { NAMES_FILE } = require('./jest-environment.cjs');

class MutationTestSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.globalConfig = options.globalConfig;
  }

  async sort(tests) {
    const sorted = await super.sort(tests);
    const pattern = this.globalConfig.testNamePattern;
    if (!pattern || process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) return sorted;
    let names;
    try {
      names = JSON.parse(readFileSync(join(this.globalConfig.rootDir, NAMES_FILE), 'utf8'));
    } catch {
      return sorted;
    }
    const regex = new RegExp(pattern, 'i'); // as jest-circus matches it
    const kept = sorted.filter((test) => (names[test.path] ?? []).some((id) => regex.test(id)));
    return kept.length ? kept : sorted;
  }
}

module.exports = MutationTestSequencer;
