import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { PUBLISHER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { eventually, startSandboxRig, type SandboxRig } from './sandbox-harness.js';

describe('a restart in the middle of a burst', () => {
  let rig: SandboxRig;
  beforeAll(async () => {
    rig = await startSandboxRig();
  }, 60_000);
  afterAll(() => rig?.close());

  it('loses no event and duplicates no effect', async () => {
    const agents = rig.agentsOf(PUBLISHER_TEAM).slice(1, 13);
    for (const a of agents) await rig.cxone(`/agents/${a}/login`, { state: 'Available' });
    await eventually(
      async () =>
        (await Promise.all(agents.map((a) => rig.traceOf(a)))).every((l) => l.some((x) => x.startsWith('acd.event'))),
      'logins seen',
    );
    // The burst: every agent takes a call; the product stops as soon as the first events are in the inbox.
    for (const a of agents)
      await rig.cxone('/contacts', { type: 'customer', agentId: Number(a), skillId: FIRST_SKILL_ID + 1 });
    await eventually(
      async () => (await rig.traceOf(agents[0]!)).some((l) => l.startsWith('acd.event') && l.includes('Inbound')),
      'the burst reaches the inbox',
      20_000,
      10,
    );
    await rig.stopProduct();
    await rig.restart();
    await eventually(
      () => agents.every((a) => rig.teamsOf(a).activity === 'InACall'),
      'every agent In a call after the restart',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    for (const a of agents) {
      const writes = (await rig.traceOf(a)).filter((l) => l.startsWith('graph.request') && l.includes('InACall'));
      expect({ agent: a, writes: writes.length }).toEqual({ agent: a, writes: 1 });
    }
  }, 90_000);
});
