/**
 * Shared apparatus of the CXone fault suites (test/e2e/faults/cxone-*.test.ts): the composed
 * sandbox (startSandboxRig) plus what every fault test checks — the emulator's own request log,
 * hop counts in the Log Reader, component health and bot alerts.
 */
import type { EmuLoggedRequest } from '../../../src/sandbox/cxone/cxone-request-log.js';
import type { FaultSettings } from '../../../src/sandbox/cxone/cxone-faults.js';
import type { EmuAgentState } from '../../../src/sandbox/cxone/cxone-model-types.js';
import type { GraphControl } from '../../../src/sandbox/graph/graph-control.js';
import { eventually, startSandboxRig, type SandboxRig } from '../sync/sandbox-harness.js';

export { eventually } from '../sync/sandbox-harness.js';
export { recordRecovery, stopwatch } from './recovery-report.js';

export interface ComponentView {
  readonly component: string;
  readonly status: string;
  readonly detail: string;
}

/** A card the bot sent proactively (its text flattened to lines). */
export interface AlertView {
  readonly at: number;
  readonly text: string;
}

export interface CxoneFaultRig {
  readonly rig: SandboxRig;
  /** The CXone emulator's state of an agent (read directly: what CXone "really" has). */
  acdOf(agent: string): EmuAgentState;
  graph(): GraphControl;
  login(agent: string, state?: 'Available' | 'Unavailable'): Promise<void>;
  /** `POST /_control/faults`. */
  fault(settings: FaultSettings): Promise<void>;
  /** Ends every CXone fault (statuses, resets, stalls, replays, token failures). */
  clearFaults(): Promise<void>;
  /** eventually(), and on a timeout the agent's Log Reader trace, so the failure explains itself. */
  until(agent: string, probe: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  /** Log Reader lines of the agent starting with `hop` (e.g. `acd.request`). */
  hops(agent: string, hop: string): Promise<string[]>;
  /** The emulator's log of state writes for the agent (every attempt, with its outcome). */
  writesOf(agent: string): EmuLoggedRequest[];
  /** Writes that CXone carried out (202, or lost-answer writes the emulator applied: afterApply). */
  requestsOf(method: string, path: RegExp | string): EmuLoggedRequest[];
  /** One component's Health Check entry now. */
  component(name: string): Promise<ComponentView | undefined>;
  /** Proactive bot cards (from the `after`-th on) that name the component and its new status (e.g. `acd.connection`, `down`). */
  alertsAbout(component: string, to: string, after?: number): Promise<AlertView[]>;
  /** How many proactive cards arrived so far (a mark for `alertsAbout`). */
  alertCount(): Promise<number>;
  /**
   * Waits until CXone's feed shows every change made so far (the 2 s reporting lag), then `pollsMs`
   * more for the product to poll it: before that, "nothing reached Teams" proves nothing.
   */
  pastTheLag(pollsMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCxoneFaultRig(): Promise<CxoneFaultRig> {
  // Realism: the sandbox's, as startSandboxRig runs it (test/support/realism.ts): CXone's 2 s
  // reporting lag and 15 requests/s, Graph's notification latency around 3 s. A throttled request
  // is one CXone received: specs that count requests count what production would send.
  const rig = await startSandboxRig();
  const emu = () => rig.app.sandbox!.world.cxone;
  const kit: CxoneFaultRig = {
    rig,
    acdOf: (agent) => emu().model.stateOf(Number(agent)),
    graph: () => rig.app.sandbox!.world.graph.control,
    async login(agent, state = 'Available') {
      await rig.cxone(`/agents/${agent}/login`, { state });
    },
    async fault(settings) {
      await rig.cxone('/faults', settings);
    },
    async clearFaults() {
      await rig.cxoneDelete('/faults');
    },
    async until(agent, probe, what, timeoutMs = 30_000) {
      await eventually(probe, what, timeoutMs).catch(async (e: unknown) => {
        throw new Error(`${String(e)}\ntrace of ${agent}:\n${(await rig.traceOf(agent)).join('\n')}`);
      });
    },
    async hops(agent, hop) {
      return (await rig.traceOf(agent)).filter((l) => l.startsWith(`${hop} `));
    },
    writesOf: (agent) => emu().requests.find('POST', `/agents/${agent}/state`),
    requestsOf: (method, path) => emu().requests.find(method, path),
    async component(name) {
      return (await rig.health()).components.find((c) => c.component === name);
    },
    async pastTheLag(pollsMs = 1_000) {
      await eventually(() => emu().unreported() === 0, 'CXone reports every change');
      await new Promise((r) => setTimeout(r, pollsMs));
    },
    async alertCount() {
      return (await rig.alerts()).length;
    },
    async alertsAbout(component, to, after = 0) {
      const mentions = new RegExp(`${component.replace(/\./g, '\\.')}\\W[^\\n]*→\\s*${to}`, 'i');
      return (await rig.alerts()).slice(after).filter((a) => mentions.test(a.text));
    },
    close: () => rig.close(),
  };
  return kit;
}

/** Waits for a proactive card announcing the component's new status, and returns it. */
export async function alertArrives(
  kit: CxoneFaultRig,
  component: string,
  to: string,
  after: number,
  timeoutMs = 30_000,
): Promise<AlertView> {
  const found = await eventually(
    async () => (await kit.alertsAbout(component, to, after))[0],
    `a bot alert: ${component} → ${to}`,
    timeoutMs,
  );
  return found!;
}

/** Waits until the component has one of `statuses` and returns it (its detail says why). */
export async function componentBecomes(
  kit: CxoneFaultRig,
  name: string,
  statuses: readonly string[],
  timeoutMs = 30_000,
): Promise<ComponentView> {
  const found = await eventually(
    async () => {
      const c = await kit.component(name);
      return c && statuses.includes(c.status) ? c : undefined;
    },
    `${name} ${statuses.join('/')}`,
    timeoutMs,
  );
  return found!;
}

/** The rig started, the subscriptions stored and the ACD link ok: where every CXone fault suite begins. */
export async function startReadyCxoneFaultRig(): Promise<CxoneFaultRig> {
  const kit = await startCxoneFaultRig();
  await kit.rig.whenSubscribed();
  await componentBecomes(kit, 'acd.connection', ['ok']);
  return kit;
}

/** For the Teams → ACD write suites; `kit` is read when called (the suite assigns it in beforeAll). */
export function writeSuiteHelpers(kit: () => CxoneFaultRig) {
  const used = new Set<string>();
  return {
    /** A fresh agent of the team, logged in Available, signed in to Teams, both seen by the engine. */
    async freshAgent(team: string): Promise<string> {
      const agent = kit()
        .rig.agentsOf(team)
        .find((a) => !used.has(a))!;
      used.add(agent);
      await kit().login(agent);
      kit().graph().teams(kit().rig.userOf(agent).id, 'signedIn');
      await kit().until(
        agent,
        async () => (await kit().hops(agent, 'acd.event')).some((l) => l.includes('Available')),
        'the login seen',
      );
      return agent;
    },
    outcomes: (agent: string) =>
      kit()
        .writesOf(agent)
        .map((w) => w.outcome),
    hasCode: (agent: string, code: string) =>
      kit().acdOf(agent).state === 'Unavailable' && kit().acdOf(agent).outStateId === Number(code),
    writePath: (agent: string) => `/agents/${agent}/state`,
  };
}
