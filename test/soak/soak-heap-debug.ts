import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

/**
 * Debug only (SOAK_DEBUG_HEAP_SNAPSHOTS=60,200: seconds into the workload): writes a V8 heap
 * snapshot to test-artifacts/ at each time, so two can be compared for what grows. A snapshot
 * stops the process for seconds, so a run that takes them measures nothing else.
 */
export function scheduleHeapSnapshots(spec: string | undefined, log: (line: string) => void): () => void {
  const at = (spec ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((s) => Number.isFinite(s) && s > 0);
  const dir = join(process.cwd(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const timers = at.map((s) =>
    setTimeout(() => {
      const started = Date.now();
      const file = writeHeapSnapshot(join(dir, `soak-heap-${s}s.heapsnapshot`));
      log(`heap snapshot ${file} (${Date.now() - started} ms)`);
    }, s * 1000),
  );
  return () => timers.forEach((t) => clearTimeout(t));
}
