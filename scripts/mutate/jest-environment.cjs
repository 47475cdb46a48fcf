// The jest environment of the mutation run (jest.mutate.config.js): node's, plus two things that
// only matter under Stryker.
// - It records which tests each test file holds (`test-names.json` in the sandbox) during Stryker's
//   initial run, so that test-sequencer.cjs can skip, for one mutant, the files without a covering test.
// - Stryker runs, for one mutant, only the tests that cover it (a --testNamePattern). The files in
//   WHOLE_FILES check the whole file in an afterAll (leaks.test.ts scans every log line of the file
//   for secrets, after checking that there are enough of them): run alone, a few of their tests fail
//   that afterAll and Stryker calls the mutant an error. These files always run whole.
// - A mutant can make a request that nock matches nowhere; nock then emits an 'error' that nobody
//   listens to, after the test has ended. That would kill Stryker's test runner process (and cost a
//   restart and a retry per mutant); it is logged instead, and the mutant is judged by its tests.
const { writeFileSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const NAMES_FILE = 'test-names.json';
const WHOLE_FILES = ['__tests__/integration/leaks.test.ts'];
let handlersInstalled = false;

function testId(test) {
  const names = [];
  for (let block = test; block && block.parent; block = block.parent) names.unshift(block.name);
  return names.join(' ');
}

class MutationTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.rootDir = config.projectConfig.rootDir;
    this.recording = !config.globalConfig.testNamePattern;
    this.wholeFile = WHOLE_FILES.includes(relative(this.rootDir, this.testPath).split('\\').join('/'));
    this.testIds = new Set();
    if (!handlersInstalled) {
      handlersInstalled = true;
      const log = (kind) => (error) =>
        process.stderr.write(
          `[mutate] ${kind} outside a test, ignored: ${String(error && error.message ? error.message : error).split('\n')[0]}\n`,
        );
      process.on('uncaughtException', log('uncaught exception'));
      process.on('unhandledRejection', log('unhandled rejection'));
    }
  }

  async handleTestEvent(event, state) {
    if (event.name === 'setup' && this.wholeFile) state.testNamePattern = null;
    if (this.recording && event.name === 'test_start') this.testIds.add(testId(event.test));
  }

  async teardown() {
    // Only inside Stryker's sandbox: its initial run has the instrumented code's `__stryker__` global.
    if (this.recording && this.global.__stryker__ && this.testIds.size) {
      const file = join(this.rootDir, NAMES_FILE);
      let names = {};
      try {
        names = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // first file
      }
      names[this.testPath] = [...this.testIds];
      writeFileSync(file, JSON.stringify(names));
    }
    await super.teardown();
  }
}

MutationTestEnvironment.NAMES_FILE = NAMES_FILE;
module.exports = MutationTestEnvironment;
