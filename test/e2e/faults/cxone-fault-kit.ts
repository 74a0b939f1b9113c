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

export interface ComponentView { readonly component: string; readonly status: string; readonly detail: string }

/** A card the bot sent proactively, as far as these suites read it. */
export interface AlertView { readonly text: string }

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
  /** One component's health now (via rig.health() when the harness has it, else the health model). */
  component(name: string): Promise<ComponentView | undefined>;
  /** Bot alerts sent so far, when the harness captures them (undefined otherwise). */
  alerts(): Promise<AlertView[] | undefined>;
  close(): Promise<void>;
}

type MaybeExtended = SandboxRig & { health?: () => Promise<unknown>; alerts?: () => Promise<unknown> | unknown };

export async function startCxoneFaultRig(): Promise<CxoneFaultRig> {
  const rig = await startSandboxRig();
  const emu = () => rig.app.sandbox!.world.cxone;
  const ext = rig as MaybeExtended;
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
      const all = ext.health ? componentsOf(await ext.health()) : rig.app.runtime.health.snapshot(rig.tenantId).components;
      return all.find((c) => c.component === name);
    },
    async alerts() {
      if (!ext.alerts) return undefined;
      const raw = await ext.alerts();
      return Array.isArray(raw) ? raw.map((a) => ({ text: JSON.stringify(a) })) : undefined;
    },
    close: () => rig.close(),
  };
  return kit;
}

/** rig.health() answers the tab API's health body (or the snapshot): its components either way. */
function componentsOf(body: unknown): ComponentView[] {
  const b = body as { components?: ComponentView[] } | ComponentView[] | undefined;
  if (Array.isArray(b)) return b;
  return b?.components ?? [];
}

/** Waits until the component has one of `statuses` and returns it (its detail says why). */
export async function componentBecomes(kit: CxoneFaultRig, name: string, statuses: readonly string[], timeoutMs = 30_000): Promise<ComponentView> {
  return eventually(async () => {
    const c = await kit.component(name);
    return c && statuses.includes(c.status) ? c : undefined;
  }, `${name} ${statuses.join('/')}`, timeoutMs);
}
