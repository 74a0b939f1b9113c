/** Prints the recovery time of every fault the fault suites injected (after `npm test`). */
import { readRecoveries } from '../test/e2e/faults/recovery-report.js';

const rows = readRecoveries();
if (rows.length === 0) {
  console.log('No fault recoveries recorded (run the fault suites first: npm test).');
} else {
  const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);
  console.table(rows.map((r) => ({ area: r.area, fault: r.fault, recovery: fmt(r.recoveryMs), checked: r.detail })));
}
