/**
 * `npm run bench [-- --quick] [-- --only <name>[,<name>]]`: runs the benchmarks in sequence,
 * prints each as a table with its targets, and writes bench/results/<name>.json (rows, targets,
 * method, what was real and what simulated, machine facts, duration). Loopback only; bounded in
 * time. Exits 1 when a benchmark fails to run or any target is missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { machineFacts, round, type Bench, type BenchOptions } from './bench-kit.js';
import { cxonePoll } from './cxone-poll.js';
import { engineLatency } from './engine-latency.js';
import { engineOnWire } from './engine-on-wire.js';
import { graphBudget } from './graph-budget.js';
import { stateStorm } from './state-storm.js';
import { memoryRss } from './memory-rss.js';
import { productRss } from './product-rss.js';
import { ruleChange } from './rule-change.js';
import { sandboxLatency } from './sandbox-latency.js';
import { teamsToCxone } from './teams-to-cxone.js';
import { webhookFlood } from './webhook-flood.js';
import { webhookIngress } from './webhook-ingress.js';
import { webhookRich } from './webhook-rich.js';
import { writeEfficiency } from './write-efficiency.js';

const BENCHES: readonly Bench[] = [
  engineOnWire,
  engineLatency,
  webhookIngress,
  webhookRich,
  webhookFlood,
  stateStorm,
  graphBudget,
  writeEfficiency,
  ruleChange,
  memoryRss,
  productRss,
  cxonePoll,
  sandboxLatency,
  teamsToCxone,
];
const RESULTS_DIR = join(process.cwd(), 'bench', 'results');

function parseArgs(argv: readonly string[]): { quick: boolean; only?: Set<string> } {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--only');
  const only = at >= 0 ? new Set((argv[at + 1] ?? '').split(',').filter(Boolean)) : undefined;
  return { quick, ...(only ? { only } : {}) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const chosen = BENCHES.filter((b) => !args.only || args.only.has(b.name));
  if (chosen.length === 0)
    throw new Error(
      `no benchmark named ${[...(args.only ?? [])].join(', ')}; have: ${BENCHES.map((b) => b.name).join(', ')}`,
    );
  mkdirSync(RESULTS_DIR, { recursive: true });
  const options: BenchOptions = { quick: args.quick, log: (line) => process.stderr.write(`  … ${line}\n`) };
  let failed = 0;
  const missed: string[] = [];
  for (const bench of chosen) {
    const machine = machineFacts();
    const started = performance.now();
    process.stdout.write(`\n== ${bench.name}: ${bench.title}${args.quick ? ' (quick)' : ''}\n`);
    try {
      const result = await bench.run(options);
      const durationS = round((performance.now() - started) / 1000, 1);
      console.table(result.rows);
      console.table(result.targets.map((t) => ({ target: t.target, measured: t.measured, met: t.met ? 'yes' : 'NO' })));
      process.stdout.write(
        `real: ${result.real.join('; ')}\nsimulated: ${result.simulated.join('; ')}\n` +
          `method: ${result.method}\nduration: ${durationS} s\n`,
      );
      missed.push(...result.targets.filter((t) => !t.met).map((t) => `${bench.name}: ${t.target} — ${t.measured}`));
      writeFileSync(
        join(RESULTS_DIR, `${bench.name}.json`),
        `${JSON.stringify({ bench: bench.name, title: bench.title, quick: args.quick, at: new Date().toISOString(), durationS, machine, ...result }, null, 2)}\n`,
      );
    } catch (error) {
      failed += 1;
      process.stdout.write(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  process.stdout.write(`\nresults in ${RESULTS_DIR}\n`);
  if (missed.length > 0)
    process.stdout.write(`\nMISSED TARGETS (${missed.length}):\n${missed.map((m) => `  - ${m}\n`).join('')}`);
  if (failed > 0) process.stdout.write(`\n${failed} benchmark(s) FAILED to run\n`);
  // Engines and servers may leave timers behind; the run is over. A missed target fails the run like a crash.
  process.exit(failed > 0 || missed.length > 0 ? 1 : 0);
}

void main();
