#!/usr/bin/env node
// npm run check:compat -w @sluice/contracts
// Fails (exit 1) when a schema changed incompatibly with an earlier committed version of the same file.
import core from './compat-core.cjs';

const report = core.checkHistory();
for (const line of core.formatHistoryReport(report)) {
  if (line.startsWith('warning:')) console.warn(line);
  else if (line.startsWith('note:')) console.log(line);
  else console.error(line);
}
if (report.violations.length > 0) process.exit(1);
console.log(
  `Schemas are backward compatible with their ${report.versionsChecked} earlier committed version(s).`,
);
