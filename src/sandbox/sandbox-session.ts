import type { Registry } from 'prom-client';
import type { Logger } from '../application/ports.js';
import type { SandboxFetch } from './sandbox-fetch.js';

/** What the summary reads from the running product (the composition root passes its runtime). */
export interface SandboxObservables {
  readonly metrics: { readonly registry: Pick<Registry, 'getMetricsAsJSON'> };
  readonly health: {
    snapshot(tenantId: string): {
      readonly status: string;
      readonly components: readonly { readonly component: string; readonly status: string }[];
    };
  };
}
import type { SandboxWorld } from './sandbox-world.js';
import { startCallCenterWorkload, type CallCenterWorkload } from './workload/call-center-workload.js';

/** Options of {@link startSandboxSession}. */
export interface SandboxSessionOptions {
  readonly world: SandboxWorld;
  readonly runtime: SandboxObservables;
  readonly tenantId: string;
  readonly baseUrl: string;
  readonly workloadRate: number;
  readonly workloadSeed: number;
  /** The product's transport (trusts the sandbox CA); the composition root closes it. */
  readonly fetch: SandboxFetch;
  readonly logger: Logger;
  /** How often the one-line sync summary is logged (default 10 s). */
  readonly summaryEveryMs?: number;
}

async function counters(
  runtime: SandboxObservables,
): Promise<{ eventsIn: number; teamsWrites: number; acdWrites: number }> {
  const metrics = await runtime.metrics.registry.getMetricsAsJSON();
  const values = (name: string) => metrics.find((m) => m.name === name)?.values ?? [];
  const sum = (name: string, keep: (labels: Record<string, unknown>) => boolean = () => true) =>
    values(name)
      .filter((v) => keep(v.labels))
      .reduce((n, v) => n + Number(v.value), 0);
  return {
    eventsIn: sum('presence_sync_events_in_total'),
    teamsWrites: sum(
      'presence_sync_effects_total',
      (l) => String(l['kind']).includes('Teams') && l['outcome'] === 'written',
    ),
    acdWrites: sum('presence_sync_effects_total', (l) => l['kind'] === 'setAcdState' && l['outcome'] === 'applied'),
  };
}

/** Where to look in the sandbox (main.ts shows them in its start-up banner). */
export function sandboxPlaces(world: SandboxWorld, baseUrl: string): { label: string; where: string }[] {
  return [
    {
      label: 'Tab',
      where: `${baseUrl}/tab (outside Teams it signs in through ${baseUrl}/sandbox/dev-token?role=admin)`,
    },
    { label: 'Bot', where: `npm run playground (Microsoft 365 Agents Playground on ${baseUrl}/api/messages)` },
    { label: 'Health', where: `${baseUrl}/healthz, ${baseUrl}/readyz` },
    { label: 'Metrics', where: `${baseUrl}/metrics` },
    { label: 'CXone emulator', where: world.cxone.url },
    { label: 'Graph emulator', where: world.graph.url },
    { label: "A user's presence", where: `${world.graph.url}/_control/users/<teams user id>/presence` },
    { label: 'Sandbox CA', where: world.caFile },
  ];
}

/** What `npm start` adds in the sandbox: the simulated call centre and a periodic one-line summary of sync activity. */
export function startSandboxSession(o: SandboxSessionOptions): { stop(): Promise<void> } {
  const log = o.logger.child({ component: 'sandbox' });
  const agents = [...o.world.userOfAgent].map(([agentId, user]) => ({
    agentId: Number(agentId),
    teamsUserId: user.id,
  }));
  const workload: CallCenterWorkload | undefined =
    o.workloadRate > 0
      ? startCallCenterWorkload({
          cxoneUrl: o.world.cxone.url,
          graphUrl: o.world.graph.url,
          fetch: o.fetch,
          agents,
          ratePerSecond: o.workloadRate,
          seed: o.workloadSeed,
          logger: o.logger,
        })
      : undefined;
  const summary = setInterval(() => {
    void counters(o.runtime).then((c) => {
      const h = o.runtime.health.snapshot(o.tenantId);
      const down = h.components.filter((x) => x.status !== 'ok').map((x) => `${x.component}=${x.status}`);
      log.info(
        {
          ...c,
          workloadSteps: workload?.steps() ?? 0,
          health: h.status,
          ...(down.length ? { notOk: down.join(' ') } : {}),
        },
        `sync: ${c.eventsIn} events in, ${c.teamsWrites} Teams writes, ${c.acdWrites} ACD writes; health ${h.status}`,
      );
    });
  }, o.summaryEveryMs ?? 10_000);
  summary.unref();
  return {
    async stop() {
      clearInterval(summary);
      await workload?.stop();
    },
  };
}
