import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { PUBLISHER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { eventually, startSandboxRig, type SandboxRig } from '../sync/sandbox-harness.js';
import { recordRecovery, stopwatch } from './recovery-report.js';

/**
 * A graceful restart (SIGTERM → app.stop(), then a new process on the same SQLite file and the same
 * emulators) in the middle of a burst: the stop lets running writes finish and leaves the rest in
 * the inbox, releases the tenant lease, and the new process takes the tenant up at once. Measured:
 * from the restart to every agent shown In a call.
 */
const AGENTS = 12;

describe('graceful restart mid-burst', () => {
  let rig: SandboxRig;
  beforeAll(async () => {
    rig = await startSandboxRig();
  }, 60_000);
  afterAll(() => rig?.close());

  it('loses nothing, writes each change once, and says so in the Health Check and the Log Reader', async () => {
    const graph = () => rig.app.sandbox!.world.graph.control;
    const agents = rig.agentsOf(PUBLISHER_TEAM).slice(1, 1 + AGENTS);
    await rig.whenSubscribed();
    for (const a of agents) await rig.cxone(`/agents/${a}/login`, { state: 'Available' });
    await eventually(
      async () =>
        (await rig.app.store.inbox.depth(rig.tenantId)) === 0 &&
        (await Promise.all(agents.map((a) => rig.traceOf(a)))).every((l) => l.some((x) => x.startsWith('acd.event'))),
      'logins processed',
      30_000,
      100,
    );
    const from = graph().writeLog.length;

    // Graph answers slowly, so the stop comes while writes run and most of the burst waits in the inbox.
    graph().slowResponses(1_000);
    for (const a of agents)
      await rig.cxone('/contacts', { type: 'customer', agentId: Number(a), skillId: FIRST_SKILL_ID + 1 });
    await eventually(
      async () => (await rig.app.store.inbox.depth(rig.tenantId)) > 0,
      'the burst is in the inbox',
      20_000,
      10,
    );
    await rig.stopProduct();
    graph().slowResponses(0);
    const clock = stopwatch();
    await rig.restart();
    await eventually(
      () => agents.every((a) => rig.teamsOf(a).activity === 'InACall'),
      'every agent In a call after the restart',
      45_000,
      20,
    );
    const recoveryMs = clock.stop();
    await eventually(async () => (await rig.app.store.inbox.depth(rig.tenantId)) === 0, 'inbox drained', 30_000, 100);

    // One write per call: a graceful stop waits for the writes it started, so there is no at-least-once repeat.
    const userOf = (a: string) => rig.userOf(a).id;
    for (const a of agents)
      expect({
        agent: a,
        writes: graph()
          .writeLog.slice(from)
          .filter((w) => w.userId === userOf(a))
          .map((w) => w.route),
      }).toEqual({ agent: a, writes: ['setPresence'] });
    const health = await eventually(
      async () => {
        const h = await rig.health();
        return h.syncActive && h.components.some((c) => c.component === 'store' && c.status === 'ok') ? h : undefined;
      },
      'Health Check: sync running, store ok',
      20_000,
      100,
    );
    expect(health.components.filter((c) => c.status === 'down')).toEqual([]);
    // The Log Reader: agents whose call waited in the inbox show who took them up after the restart.
    const resumed = (await Promise.all(agents.map(async (a) => ({ a, lines: await rig.traceOf(a) })))).filter((x) =>
      x.lines.some((l) => l.startsWith('ownership')),
    );
    expect(resumed.length).toBeGreaterThan(0);
    for (const { lines } of resumed) {
      // The stop let the write already running finish: no aborted request (NETWORK error) redone after the restart.
      expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
      expect(lines.filter((l) => l.startsWith('graph.request') && l.includes('InACall'))).toHaveLength(1);
    }
    // Nothing went down, so no alert card: a planned restart is not an incident.
    expect((await rig.alerts()).filter((c) => /→ down/.test(c.text))).toEqual([]);

    const detail = `${AGENTS} call starts, ${resumed.length} resumed from the inbox by the new process (ownership hop); lease released on stop, taken up at once; one write per call`;
    process.stdout.write(
      `process-graceful-restart: converged ${Math.round(recoveryMs)} ms after the restart began; ${detail}\n`,
    );
    recordRecovery('process-graceful-restart', {
      area: 'process',
      fault: 'graceful restart mid-burst (SQLite)',
      recoveryMs,
      detail,
    });
  }, 90_000);
});
