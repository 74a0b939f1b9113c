import type { HttpFetch } from '../../adapters/shared/http-transport.js';
import type { Logger } from '../../application/ports.js';
import { seededRandom } from '../cxone/cxone-seed.js';
import { nextStep, type SimAgent } from './workload-actions.js';

/** Options of {@link startCallCenterWorkload}. */
export interface CallCenterWorkloadOptions {
  readonly cxoneUrl: string;
  readonly graphUrl: string;
  /** A fetch trusting the sandbox CA. */
  readonly fetch: HttpFetch;
  readonly agents: readonly { readonly agentId: number; readonly teamsUserId: string }[];
  /** Steps per second across all agents. */
  readonly ratePerSecond: number;
  readonly seed: number;
  readonly logger: Logger;
}

export interface CallCenterWorkload {
  readonly steps: () => number;
  stop(): Promise<void>;
}

/**
 * A simulated call centre driven only through the emulators' control APIs: agents log in, take
 * inbound/outbound/digital contacts, consults, agent-to-agent and skill calls, after-call work
 * and unavailable codes; their Teams selves join calls and set Do not disturb. Seeded PRNG (same
 * seed, same story) and a bounded rate: one step at a time, never a backlog.
 */
export function startCallCenterWorkload(o: CallCenterWorkloadOptions): CallCenterWorkload {
  const rnd = seededRandom(o.seed);
  const agents: SimAgent[] = o.agents.map((a) => ({ ...a, loggedIn: false, teams: 'signedIn' }));
  let steps = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const log = o.logger.child({ component: 'workload' });
  const call = async (): Promise<void> => {
    const { agent, step } = nextStep(rnd, agents);
    const base = step.system === 'cxone' ? o.cxoneUrl : o.graphUrl;
    const res = await o.fetch(`${base}/_control${step.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(step.body) });
    const text = await res.text();
    if (!res.ok) {
      log.debug({ step: step.label, status: res.status }, 'workload step refused (the story moves on)');
      return;
    }
    step.after?.(agent, text ? (JSON.parse(text) as unknown) : undefined);
    steps += 1;
    log.debug({ step: step.label }, 'workload step');
  };
  const timer = setInterval(() => {
    // Bounded: a slow step makes the story skip a beat rather than pile steps up.
    if (stopped || busy) return;
    busy = true;
    running = call().catch((e: unknown) => log.warn({ err: e instanceof Error ? e.message : String(e) }, 'workload step failed')).finally(() => void (busy = false));
  }, Math.max(1, Math.round(1000 / o.ratePerSecond)));
  return {
    steps: () => steps,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
