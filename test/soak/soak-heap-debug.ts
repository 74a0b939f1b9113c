import { randomBytes } from 'node:crypto';
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

/**
 * Debug only (SOAK_DEBUG_LEAK_MB_PER_MIN=5): retains that much more V8 heap per minute of wall
 * time, in distinct flat 1 KB strings held by small objects, the way a forgotten map entry leaks —
 * proof that the heap-slope check fails on a leak of that size. Sized by elapsed time, not timer
 * ticks (a starved event loop fires fewer), and with random strings (V8 shares a padEnd filler, so
 * such a "1 KB" string kept only ~580 bytes).
 */
export function plantLeak(mbPerMin: number): () => void {
  if (mbPerMin <= 0) return () => undefined;
  const held: { at: number; payload: string }[] = [];
  const kbPerMs = (mbPerMin * 1024) / 60_000;
  let since = Date.now();
  let owed = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    owed += (now - since) * kbPerMs;
    since = now;
    for (; owed >= 1; owed -= 1) held.push({ at: now, payload: randomBytes(512).toString('hex') });
  }, 1000);
  return () => clearInterval(timer);
}
