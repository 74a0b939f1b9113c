/**
 * Measured recovery times of the fault suites. Each suite appends its rows to
 * test-artifacts/fault-recovery/<suite>.json (jest runs suites in separate workers, so one file
 * per suite); `npm run faults:report` prints them all as one table after the run.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RECOVERY_DIR = join(process.cwd(), 'test-artifacts', 'fault-recovery');

/** One injected fault and how the product came back from it. */
export interface RecoveryRow {
  /** Which side: graph, cxone, process, store. */
  readonly area: string;
  /** The fault, as the issue names it (e.g. "subscription silently removed"). */
  readonly fault: string;
  /** From the fault ending (or being injected, when it is instantaneous) to the sync converged. */
  readonly recoveryMs: number;
  /** What "recovered" meant here: what was checked, and anything notable (writes, alerts). */
  readonly detail: string;
}

/** Appends a row to this suite's file (the suite name is the file name, without extension). */
export function recordRecovery(suite: string, row: RecoveryRow): void {
  mkdirSync(RECOVERY_DIR, { recursive: true });
  const file = join(RECOVERY_DIR, `${suite}.json`);
  let rows: RecoveryRow[] = [];
  try {
    rows = JSON.parse(readFileSync(file, 'utf8')) as RecoveryRow[];
  } catch {
    rows = [];
  }
  rows = rows.filter((r) => r.fault !== row.fault);
  rows.push({ ...row, recoveryMs: Math.round(row.recoveryMs) });
  writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}

/** Measures from now: `stop()` gives the milliseconds elapsed. */
export function stopwatch(): { stop(): number } {
  const start = performance.now();
  return { stop: () => performance.now() - start };
}

/** Every recorded row, sorted by area then fault. */
export function readRecoveries(dir = RECOVERY_DIR): RecoveryRow[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RecoveryRow[])
    .sort((a, b) => a.area.localeCompare(b.area) || a.fault.localeCompare(b.fault));
}
