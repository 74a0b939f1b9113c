/** Shared pieces of the benchmarks: options, result shape, statistics, quiet runtime ports. */
import { cpus, loadavg, totalmem } from 'node:os';
import type { Clock, Logger, Scheduler } from '../../src/application/ports.js';

/** What the runner passes to every benchmark. */
export interface BenchOptions {
  /** A smoke run: small sizes, short phases (seconds). */
  readonly quick: boolean;
  /** Progress lines (stderr) while a long benchmark runs. */
  readonly log: (line: string) => void;
}

/** One row of a benchmark's table; values are numbers or short labels. */
export type BenchRow = Record<string, string | number | boolean | undefined>;

/** A benchmark's verdict against its target, stated plainly. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchResult {
  readonly rows: readonly BenchRow[];
  readonly targets: readonly TargetCheck[];
  /** How it was measured, in prose. */
  readonly method: string;
  /** What ran for real (our adapters, the store, HTTP, the composed process). */
  readonly real: readonly string[];
  /** What stood in for something (emulators, fakes, simulated clocks or load). */
  readonly simulated: readonly string[];
}

export interface Bench {
  readonly name: string;
  readonly title: string;
  run(options: BenchOptions): Promise<BenchResult>;
}

export const realClock: Clock = { now: () => Date.now() };
export const realScheduler: Scheduler = {
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};
export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** p50/p99/max of a sample in ms. */
export function distribution(samples: readonly number[]): {
  samples: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50_ms: round(pct(sorted, 50)),
    p99_ms: round(pct(sorted, 99)),
    max_ms: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Polls `done` every few ms until true or the deadline passes (then throws with `what`). */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Polls `ok` every `everyMs` until true or `ms` have passed; resolves to whether it became true. */
export async function waitUntil(ok: () => boolean, ms: number, everyMs = 5): Promise<boolean> {
  const until = Date.now() + ms;
  while (!ok() && Date.now() < until) await sleep(everyMs);
  return ok();
}

/** The machine facts stored with every result. */
export function machineFacts(): Record<string, unknown> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: process.platform,
    loadAvgAtStart: loadavg().map((l) => round(l)),
  };
}
