import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { FIRST_AGENT_ID, FIRST_CODE_ID, FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { emulatorClient } from './emulator-client.js';

const ACW_CODE = FIRST_CODE_ID;
const LUNCH = FIRST_CODE_ID + 2;

describe('CXone emulator — POST /agents/{id}/state rules (reference §4, §9.5)', () => {
  let emu: CxoneEmulator;
  let c: ReturnType<typeof emulatorClient>;
  let token: string;
  beforeAll(async () => {
    emu = await startCxoneEmulator({ seed: { teams: 4, agents: 12, initialState: 'Available' } });
    c = emulatorClient(emu);
    token = await c.token();
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });
  const write = (agentId: number | string, body: unknown) =>
    c.call('POST', c.api(`/agents/${agentId}/state`), { token, body });
  const notOnTeam = (agentId: number): number =>
    [...emu.model.codes.keys()].find(
      (id) => !emu.model.teams.get(emu.model.agent(agentId)!.teamId)!.codeIds.includes(id),
    )!;

  it('applies Unavailable with a team code: 202, empty body, visible in agents/states', async () => {
    emu.clock.advance(5);
    const r = await write(FIRST_AGENT_ID, { state: 'Unavailable', outStateId: LUNCH });
    expect([r.status, r.json]).toEqual([202, undefined]);
    const s = (await c.call('GET', c.api(`/agents/${FIRST_AGENT_ID}/states`), { token })).json.agentStates[0];
    expect(s).toMatchObject({
      agentStateName: 'Unavailable',
      outStateId: LUNCH,
      outStateDescription: 'Lunch',
      lastUpdateTime: new Date(emu.clock.now()).toISOString(),
    });
    expect((await write(FIRST_AGENT_ID, { state: 'Available' })).status).toBe(202);
    expect(emu.model.stateOf(FIRST_AGENT_ID).state).toBe('Available');
  });

  // NICE help "Reserved Unavailable Codes": 3 = Unavailable, the code of an agent's state at login.
  describe('the reserved Unavailable code 3', () => {
    const agentId = FIRST_AGENT_ID + 5;
    const stateOf = async (): Promise<Record<string, unknown>> =>
      (await c.call('GET', c.api(`/agents/${agentId}/states`), { token })).json.agentStates[0];

    it('an agent logs in as Unavailable with outStateId 3', async () => {
      await c.control(`/agents/${agentId}/logout`);
      await c.control(`/agents/${agentId}/login`);
      expect(await stateOf()).toMatchObject({ agentStateName: 'Unavailable', outStateId: 3 });
    });

    it('Unavailable without a code sets 3', async () => {
      expect((await write(agentId, { state: 'Available' })).status).toBe(202);
      expect((await write(agentId, { state: 'Unavailable' })).status).toBe(202);
      expect(await stateOf()).toMatchObject({ agentStateName: 'Unavailable', outStateId: 3 });
    });

    it('outStateId 3 is accepted although no team lists it', async () => {
      expect((await write(agentId, { state: 'Available' })).status).toBe(202);
      expect((await write(agentId, { state: 'Unavailable', outStateId: 3 })).status).toBe(202);
      expect(await stateOf()).toMatchObject({ agentStateName: 'Unavailable', outStateId: 3 });
    });

    it('another reserved out-state (1 = ACD) cannot be requested: 400', async () => {
      expect((await write(agentId, { state: 'Unavailable', outStateId: 1 })).status).toBe(400);
    });

    it('Available reports out-state 0', async () => {
      expect((await write(agentId, { state: 'Available' })).status).toBe(202);
      expect(await stateOf()).toMatchObject({ agentStateName: 'Available', outStateId: 0 });
    });
  });

  it('answers 404 AgentNotFound for an unknown agent', async () => {
    const r = await write(42, { state: 'Available' });
    expect([r.status, r.json.error]).toEqual([404, 'AgentNotFound']);
  });

  it('answers 400 for a state other than Available/Unavailable', async () => {
    const r = await write(FIRST_AGENT_ID, { state: 'InboundContact' });
    expect([r.status, r.json.error]).toEqual([400, 'InvalidState']);
  });

  it("answers 400 InvalidOutState for a code not on the agent's team", async () => {
    const agentId = FIRST_AGENT_ID + 1;
    const r = await write(agentId, { state: 'Unavailable', outStateId: notOnTeam(agentId) });
    expect([r.status, r.json.error]).toEqual([400, 'InvalidOutState']);
  });

  it('answers 409 AcwStateRequiresContact for an ACW code while not on a contact', async () => {
    const r = await write(FIRST_AGENT_ID + 2, { state: 'Unavailable', outStateId: ACW_CODE });
    expect([r.status, r.json.error]).toEqual([409, 'AcwStateRequiresContact']);
  });

  it('answers 409 AgentNotLoggedIn for a logged-out agent', async () => {
    await c.control(`/agents/${FIRST_AGENT_ID + 3}/logout`);
    const r = await write(FIRST_AGENT_ID + 3, { state: 'Available' });
    expect([r.status, r.json.error]).toEqual([409, 'AgentNotLoggedIn']);
  });

  it('answers 403 with an admin-shaped body for an API user without the permission (a fault rule: README "State-write errors")', async () => {
    const agentId = FIRST_AGENT_ID + 5;
    const before = emu.model.stateOf(agentId).state;
    await c.control('/faults', { rules: [{ status: 403, times: 1, method: 'POST', pathContains: '/state' }] });
    const r = await write(agentId, { state: 'Unavailable', outStateId: LUNCH });
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ error: 'Forbidden', error_Description: expect.any(String) });
    expect(emu.model.stateOf(agentId).state).toBe(before);
    // The rule is used up: the next write is carried out.
    expect((await write(agentId, { state: 'Unavailable', outStateId: LUNCH })).status).toBe(202);
  });

  it('queues a request made during a contact as the next state, entered when the contact ends', async () => {
    const agentId = FIRST_AGENT_ID + 4;
    const call = (await c.control('/contacts', { type: 'customer', agentId, skillId: FIRST_SKILL_ID + 1 })).json;
    expect((await write(agentId, { state: 'Unavailable', outStateId: LUNCH })).status).toBe(202);
    expect(emu.model.stateOf(agentId)).toMatchObject({
      state: 'InboundContact',
      next: { state: 'Unavailable', outStateId: LUNCH },
    });
    await c.control(`/contacts/${call.contactId}/end`);
    expect(emu.model.stateOf(agentId)).toMatchObject({ state: 'Unavailable', outStateId: LUNCH });
  });

  it('accepts an ACW code during a contact (queued) and ends ACW on request', async () => {
    const agentId = FIRST_AGENT_ID + 5;
    const call = (await c.control('/contacts', { type: 'customer', agentId, skillId: FIRST_SKILL_ID })).json;
    expect((await write(agentId, { state: 'Unavailable', outStateId: ACW_CODE })).status).toBe(202);
    await c.control(`/contacts/${call.contactId}/end`);
    expect(emu.model.stateOf(agentId)).toMatchObject({ state: 'Unavailable', isAcw: true });
    expect((await write(agentId, { state: 'Available' })).status).toBe(202);
    expect(emu.model.stateOf(agentId)).toMatchObject({ state: 'Available', isAcw: false });
  });

  it('force-logs an agent out with POST /agents/{id}/logout', async () => {
    const r = await c.call('POST', c.api(`/agents/${FIRST_AGENT_ID + 6}/logout`), { token });
    expect(r.status).toBe(202);
    expect(emu.model.stateOf(FIRST_AGENT_ID + 6).state).toBe('LoggedOut');
    expect((await c.call('POST', c.api('/agents/42/logout'), { token })).status).toBe(404);
  });
});
