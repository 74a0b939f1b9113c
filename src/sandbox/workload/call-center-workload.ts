import type { SandboxFetch as HttpFetch } from '../sandbox-fetch.js';
import type { Logger } from '../../application/ports.js';
import { seededRandom } from '../cxone/cxone-seed.js';
import { nextStep, type SimAgent, type WorkloadStep } from './workload-actions.js';

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
  /** Steps in flight at once (default 1); never two for the same agent. */
  readonly concurrency?: number;
  /** Told of every step the emulators accepted (the soak's bookkeeping). */
  readonly onStep?: (agent: SimAgent, step: WorkloadStep) => void;
}

export interface CallCenterWorkload {
  readonly steps: () => number;
  /** Steps an emulator refused (an impossible move: the story moves on). */
  readonly refused: () => number;
  /** The agents as the story left them (logged in, on a contact, their Teams side). */
  readonly agents: readonly SimAgent[];
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
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const inFlight = new Set<SimAgent>();
  const running = new Set<Promise<void>>();
  let steps = 0;
  let refused = 0;
  let stopped = false;
  const log = o.logger.child({ component: 'workload' });
  const call = async (agent: SimAgent, step: WorkloadStep): Promise<void> => {
    const base = step.system === 'cxone' ? o.cxoneUrl : o.graphUrl;
    const res = await o.fetch(`${base}/_control${step.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(step.body),
    });
    const text = await res.text();
    if (!res.ok) {
      refused += 1;
      log.debug({ step: step.label, status: res.status }, 'workload step refused (the story moves on)');
      return;
    }
    step.after?.(agent, text ? (JSON.parse(text) as unknown) : undefined);
    steps += 1;
    o.onStep?.(agent, step);
    log.debug({ step: step.label }, 'workload step');
  };
  const launch = (): void => {
    const free = inFlight.size === 0 ? agents : agents.filter((a) => !inFlight.has(a));
    if (free.length === 0) return;
    const { agent, step } = nextStep(rnd, free);
    inFlight.add(agent);
    const p: Promise<void> = call(agent, step)
      .catch((e: unknown) => log.warn({ err: e instanceof Error ? e.message : String(e) }, 'workload step failed'))
      .finally(() => {
        inFlight.delete(agent);
        running.delete(p);
      });
    running.add(p);
  };
  const timer = setInterval(
    () => {
      // Bounded: slow steps make the story skip a beat rather than pile steps up.
      if (!stopped && running.size < concurrency) launch();
    },
    Math.max(1, Math.round(1000 / o.ratePerSecond)),
  );
  return {
    steps: () => steps,
    refused: () => refused,
    agents,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(running);
    },
  };
}
