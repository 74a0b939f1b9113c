import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { compose, type App } from '../../../src/compose.js';
import type { TenantHealth } from '../../../src/application/health/health-model.js';
import { loadConfig } from '../../../src/config.js';
import { activityText } from '../../../src/sandbox/bot-connector/bot-connector-model.js';
import type { EmulatedUser } from '../../../src/sandbox/graph/emulator-model.js';
import type { CxoneRealism } from '../../../src/sandbox/cxone/cxone-realism.js';
import { startSandboxWorld } from '../../../src/sandbox/sandbox-world.js';
import type { NotificationLatency } from '../../../src/sandbox/graph/notification-latency.js';
import { E2E_CHANGE_WAIT_MS, E2E_CXONE, e2eNotificationLatency } from '../../support/realism.js';

/** The product composed in sandbox mode on port 0, a temp SQLite store, no random workload. */
export interface SandboxRig {
  readonly app: App;
  readonly base: string;
  readonly tenantId: string;
  readonly dir: string;
  /** CXone scenario driver (`/_control`). */
  cxone(path: string, body?: unknown): Promise<unknown>;
  /** DELETE on the CXone scenario driver (e.g. clearing faults). */
  cxoneDelete(path: string): Promise<void>;
  /** The Graph emulator's presence of the agent's Teams user. */
  teamsOf(agentId: string): { availability: string; activity: string };
  userOf(agentId: string): EmulatedUser;
  /** Agents of a team (CXone ids as strings). */
  agentsOf(teamId: string): string[];
  /** Resolves once our store holds a presence subscription covering every linked user (so notifications validate). */
  whenSubscribed(): Promise<void>;
  /**
   * Resolves once nothing is on its way for `quietMs`: no Graph notification owed (a change's may
   * leave up to the latency cap after it), no CXone change waiting out the reporting lag, our
   * inbox empty and the engine idle. Where a spec asserts that something did NOT happen, it waits
   * for this instead of a fixed time, which a late notification could outlast.
   */
  whenQuiet(quietMs?: number): Promise<void>;
  /** The agent's Log Reader trace, one `hop summary` line each (after flushing the recorder). */
  traceOf(agentId: string): Promise<string[]>;
  /**
   * Every proactive card (a new message, not a reply) the Bot Connector emulator received for the
   * tenant, oldest first, its card text flattened to lines. Alerts go to the seeded admin's chat.
   */
  alerts(): Promise<Array<{ at: number; text: string }>>;
  /** The Health Check as the tab and the bot show it (the runtime's health snapshot of the tenant). */
  health(): Promise<TenantHealth>;
  /** Stops the product only (graceful); `restart` then composes it again. */
  stopProduct(): Promise<void>;
  /** Re-composes on the same data folder and emulators (a process restart), with `extraEnv` over the rig's settings. */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export const env = (dir: string): Record<string, string> => ({
  PRESENCE_SYNC_MODE: 'sandbox',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
  DATA_DIR: dir,
  SQLITE_PATH: join(dir, 'e2e.sqlite'),
  POLL_INTERVAL_MS: '200',
  SANDBOX_WORKLOAD_RATE: '0',
  BOT_AUTH: 'disabled-for-playground',
  // Alerts fast enough for a test: a 300 ms debounce, 200 ms batches, no minimum interval.
  HEALTH_ALERT_DEBOUNCE_MS: '300',
  BOT_ALERT_BATCH_MS: '200',
  BOT_ALERT_MIN_INTERVAL_MS: '0',
  CXONE_AUTH_BASE_URL: 'https://127.0.0.1:0',
  GRAPH_BASE_URL: 'https://127.0.0.1:0/v1.0',
  ENTRA_LOGIN_BASE_URL: 'https://127.0.0.1:0',
});

/**
 * `extraEnv` goes over the rig's settings (e.g. GRAPH_RICH_NOTIFICATIONS=off). Realism: the
 * sandbox's (test/support/realism.ts) — CXone's 2 s reporting lag and 15 requests/s, Graph's
 * notification latency around a 3 s median (seeded, capped at 10 s) — unless a suite that must be
 * instant for another reason passes `cxoneRealism` or `notificationLatency` and says why.
 */
export async function startSandboxRig(
  extraEnv: Record<string, string> = {},
  o: { readonly cxoneRealism?: CxoneRealism; readonly notificationLatency?: NotificationLatency } = {},
): Promise<SandboxRig> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-e2e-'));
  // The emulators outlive the product, so a restart of the product alone can be tested.
  const world = await startSandboxWorld({
    notificationLatency: o.notificationLatency ?? e2eNotificationLatency(),
    dataDir: dir,
    cxoneUrl: 'https://127.0.0.1:0',
    graphUrl: 'https://127.0.0.1:0',
    cxoneRealism: o.cxoneRealism ?? E2E_CXONE,
  });
  const boot = async (overrides: Record<string, string>): Promise<{ app: App; base: string; dispatcher: Agent }> => {
    const app = await compose(loadConfig({ cwd: dir, env: { ...env(dir), ...overrides } }), {
      engineOptions: { pollIntervalMs: 200 },
      sandboxWorld: world,
    });
    const base = `http://127.0.0.1:${await app.start()}`;
    return { app, base, dispatcher: new Agent({ connect: { ca: app.sandbox!.world.cxone.caCertPem } }) };
  };
  let live = await boot(extraEnv);
  const rig: SandboxRig = {
    get app() {
      return live.app;
    },
    get base() {
      return live.base;
    },
    get tenantId() {
      return live.app.sandbox!.tenantId;
    },
    dir,
    async cxone(path, body = {}) {
      const res = await undiciFetch(`${live.app.sandbox!.world.cxone.url}/_control${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: live.dispatcher,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`CXone control ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async cxoneDelete(path) {
      const res = await undiciFetch(`${live.app.sandbox!.world.cxone.url}/_control${path}`, {
        method: 'DELETE',
        dispatcher: live.dispatcher,
      });
      await res.text();
      if (!res.ok) throw new Error(`CXone control DELETE ${path}: ${res.status}`);
    },
    teamsOf: (agentId) => live.app.sandbox!.world.graph.control.presence(rig.userOf(agentId).id),
    userOf: (agentId) => live.app.sandbox!.world.userOfAgent.get(agentId)!,
    agentsOf: (teamId) =>
      [...live.app.sandbox!.world.cxone.model.agents.values()]
        .filter((a) => String(a.teamId) === teamId)
        .map((a) => String(a.agentId)),
    async whenSubscribed() {
      await eventually(
        async () =>
          (await live.app.store.subscriptions.list(rig.tenantId)).reduce((n, s) => n + s.userIds.length, 0) >= 50,
        'subscriptions stored',
      );
    },
    async whenQuiet(quietMs = 1_500) {
      let calmSince = Date.now();
      await eventually(async () => {
        await world.graph.control.settle();
        const busy =
          world.graph.control.notificationsOwed > 0 ||
          world.cxone.unreported() > 0 ||
          (await live.app.store.inbox.depth(rig.tenantId)) > 0 ||
          !live.app.runtime.engine.isIdle();
        if (busy) calmSince = Date.now();
        return Date.now() - calmSince >= quietMs;
      }, 'nothing on its way (Graph notifications, CXone reports, inbox, engine)');
    },
    async traceOf(agentId) {
      await live.app.runtime.trace.flush();
      const events = await live.app.store.traces.query({ tenantId: rig.tenantId, agentId, limit: 500 });
      return events.map((e) => `${e.hop} ${e.summary}`);
    },
    async alerts() {
      const received = world.botConnector?.model.activities(rig.tenantId) ?? [];
      return received
        .filter(
          (a) =>
            a.replyToId === undefined &&
            Array.isArray(a.activity['attachments']) &&
            a.activity['attachments'].length > 0,
        )
        .map((a) => ({ at: a.at, text: activityText(a.activity) }));
    },
    async health() {
      return live.app.runtime.health.snapshot(rig.tenantId);
    },
    async stopProduct() {
      await live.app.stop();
    },
    async restart(restartEnv = extraEnv) {
      await live.app.stop();
      await live.dispatcher.close();
      live = await boot(restartEnv);
    },
    async close() {
      await live.app.stop();
      await live.dispatcher.close();
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/**
 * Polls `probe` until it returns a truthy value (or throws the last failure after `timeoutMs`).
 * The default allows one change across under the suites' realism (E2E_CHANGE_WAIT_MS).
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = E2E_CHANGE_WAIT_MS,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await delay(everyMs);
  }
}
