/**
 * Rule change → every affected agent re-evaluated: N agents at Lunch (published as Away), the
 * admin maps Lunch to Presenting (DoNotDisturb), the engine re-evaluates; measured until every agent's new
 * presence write has been requested. SQLite store, FakeGraph write side. Under a publisher rule
 * only the agents' ACD states are re-observed; under a bidirectional one their Teams presences too.
 */
import { performance } from 'node:perf_hooks';
import type { RuleDirection } from '../../src/domain/presence-rule.js';
import { acd, CODES, map, P, rule } from '../domain/builders.js';
import { round, type Bench, type BenchOptions, type BenchResult, type BenchRow } from './bench-kit.js';
import { createEngineRig, TENANT, type StoreKind } from './engine-rig.js';

async function measure(agents: number, kind: StoreKind, direction: RuleDirection): Promise<BenchRow> {
  const rig = await createEngineRig(agents, kind, { direction });
  try {
    await rig.send(rig.agentIds.map((a) => rig.event(a, acd.unavailable(CODES.lunch))));
    await rig.drain(agents);
    await rig.settle();
    const before = rig.writes.length;
    const mappings = rule({ direction }).mappings.map((m) =>
      m.acd.kind === 'Unavailable' && m.acd.codeId === CODES.lunch.id ? map(m.acd, P.presenting) : m,
    );
    const startedAt = Date.now();
    const start = performance.now();
    await rig.saveRule(rule({ direction, mappings, version: 1 }));
    const queued = await rig.engine.reevaluate(TENANT, undefined, 'rule changed');
    await rig.drain(before + agents);
    const ms = performance.now() - start;
    // The Log Reader lines are written behind the engine; when they are all in the store is shown apart.
    await rig.settle();
    const loggedMs = performance.now() - start;
    const rewritten = rig.writes.slice(before).filter((w) => w.desire.presence?.availability === 'DoNotDisturb').length;
    const lines = await rig.store.traces.query({
      tenantId: TENANT,
      agentId: rig.agentIds[0] as string,
      from: startedAt,
      limit: 100,
    });
    return {
      agents,
      store: kind,
      rule: direction,
      reevaluation_events: queued,
      rewritten,
      seconds: round(ms / 1000, 2),
      agents_per_s: Math.round(agents / (ms / 1000)),
      log_reader_s: round(loggedMs / 1000, 2),
      log_lines_per_agent: lines.length,
    };
  } finally {
    await rig.close();
  }
}

export const ruleChange: Bench = {
  name: 'rule-change',
  title: 'Rule change → all affected agents re-evaluated',
  async run(o: BenchOptions): Promise<BenchResult> {
    const rows: BenchRow[] = [];
    const plan: [number, StoreKind, RuleDirection][] = o.quick
      ? [
          [1000, 'memory', 'publisher'],
          [1000, 'sqlite', 'publisher'],
        ]
      : [
          [1000, 'memory', 'publisher'],
          [1000, 'sqlite', 'publisher'],
          [10_000, 'memory', 'publisher'],
          [10_000, 'sqlite', 'publisher'],
          [10_000, 'sqlite', 'bidirectional'],
        ];
    for (const [agents, kind, direction] of plan) {
      o.log(`rule-change: ${agents} agents, ${kind} store, ${direction} rule`);
      rows.push(await measure(agents, kind, direction));
    }
    const largest = rows.filter(
      (r) => r.store === 'sqlite' && r.agents === Math.max(...rows.map((x) => Number(x.agents))),
    );
    return {
      rows,
      targets: largest.map((r) => ({
        target: `≤ 5 s for ${r.agents} agents (SQLite store, ${r.rule} rule)`,
        measured: `${r.seconds} s (${r.rewritten}/${r.agents} rewritten)`,
        met: Number(r.seconds) <= 5 && r.rewritten === r.agents,
      })),
      real: ['SyncEngine re-evaluation on the Kysely SQLite store (or the in-memory store, as a separate row)'],
      simulated: ['Graph (in-memory FakeGraph: the clock stops when the write is requested, not when Graph shows it)'],
      method:
        "Real SyncEngine on the Kysely store (SQLite temp file) or the in-memory store fake (to separate engine from store cost), FakeGraph write side: rule saved, engine.reevaluate(tenant) (what the rule API calls), then timed until every agent's new write (Lunch → DoNotDisturb/Presenting) was requested; log_reader_s: until the Log Reader lines recorded meanwhile are in the store too; log_lines_per_agent: what the Log Reader shows for one agent since the change.",
    };
  },
};
