/**
 * The Graph presence budget end to end, through the product in production mode as a process of
 * its own (CXone emulator → real CXone adapter feed → engine → SQLite store → real Graph writer
 * over HTTPS → Graph emulator, whose own write log and throttle count are the measure; the
 * emulators run in the bench process, so Graph's work is not the product's CPU):
 *  1. storm: every agent takes a call at once; until the Graph emulator shows all In a call,
 *     ÷ the bound the sliding window allows for those writes (computed from the emulator's log);
 *  2. single fresh changes while the storm's backlog waits for the window: CXone call → Teams,
 *     from when the writer holds every storm change (a call placed while the storm is still being
 *     delivered comes in the same CXone poll as hundreds of the storm's: it is part of the storm);
 *  3. rule change (calls → In a conference call) until the Graph emulator shows it for every
 *     affected agent, ÷ the bound for the writes needed; "decided" = every write handed to the writer;
 *  4. single fresh changes right after a burst (every call ends at once), likewise from when the
 *     writer holds every change of the burst.
 *
 * In the runner: `npm run bench -- --only graph-budget`; alone: `npx tsx test/bench/graph-budget.ts`.
 * AGENTS, PROBES and GRAPH_WRITE_CONCURRENCY (passed to the product) from the environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent, fetch } from 'undici';
import type { PresenceWriteLogEntry } from '../../src/sandbox/graph/graph-world.js';
import SqliteDatabase from 'better-sqlite3';
import { FIRST_SKILL_ID } from '../../src/sandbox/cxone/cxone-seed.js';
import { INSTANT_CXONE } from '../../src/sandbox/cxone/cxone-realism.js';
import { PUBLISHER_TEAM } from '../../src/sandbox/sandbox-seed.js';
import { NO_LATENCY } from '../../src/sandbox/graph/notification-latency.js';
import { killAll } from '../e2e/multi-instance/product-instances.js';
import { startSharedWorld, type SharedWorld } from '../e2e/multi-instance/shared-world.js';
import { tabClient, type TabClient } from '../e2e/faults/process-fault-kit.js';
import {
  pct,
  round,
  sleep,
  waitUntil,
  type Bench,
  type BenchOptions,
  type BenchResult,
  type BenchRow,
} from './bench-kit.js';
import { probeCalls } from './call-probes.js';
import { inboxDepth, startProductProcess, type ProductProcess } from './product-process.js';

const WINDOW_MS = 30_000;
const POLL_MS = 1000;
const LIMIT = 1500;
const ON_A_CALL = new Set(['InACall', 'InAConferenceCall']);

/**
 * When the last write could at the earliest have been accepted, by a sliding window of `limit` per
 * 30 s that already holds `prior` (accepted times from the emulator's log), if each write goes as
 * soon as both its change was known (`releases`) and a slot was free.
 */
export function windowBoundMs(prior: readonly number[], releases: readonly number[], limit = LIMIT): number {
  const sorted = [...releases].sort((a, b) => a - b);
  const stamps = prior.filter((t) => t > (sorted[0] ?? 0) - WINDOW_MS).sort((a, b) => a - b);
  let head = 0;
  let t = Number.NEGATIVE_INFINITY;
  for (const release of sorted) {
    t = Math.max(t, release);
    while (head < stamps.length && stamps[head]! <= t - WINDOW_MS) head += 1;
    if (stamps.length - head >= limit) {
      t = stamps[head]! + WINDOW_MS;
      head += 1;
    }
    stamps.push(t);
  }
  return t;
}

interface Rig {
  readonly world: SharedWorld;
  readonly product: ProductProcess;
  readonly tab: TabClient;
  readonly storm: readonly string[];
  readonly probes: string[];
  post<T>(path: string, body: unknown, lane?: 'probe'): Promise<T | undefined>;
  throttled(): Promise<number>;
  activity(agent: string): string;
  /** The product's Log Reader hops of kind `hop` at or after `from`, oldest first (its clock: Date.now()). */
  hops(hop: 'acd.event' | 'graph.request' | 'decision', from: number, agents?: ReadonlySet<string>): Hop[];
  close(): Promise<void>;
}

interface Hop {
  readonly agentId: string;
  readonly traceId: string;
  readonly at: number;
  /**
   * The activity handed to the writer (graph.request) or decided to be written (a re-evaluation's
   * decision: it hands its write over at once and records no graph.request line); else undefined.
   */
  readonly activity: string | undefined;
}

interface HopData {
  readonly presence?: { readonly activity?: string } | null;
  readonly effects?: readonly { readonly kind: string; readonly presence?: { readonly activity?: string } }[];
}

function activityOf(data: HopData): string | undefined {
  return data.presence?.activity ?? data.effects?.find((e) => e.kind === 'setTeamsPresence')?.presence?.activity;
}

async function startRig(agents: number, probes: number): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-bench-'));
  // One team (every agent publishes: calls → Busy/InACall). The budget is what is measured:
  // CXone's 2 s reporting lag and Graph's notification latency would only shift every time alike.
  const world = await startSharedWorld(dir, agents + probes, {
    teams: 1,
    cxoneRealism: INSTANT_CXONE,
    notificationLatency: NO_LATENCY,
  });
  let product: ProductProcess;
  try {
    product = await startProductProcess(world, dir, 'graph-budget-bench', {
      POLL_INTERVAL_MS: String(POLL_MS),
      // An experiment's writer concurrency reaches the product.
      ...(process.env.GRAPH_WRITE_CONCURRENCY ? { GRAPH_WRITE_CONCURRENCY: process.env.GRAPH_WRITE_CONCURRENCY } : {}),
    });
  } catch (error) {
    await world.close();
    throw error;
  }
  const tab = await tabClient(world);
  // A few kept-alive connections: a hundred fresh TLS handshakes at once time out on a loaded machine.
  const dispatcher = new Agent({ connect: { ca: world.cxone.caCertPem, timeout: 60_000 }, connections: 16 });
  // Probes have a connection of their own, so their call does not queue behind the storm's.
  const probeDispatcher = new Agent({ connect: { ca: world.cxone.caCertPem, timeout: 60_000 }, connections: 2 });
  const graphDispatcher = new Agent({ connect: { ca: world.graph.caCertPem } });
  const all = [...world.userOfAgent.keys()];
  const db = new SqliteDatabase(product.sqlitePath, { readonly: true, fileMustExist: true });
  const readHops = db.prepare(
    'SELECT agent_id, trace_id, at, data FROM trace_events WHERE hop = ? AND at >= ? ORDER BY at',
  );
  return {
    world,
    product,
    tab,
    storm: all.slice(0, agents),
    probes: all.slice(agents),
    async post<T>(path: string, body: unknown, lane?: 'probe'): Promise<T | undefined> {
      const r = await fetch(`${world.cxone.url}/_control${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: lane === 'probe' ? probeDispatcher : dispatcher,
      });
      const text = await r.text();
      return text ? (JSON.parse(text) as T) : undefined;
    },
    async throttled() {
      const r = await fetch(`${world.graph.url}/_control/throttle`, { dispatcher: graphDispatcher });
      return ((await r.json()) as { throttled: number }).throttled;
    },
    activity: (agent) => world.graph.control.presence(world.userOfAgent.get(agent)!.id).activity,
    hops(hop, from, agents) {
      const rows = readHops.all(hop, from) as { agent_id: string; trace_id: string; at: number; data: string }[];
      return rows
        .filter((r) => !agents || agents.has(r.agent_id))
        .map((r) => ({
          agentId: r.agent_id,
          traceId: r.trace_id,
          at: Number(r.at),
          activity: activityOf(JSON.parse(r.data) as HopData),
        }));
    },
    async close() {
      db.close();
      await killAll([product.instance]);
      await tab.close();
      await dispatcher.close();
      await probeDispatcher.close();
      await graphDispatcher.close();
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How often this bench looks at the Graph emulator (ms). */
const LOOK_MS = 10;

async function inChunks<T>(items: readonly T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

const callOf =
  (rig: Rig, lane?: 'probe') =>
  async (agent: string): Promise<number> =>
    (await rig.post<{ contactId: number }>(
      '/contacts',
      { type: 'customer', agentId: Number(agent), skillId: FIRST_SKILL_ID + 1 },
      lane,
    ))!.contactId;

/** How often the bench reads the product's Log Reader rows (a query on its SQLite file; it flushes them every 250 ms). */
const HOPS_LOOK_MS = 250;

/**
 * Probes spread over `spanMs` from when the product's writer holds a change for every one of
 * `agents` decided since `from` (their graph.request hops; the Log Reader flushes its rows every
 * 250 ms), each probe agent once, one after another (each call ended after).
 */
async function probes(rig: Rig, spanMs: number, agents: ReadonlySet<string>, from: number): Promise<number[]> {
  // Read as the rows come (each look from the newest seen): this process also runs the emulators.
  const handed = new Set<string>();
  let since = from;
  await waitUntil(
    () => {
      for (const h of rig.hops('graph.request', since, agents)) {
        handed.add(h.agentId);
        since = Math.max(since, h.at);
      }
      return handed.size >= agents.size;
    },
    60_000,
    HOPS_LOOK_MS,
  );
  const start = Date.now();
  return probeCalls(
    {
      call: callOf(rig, 'probe'),
      // After the rule change a call shows In a conference call.
      onACall: (agent) => ON_A_CALL.has(rig.activity(agent)),
      end: async (contact) => void (await rig.post(`/contacts/${contact}/end`, {}, 'probe')),
    },
    rig.probes,
    {
      delayMs: (i) => start + ((i + Math.random()) * spanMs) / rig.probes.length - Date.now(),
      idleTimeoutMs: 60_000,
      shownTimeoutMs: 60_000,
      everyMs: LOOK_MS,
    },
  );
}

/** Accepted write times in the emulator's log for `users` at or after `from` (with the given presence). */
function writesOf(rig: Rig, users: ReadonlySet<string>, from: number, presence?: string): number[] {
  return rig.world.graph.control.writeLog
    .filter((w) => w.at >= from && users.has(w.userId) && (presence === undefined || w.presence === presence))
    .map((w) => w.at);
}

/**
 * How many of `users` the Graph emulator has accepted a `presence` write for at or after `from`,
 * read from its write log as it grows. Asking every agent's presence every 10 ms instead cost
 * this process, which is also the product's, up to 200,000 presence computations a second while
 * the storm's last writes went out.
 */
function acceptedCount(rig: Rig, users: ReadonlySet<string>, from: number, presence: string): () => number {
  const seen = new Set<string>();
  let last: PresenceWriteLogEntry | undefined;
  return () => {
    const log = rig.world.graph.control.writeLog;
    // The log is capped: its oldest entries can have gone since the last look.
    let i = last === undefined ? 0 : log.lastIndexOf(last) + 1;
    for (; i < log.length; i += 1) {
      const w = log[i]!;
      if (w.at >= from && w.presence === presence && users.has(w.userId)) seen.add(w.userId);
    }
    last = log.at(-1) ?? last;
    return seen.size;
  };
}

/**
 * The CXone emulator's log time of its first agent-states answer at or after `t`: the earliest
 * the product's feed can have carried a change made at `t`. An answer computed just before `t`
 * and sent after it counts too, which makes the bound earlier (stricter), never later.
 */
const feedAnswerAfter = (rig: Rig) => {
  const answers = rig.world.cxone.requests
    .find('GET', '/agents/states')
    .filter((r) => r.outcome === 200)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  return (t: number): number => answers.find((a) => a >= t) ?? t;
};

const allWritesBefore = (rig: Rig, t: number): number[] =>
  rig.world.graph.control.writeLog.filter((w) => w.at < t).map((w) => w.at);

interface Measured {
  rows: BenchRow[];
  storm: { ratio: number; ratioCalls: number; ratioWrites: number; throttled: number; complete: boolean };
  backlogProbes: number[];
  burstProbes: number[];
  rule: { decidedS: number; ratio: number; writes: number; affected: number; complete: boolean };
  runtime: string;
}

/** Until the product's inbox holds nothing unprocessed (its engine has worked off what came in). */
async function inboxDrained(rig: Rig): Promise<void> {
  await waitUntil(() => inboxDepth(rig.product.sqlitePath) === 0, 600_000, 200);
}

/**
 * When each storm agent's conference-call write was decided since `from` (the re-evaluation's
 * decision line: the write goes to the writer in the same turn), ascending.
 */
function decidedTimes(rig: Rig, from: number): number[] {
  return rig
    .hops('decision', from, new Set(rig.storm))
    .filter((h) => h.activity === 'InAConferenceCall')
    .map((h) => h.at)
    .sort((a, b) => a - b);
}

interface ApiRule {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly partnerPlatform: string;
  readonly direction: string;
  readonly scope: { readonly kind: string; readonly teamIds?: readonly string[] };
  readonly mappings: readonly { readonly acd: unknown; readonly teams: { readonly activity?: string } }[];
  readonly enabled: boolean;
  readonly manualStatusPolicy: string;
  readonly noSyncStates: readonly unknown[];
  readonly debounceMs: number;
}

/** The publisher team's rule, calls → In a conference call, saved through PUT /api/v1/rules/{id} as the admin. */
async function saveConferenceRule(rig: Rig): Promise<void> {
  const base = `http://127.0.0.1:${rig.product.instance.port}`;
  const { body } = await rig.tab.get<{ items: ApiRule[] }>(base, '/rules');
  const team = body.items.find((r) => r.scope.kind === 'team' && r.scope.teamIds?.includes(PUBLISHER_TEAM));
  if (!team) throw new Error(`no rule for team ${PUBLISHER_TEAM} among ${body.items.length}`);
  const conference = { availability: 'Busy', activity: 'InAConferenceCall' };
  const { id, name, partnerPlatform, direction, scope, mappings, enabled, manualStatusPolicy, noSyncStates } = team;
  const res = await fetch(`${base}/api/v1/rules/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${rig.tab.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      partnerPlatform,
      direction,
      scope,
      mappings: mappings.map((m) => (m.teams.activity === 'InACall' ? { ...m, teams: conference } : m)),
      enabled,
      manualStatusPolicy,
      noSyncStates,
      debounceMs: team.debounceMs,
      version: team.version,
    }),
  });
  if (!res.ok) throw new Error(`saving the rule: ${res.status} ${await res.text()}`);
}

async function measure(agents: number, probeCount: number, log: (l: string) => void): Promise<Measured> {
  const rig = await startRig(agents, probeCount);
  try {
    log(`graph-budget: product up (${rig.product.runtime}); ${agents + probeCount} agents log in`);
    await inChunks([...rig.storm, ...rig.probes], 50, (a) => rig.post(`/agents/${a}/login`, { state: 'Available' }));
    await sleep(3000);
    await inboxDrained(rig);
    const quietFrom = Math.max(0, ...rig.world.graph.control.writeLog.map((w) => w.at));
    await sleep(Math.max(0, quietFrom + WINDOW_MS + 500 - Date.now()));

    // 1 + 2. The storm, and single fresh changes while its backlog waits.
    log(`graph-budget: storm of ${agents} calls`);
    const users = new Set(rig.storm.map((a) => rig.world.userOfAgent.get(a)!.id));
    const throttledBefore = await rig.throttled();
    const stormStart = Date.now();
    const calls: number[] = [];
    const released: number[] = [];
    const issuing = inChunks(rig.storm, 50, async (a) => {
      calls.push(await callOf(rig)(a));
      released.push(Date.now());
    });
    // Probes start once the writer holds the storm's changes, spread over the next 20 s (the backlog waits ≈ 30 s).
    const backlogFrom = Date.now();
    const during = probes(rig, 20_000, new Set(rig.storm), stormStart);
    await issuing;
    const issuedS = (Date.now() - stormStart) / 1000;
    const stormShown = acceptedCount(rig, users, stormStart, 'Busy/InACall');
    await waitUntil(() => stormShown() >= rig.storm.length, 180_000, LOOK_MS);
    const complete = rig.storm.every((a) => rig.activity(a) === 'InACall');
    const backlogProbes = await during;
    const stormWrites = writesOf(rig, users, stormStart, 'Busy/InACall').sort((a, b) => a - b);
    const firstWrite = stormWrites[0] ?? Number.NaN;
    const lastWrite = stormWrites.at(-1) ?? Number.NaN;
    // The bound lets each write go once its call was started (and a slot was free): issuing 2,000
    // calls through the emulator's control API is not instant on a busy machine. And once the
    // product can have read it: the feed's first answer after the call started (a call started
    // just after a poll waits up to POLL_MS for the next, which alone moved the ratio by ±0.03).
    const prior = allWritesBefore(rig, stormStart);
    const callsBoundS = (windowBoundMs(prior, released) - stormStart) / 1000;
    const boundS = (windowBoundMs(prior, released.map(feedAnswerAfter(rig))) - stormStart) / 1000;
    const throttled = (await rig.throttled()) - throttledBefore;
    const e2eS = (lastWrite - stormStart) / 1000;
    const tightS = (Math.ceil(agents / LIMIT) - 1) * (WINDOW_MS / 1000);
    const storm = {
      ratio: round(e2eS / boundS, 3),
      ratioCalls: round(e2eS / callsBoundS, 3),
      ratioWrites: round((lastWrite - firstWrite) / 1000 / tightS, 3),
      throttled,
      complete,
    };

    // 3. Rule change, saved by the admin through the tab API as in production: calls show In a
    // conference call; the user-rule agent is not affected.
    await inboxDrained(rig);
    log('graph-budget: rule change');
    const affected = rig.storm.filter((a) => rig.activity(a) === 'InACall');
    const ruleStart = Date.now();
    await saveConferenceRule(rig);
    const affectedByRule = () => rig.storm.filter((a) => rig.activity(a) === 'InAConferenceCall').length;
    const ruleShown = acceptedCount(rig, users, ruleStart, 'Busy/InAConferenceCall');
    await waitUntil(() => ruleShown() >= affected.length - 1, 180_000, LOOK_MS);
    // Decided: the write of every affected agent handed to the writer (their graph.request hops).
    await waitUntil(() => decidedTimes(rig, ruleStart).length >= affected.length - 1, 10_000, HOPS_LOOK_MS);
    const decidedMs = (decidedTimes(rig, ruleStart)[affected.length - 2] ?? Number.NaN) - ruleStart;
    const ruleDone = affectedByRule() >= affected.length - 1;
    const ruleWrites = writesOf(rig, users, ruleStart).sort((a, b) => a - b);
    const shownS = ((ruleWrites.at(-1) ?? Number.NaN) - ruleStart) / 1000;
    const ruleBoundS =
      (windowBoundMs(
        allWritesBefore(rig, ruleStart),
        ruleWrites.map(() => ruleStart),
      ) -
        ruleStart) /
      1000;
    const rule = {
      decidedS: round(decidedMs / 1000, 2),
      ratio: round(shownS / ruleBoundS, 3),
      writes: ruleWrites.length,
      affected: affectedByRule(),
      complete: ruleDone,
    };

    // 4. A burst (every call ends at once), then single fresh changes right after it.
    log('graph-budget: burst of call ends, then single calls');
    const burstStart = Date.now();
    await inChunks(calls, 100, (c) => rig.post(`/contacts/${c}/end`, {}));
    const burstFrom = Date.now();
    const burstProbes = await probes(rig, 10_000, new Set(rig.storm), burstStart);
    const backlogParts = await probeParts(rig, backlogFrom, burstFrom);
    const burstParts = await probeParts(rig, burstFrom);
    const rows: BenchRow[] = [
      {
        measure: `storm: ${agents} calls at once until the Graph emulator shows all In a call`,
        issued_s: round(issuedS, 1),
        first_write_s: round((firstWrite - stormStart) / 1000, 2),
        e2e_s: round(e2eS, 2),
        writes_span_s: round((lastWrite - firstWrite) / 1000, 2),
        bound_s: round(boundS, 2),
        bound_calls_s: round(callsBoundS, 2),
        tight_bound_s: tightS,
        ratio_e2e: storm.ratio,
        ratio_e2e_vs_calls: storm.ratioCalls,
        ratio_writes_vs_tight: storm.ratioWrites,
        graph_writes: stormWrites.length,
        graph_429s: throttled,
      },
      {
        measure: `rule change: ${affected.length - 1} of ${agents} agents affected, until the Graph emulator shows it`,
        decided_s: rule.decidedS,
        e2e_s: round(shownS, 2),
        bound_s: round(ruleBoundS, 2),
        ratio_e2e: rule.ratio,
        graph_writes: rule.writes,
      },
      latencyRow(`single call during the storm's backlog (poll ${POLL_MS} ms)`, backlogProbes, backlogParts),
      latencyRow(`single call right after a burst of ${agents} call ends`, burstProbes, burstParts),
    ];
    return { rows, storm, backlogProbes, burstProbes, rule, runtime: rig.product.runtime };
  } finally {
    await rig.close();
  }
}

/** Where a probe's time went, per call shown: ACD event in → write handed to the writer → accepted by the Graph emulator. */
interface ProbeParts {
  readonly engine: number[];
  readonly writer: number[];
}

/** The probes' calls since `from`, cut at the product's own Log Reader hops (acd.event, graph.request). */
async function probeParts(rig: Rig, from: number, to = Date.now()): Promise<ProbeParts> {
  // The Log Reader flushes its rows every 250 ms.
  await sleep(1000);
  const agents = new Set(rig.probes);
  const flows = new Map<string, { agentId: string; in?: number; out?: number }>();
  const flow = (h: Hop) => flows.get(h.traceId) ?? flows.set(h.traceId, { agentId: h.agentId }).get(h.traceId)!;
  for (const h of rig.hops('acd.event', from, agents)) if (h.at <= to) flow(h).in ??= h.at;
  for (const h of rig.hops('graph.request', from, agents))
    if (h.at <= to && ON_A_CALL.has(h.activity ?? '')) flow(h).out ??= h.at;
  const parts: ProbeParts = { engine: [], writer: [] };
  for (const f of flows.values()) {
    if (f.in === undefined || f.out === undefined) continue;
    const userId = rig.world.userOfAgent.get(f.agentId)!.id;
    const accepted = rig.world.graph.control.writeLog.find(
      (w) => w.userId === userId && w.at >= f.out! && ON_A_CALL.has(w.presence?.split('/')[1] ?? ''),
    );
    if (!accepted) continue;
    parts.engine.push(f.out - f.in);
    parts.writer.push(accepted.at - f.out);
  }
  return parts;
}

function latencyRow(measure: string, samples: readonly number[], parts: ProbeParts): BenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const max = (xs: readonly number[]): number => round(Math.max(...xs));
  return {
    measure,
    samples: sorted.length,
    p50_ms: round(pct(sorted, 50)),
    p95_ms: round(pct(sorted, 95)),
    max_ms: round(sorted.at(-1) ?? Number.NaN),
    engine_max_ms: max(parts.engine),
    writer_max_ms: max(parts.writer),
  };
}

export const graphBudget: Bench = {
  name: 'graph-budget',
  title: 'Graph presence budget end to end: storm, rule change, single changes behind a backlog',
  async run(o: BenchOptions): Promise<BenchResult> {
    const agents = Number(process.env.AGENTS ?? (o.quick ? 1600 : 2000));
    const probeCount = Number(process.env.PROBES ?? (o.quick ? 5 : 10));
    const m = await measure(agents, probeCount, o.log);
    const p95 = (s: readonly number[]) =>
      pct(
        [...s].sort((a, b) => a - b),
        95,
      );
    const single = (name: string, s: readonly number[]) => ({
      target: `${name}: CXone → Teams p95 ≤ poll interval + 200 ms (${POLL_MS + 200} ms)`,
      measured: `p95 ${round(p95(s))} ms over ${s.length} of ${probeCount}`,
      met: s.length === probeCount && p95(s) <= POLL_MS + 200,
    });
    return {
      rows: m.rows,
      targets: [
        {
          target: 'storm: until all In a call ≤ 1.05 × the sliding-window bound for its writes, 0 429s',
          measured: `${m.storm.ratio} × (from the calls' start, not their first feed answer: ${m.storm.ratioCalls} ×; first to last write ÷ tight bound: ${m.storm.ratioWrites} ×), ${m.storm.throttled} × 429`,
          met: m.storm.complete && m.storm.ratio <= 1.05 && m.storm.throttled === 0,
        },
        single('during the storm backlog', m.backlogProbes),
        single('right after a burst', m.burstProbes),
        {
          target:
            'rule change: until Teams shows it ≤ 1.05 × the bound for the writes needed, one write per affected agent',
          measured: `${m.rule.ratio} ×, ${m.rule.writes} writes for ${m.rule.affected} agents, decided in ${m.rule.decidedS} s`,
          met: m.rule.complete && m.rule.ratio <= 1.05 && m.rule.writes === m.rule.affected,
        },
        {
          // The engine decides without waiting for Graph's budget (issue 16: ≤ 5 s at 10k agents; rule-change checks 10k).
          target: 'rule change: every affected agent decided (its write handed to the Graph writer) ≤ 5 s',
          measured: `${m.rule.decidedS} s for ${m.rule.affected} agents`,
          met: m.rule.complete && m.rule.decidedS <= 5,
        },
      ],
      real: [
        `the product process (${m.runtime}), PRESENCE_SYNC_MODE=production: CXone adapter feed (1 s poll), engine, SQLite store, Graph writer over HTTPS, the tab API for the rule change`,
        "the Graph emulator's sliding-window throttle (1,500 per 30 s) and its write log, read as the measure",
      ],
      simulated: [
        'CXone and Graph (emulators; CXone without its 2 s reporting lag, Graph notifications without latency)',
        'calls (scripted through the CXone emulator)',
      ],
      method:
        "The product (src/main.ts, production mode, the compiled build) in a child process against the CXone and Graph emulators in the bench process over HTTPS, its tenant seeded like the sandbox's with one team (every agent publishes). Every agent logs in, then the product's inbox drains and the Graph window is left to empty. Storm: every agent takes a call through the CXone emulator's control API (100 at a time); e2e_s = first call issued → the Graph emulator's last accepted In a call write; bound_s = when the sliding window (limit 1,500 per 30 s, holding the writes the emulator logged in the 30 s before) could at the earliest have accepted every write, each no earlier than the CXone feed's first answer (the emulator's request log) after its call was started: the product cannot know a call before its next poll (every 1 s) reads it, and the control API takes a while to start 2,000 calls on a busy machine; bound_calls_s likewise from when each call was started; tight_bound_s = (⌈agents / 1,500⌉ − 1) × 30 s, the bound had every call started at once; 429s from the emulator's GET /_control/throttle. The bench follows the storm and the rule change in the Graph emulator's write log as it grows (asking every agent's presence every 10 ms took the emulators' process up to 200,000 presence computations a second) and checks every agent's presence once at the end. While the storm's backlog waits (from when the product's Log Reader shows every storm agent's write handed to the writer, its graph.request line, read from its SQLite file; over the next 20 s), probe agents take one call each (random phase) and the time CXone call → Teams In a call is taken; a call placed while the storm is still being delivered comes in the same CXone poll as hundreds of the storm's and is part of it. Rule change: the admin saves the team rule with calls mapped to In a conference call through PUT /api/v1/rules/{id} (the user-rule agent is not affected); decided_s = the re-evaluation's decision line of every affected agent (its write is handed to the writer in the same turn); e2e_s = PUT sent → last write accepted by the emulator; bound as above from the PUT. Then every call ends at once (a burst of writes) and the probes run again over 10 s, from when every call end's write is handed to the writer.",
    };
  },
};

// Standalone: print the tables without the runner.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await graphBudget.run({
    quick: process.argv.includes('--quick'),
    log: (line) => process.stderr.write(`  … ${line}\n`),
  });
  console.table(result.rows);
  console.table(result.targets);
  process.exit(0);
}
