/**
 * RSS at 1k / 10k agents: each size in a fresh child process (node --expose-gc) so heaps do not
 * mix; the child loads the agents into the running engine and measures after GC.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { round, type Bench, type BenchOptions, type BenchResult, type BenchRow } from './bench-kit.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./rss-child.ts', import.meta.url));
const MB = 2 ** 20;

interface ChildReport {
  agents: number;
  gcExposed: boolean;
  baseline: NodeJS.MemoryUsage;
  loaded: NodeJS.MemoryUsage;
}

async function measure(agents: number): Promise<BenchRow> {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, String(agents)], {
    timeout: 240_000,
    maxBuffer: 1 << 20,
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const r = JSON.parse(line) as ChildReport;
  return {
    agents,
    gc: r.gcExposed,
    rss_mb: round(r.loaded.rss / MB, 1),
    heap_used_mb: round(r.loaded.heapUsed / MB, 1),
    external_mb: round(r.loaded.external / MB, 1),
    baseline_rss_mb: round(r.baseline.rss / MB, 1),
    added_rss_mb: round((r.loaded.rss - r.baseline.rss) / MB, 1),
    added_heap_kb_per_agent: round((r.loaded.heapUsed - r.baseline.heapUsed) / 1024 / agents, 2),
  };
}

export const memoryRss: Bench = {
  name: 'memory-rss',
  title: 'RSS with N agents loaded and the engine running (fresh process, after GC)',
  async run(o: BenchOptions): Promise<BenchResult> {
    const rows: BenchRow[] = [];
    for (const agents of o.quick ? [1000] : [1000, 10_000]) {
      o.log(`memory-rss: ${agents} agents`);
      rows.push(await measure(agents));
    }
    const last = rows.at(-1) as BenchRow;
    return {
      rows,
      targets: [
        {
          target: `RSS ≤ 200 MB at ${o.quick ? '1k (quick run)' : '10k'} agents`,
          measured: `${last.rss_mb} MB`,
          met: Number(last.rss_mb) <= 200,
        },
      ],
      real: ['SyncEngine + TraceRecorder on the Kysely SQLite store in a child process'],
      simulated: [
        'Graph (in-memory FakeGraph)',
        'the rest of the product process (HTTP server, adapters) is not loaded',
      ],
      method:
        'Child process: node --expose-gc --import tsx (the tsx loader and TypeScript transpilation are in the baseline), real SyncEngine + TraceRecorder on the Kysely store (SQLite temp file, its page cache counts in RSS), FakeGraph; every agent took a call and went back to Available; measured once the engine is idle and its Log Reader rows are written, after 3 forced GCs. rss includes the baseline process.',
    };
  },
};
