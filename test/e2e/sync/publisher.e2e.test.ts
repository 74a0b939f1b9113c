import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { PUBLISHER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { eventually, startSandboxRig, type SandboxRig } from './sandbox-harness.js';

describe('publisher rule, end to end (CXone emulator → engine → Graph emulator)', () => {
  let rig: SandboxRig;
  beforeAll(async () => {
    rig = await startSandboxRig();
  }, 60_000);
  afterAll(() => rig?.close());

  it('a voice call shows Busy / In a call in Teams, and our session is cleared when it ends', async () => {
    const agent = rig.agentsOf(PUBLISHER_TEAM)[1]!;
    await rig.cxone(`/agents/${agent}/login`, { state: 'Available' });
    const { contactId } = (await rig.cxone('/contacts', {
      type: 'customer',
      agentId: Number(agent),
      skillId: FIRST_SKILL_ID + 1,
    })) as { contactId: number };
    await eventually(() => rig.teamsOf(agent).activity === 'InACall', 'Teams shows In a call');
    expect(rig.teamsOf(agent)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    await rig.cxone(`/contacts/${contactId}/end`);
    await eventually(() => rig.teamsOf(agent).activity !== 'InACall', 'our session cleared');
  }, 60_000);
});
