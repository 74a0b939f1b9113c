/**
 * The rig of the Graph fault suites: the product composed in sandbox mode against both emulators
 * over real HTTPS (as startSandboxRig does), with one difference — the product and the Graph
 * emulator share the emulator's SandboxClock (following real time, movable), and `advance()` moves
 * the CXone emulator's clock by the same amount. That is how "renewal failing for an hour" or
 * "a session outliving expirationDuration" run in seconds: time is compressed, not skipped over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ComponentHealth, HealthTransition } from '../../../src/application/health/health-model.js';
import { compose, type App } from '../../../src/compose.js';
import { loadConfig } from '../../../src/config.js';
import { activityText } from '../../../src/sandbox/bot-connector/bot-connector-model.js';
import type { EmuAgentState } from '../../../src/sandbox/cxone/cxone-model-types.js';
import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import type { GraphControl } from '../../../src/sandbox/graph/graph-control.js';
import { SandboxClock } from '../../../src/sandbox/sandbox-clock.js';
import { startSandboxWorld, type SandboxWorld } from '../../../src/sandbox/sandbox-world.js';
import { env, eventually } from '../sync/sandbox-harness.js';
import { E2E_CXONE, e2eNotificationLatency } from '../../support/realism.js';

export { eventually } from '../sync/sandbox-harness.js';
export { recordRecovery, stopwatch } from './recovery-report.js';

export const SUPPORT_VOICE_SKILL = FIRST_SKILL_ID + 1;
export const MIN = 60_000;

export interface GraphFaultRigOptions {
  /** Reconciliation period (real time); production runs every 5 min, the suites compress it. */
  readonly reconcileIntervalMs?: number;
  /** Settings over the rig's (e.g. GRAPH_RICH_NOTIFICATIONS=off for suites about basic notifications). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface GraphFaultRig {
  /** The running product (a new one after `restart`). */
  readonly app: App;
  readonly world: SandboxWorld;
  readonly tenantId: string;
  readonly graph: GraphControl;
  readonly clock: SandboxClock;
  /** Health transitions as the bot's proactive alerts receive them (after the debounce). */
  readonly transitions: HealthTransition[];
  /** Proactive alert cards the bot posted to the admins' conversation (Bot Connector emulator), as text. */
  alerts(): { at: number; text: string }[];
  cxone(path: string, body?: unknown): Promise<unknown>;
  /** Moves product, Graph and CXone time on by `ms` (the compressed part of a fault). */
  advance(ms: number): Promise<void>;
  userOf(agentId: string): string;
  agentsOf(teamId: string): string[];
  teamsOf(agentId: string): { availability: string; activity: string };
  acdOf(agentId: string): EmuAgentState;
  /** The agent's Log Reader trace: one `hop summary` line each. */
  traceOf(agentId: string): Promise<string[]>;
  health(component: string): ComponentHealth | undefined;
  /** setPresence / clearPresence calls that reached the Graph emulator for the agent's user. */
  writesOf(agentId: string, route?: string): number;
  /** The presence subscriptions Graph holds now. */
  graphSubscriptionIds(): string[];
  /** Subscriptions in our store cover every linked user, and Graph knows them. */
  whenSubscribed(): Promise<void>;
  /**
   * Nothing on its way for `quietMs`: no Graph notification owed (the latency), no CXone change
   * waiting out the reporting lag, our inbox empty, the engine idle. Between specs, so one spec's
   * late notifications do not land in the next.
   */
  whenQuiet(quietMs?: number): Promise<void>;
  loginWithCall(agentId: string): Promise<number>;
  /** Stops the product and composes it again on the same data, emulators and clock (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startGraphFaultRig(options: GraphFaultRigOptions = {}): Promise<GraphFaultRig> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-graph-faults-'));
  // Realism: the sandbox's (test/support/realism.ts) — CXone's 2 s reporting lag and 15 requests/s,
  // Graph's notification latency around a 3 s median (seeded, capped at 10 s) — so a recovery is
  // measured as production would see it. The latency runs on the emulator clock: `advance` lets
  // notifications still owed leave at once, as an hour passing would.
  const world = await startSandboxWorld({
    notificationLatency: e2eNotificationLatency(),
    dataDir: dir,
    cxoneUrl: 'https://127.0.0.1:0',
    graphUrl: 'https://127.0.0.1:0',
    cxoneRealism: E2E_CXONE,
  });
  const clock = world.graph.control.clock;
  if (!(clock instanceof SandboxClock)) throw new Error('the Graph emulator must run on a SandboxClock');
  const transitions: HealthTransition[] = [];
  const config = loadConfig({
    cwd: dir,
    env: {
      ...env(dir),
      HTTP_TIMEOUT_MS: '2000',
      HEALTH_ALERT_DEBOUNCE_MS: '300',
      BOT_ALERT_BATCH_MS: '100',
      BOT_ALERT_MIN_INTERVAL_MS: '0',
      // The rig's backoff is fast (0.1 s doubling to 2 s): 16 attempts ride out the suites' 10 s
      // outages as the product's 8 at 0.5 s doubling to 60 s (about a minute) do.
      GRAPH_WRITE_ATTEMPTS: '16',
      ...options.env,
    },
  });
  const boot = async (): Promise<App> => {
    const started = await compose(config, {
      clock,
      sandboxWorld: world,
      engineOptions: {
        pollIntervalMs: 200,
        reconcileIntervalMs: options.reconcileIntervalMs ?? 2_000,
        backoffBaseMs: 100,
        backoffMaxMs: 2_000,
      },
    });
    await started.start();
    started.runtime.health.onTransition((t) => transitions.push(t));
    return started;
  };
  let app = await boot();
  const tenantId = app.sandbox!.tenantId;
  const dispatcher = new Agent({ connect: { ca: world.cxone.caCertPem } });
  const cxone = async (path: string, body: unknown = {}): Promise<unknown> => {
    const res = await undiciFetch(`${world.cxone.url}/_control${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`CXone control ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const userOf = (agentId: string): string => world.userOfAgent.get(agentId)!.id;
  const rig: GraphFaultRig = {
    get app() {
      return app;
    },
    world,
    tenantId,
    graph: world.graph.control,
    clock,
    transitions,
    cxone,
    userOf,
    alerts: () =>
      (world.botConnector?.model.activities(tenantId) ?? [])
        .filter(
          (a) =>
            a.replyToId === undefined &&
            Array.isArray(a.activity['attachments']) &&
            a.activity['attachments'].length > 0,
        )
        .map((a) => ({ at: a.at, text: activityText(a.activity) })),
    async advance(ms) {
      await cxone('/clock', { advanceMs: ms });
      world.graph.control.advance(ms);
    },
    agentsOf: (teamId) =>
      [...world.cxone.model.agents.values()].filter((a) => String(a.teamId) === teamId).map((a) => String(a.agentId)),
    teamsOf: (agentId) => world.graph.control.presence(userOf(agentId)),
    acdOf: (agentId) => world.cxone.model.states.get(Number(agentId))!,
    async traceOf(agentId) {
      await app.runtime.trace.flush();
      const events = await app.store.traces.query({ tenantId, agentId, limit: 500 });
      return events.map((e) => `${e.hop} ${e.summary}`);
    },
    health: (component) => app.runtime.health.components(tenantId).find((c) => c.component === component),
    writesOf: (agentId, route = 'setPresence') =>
      world.graph.control.writeLog.filter((w) => w.userId === userOf(agentId) && w.route === route).length,
    graphSubscriptionIds: () => world.graph.control.subscriptions().map((s) => s.id),
    async whenSubscribed() {
      await eventually(
        async () => {
          const stored = await app.store.subscriptions.list(tenantId);
          const known = new Set(rig.graphSubscriptionIds());
          return (
            stored.reduce((n, s) => n + s.userIds.length, 0) >= world.userOfAgent.size &&
            stored.every((s) => known.has(s.subscriptionId))
          );
        },
        'subscriptions stored and known to Graph',
        30_000,
      );
    },
    async whenQuiet(quietMs = 1_000) {
      let calmSince = Date.now();
      await eventually(async () => {
        await world.graph.control.settle();
        const busy =
          world.graph.control.notificationsOwed > 0 ||
          world.cxone.unreported() > 0 ||
          (await app.store.inbox.depth(tenantId)) > 0 ||
          !app.runtime.engine.isIdle();
        if (busy) calmSince = Date.now();
        return Date.now() - calmSince >= quietMs;
      }, 'nothing on its way (Graph notifications, CXone reports, inbox, engine)');
    },
    async loginWithCall(agentId) {
      await cxone(`/agents/${agentId}/login`, { state: 'Available' });
      const { contactId } = (await cxone('/contacts', {
        type: 'customer',
        agentId: Number(agentId),
        skillId: SUPPORT_VOICE_SKILL,
      })) as { contactId: number };
      return contactId;
    },
    async restart() {
      await app.stop();
      app = await boot();
    },
    async close() {
      await app.stop();
      await dispatcher.close();
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** eventually(), and on a timeout the agent's trace, so a failure explains itself. */
export async function until<T>(
  rig: GraphFaultRig,
  agentId: string,
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  return eventually(probe, what, timeoutMs).catch(async (e: unknown) => {
    throw new Error(
      `${String(e)}\ntrace of ${agentId}:\n${(await rig.traceOf(agentId)).join('\n')}\nhealth: ${JSON.stringify(rig.app.runtime.health.components(rig.tenantId).map((c) => [c.component, c.status, c.detail]))}`,
    );
  });
}

/** A health transition of `component` to `to` was announced and the bot posted a card naming it. */
export function announced(rig: GraphFaultRig, component: string, to: string): boolean {
  const transition = rig.transitions.some((t) => t.component === component && t.to === to);
  return transition && rig.alerts().some((a) => a.text.includes(component) && a.text.includes(`→ ${to}`));
}

/** Lets background work run for a while (only where the absence of something is asserted). */
export const settleFor = (ms: number): Promise<void> => delay(ms);
