// Strips what is specific to one run and one machine from Stryker's incremental file before it is
// committed: the failure messages (`statusReason`, with the sandbox's absolute paths in their stack
// traces) and the absolute `projectRoot`. Stryker reuses a result by mutant, source and tests; it
// does not need them.
import { readFileSync, writeFileSync } from 'node:fs';

const file = 'reports/stryker-incremental.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
delete report.projectRoot;
for (const { mutants } of Object.values(report.files)) {
  for (const mutant of mutants) delete mutant.statusReason;
}
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
