import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { FIRST_AGENT_ID, FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { emulatorClient } from './emulator-client.js';

const A = FIRST_AGENT_ID;

describe('CXone emulator — agent sessions with long-poll events (reference §3.1, §3.2, §9.7)', () => {
  let emu: CxoneEmulator;
  let c: ReturnType<typeof emulatorClient>;
  let token: string;
  beforeAll(async () => {
    emu = await startCxoneEmulator({ seed: { teams: 2, agents: 6, initialState: 'Available' } });
    c = emulatorClient(emu);
    token = await c.token();
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });
  const join = async (agentId: number) =>
    c.call('POST', c.api('/agent-sessions/join'), { token, body: { asAgentId: agentId } });
  const next = async (sessionId: string, timeout = 0) =>
    c.call('GET', c.api(`/agent-sessions/${sessionId}/get-next-event?timeout=${timeout}`), { token });

  it('joins a logged-in agent (202) and refuses unknown or logged-out agents', async () => {
    expect((await join(A)).status).toBe(202);
    expect((await join(42)).json.error).toBe('InvalidAgentId');
    emu.model.logout(A + 5);
    expect((await join(A + 5)).json.error).toBe('InvalidAgentSession');
  });

  it('starts with AgentSessionStart + AgentState, rotates the id, answers 304 on timeout', async () => {
    const sid = (await join(A + 1)).json.sessionId as string;
    const first = await next(sid);
    expect(first.json.events.map((e: { Type: string }) => e.Type)).toEqual(['AgentSessionStart', 'AgentState']);
    expect(first.json.events[1]).toMatchObject({ CurrentState: 'Available', IsAcw: 'False', NextStates: [] });
    expect(first.json.sessionId).not.toBe(sid);
    expect((await next(first.json.sessionId)).status).toBe(304);
  });

  it('streams contact and state events with string booleans; a long-poll wakes on the change', async () => {
    const sid = (await next((await join(A + 2)).json.sessionId)).json.sessionId as string;
    const pending = next(sid, 10);
    await c.control('/contacts', { type: 'customer', agentId: A + 2, skillId: FIRST_SKILL_ID });
    const r = await pending;
    expect(r.json.events).toEqual([
      expect.objectContaining({
        Type: 'CallContactEvent',
        CallType: 'Regular',
        Status: 'Active',
        IsInbound: 'True',
        FinalState: 'False',
      }),
      expect.objectContaining({ Type: 'AgentState', CurrentState: 'InboundContact' }),
    ]);
  });

  it('sets state by unavailable code NAME; during a contact it shows as NextStates', async () => {
    const sid = (await next((await join(A + 3)).json.sessionId)).json.sessionId as string;
    await c.control('/contacts', { type: 'customer', agentId: A + 3, skillId: FIRST_SKILL_ID + 1 });
    const write = await c.call('POST', c.api(`/agent-sessions/${sid}/state`), {
      token,
      body: { state: 'Unavailable', reason: 'Lunch' },
    });
    expect(write.status).toBe(202);
    const events = (await next(sid)).json.events as Record<string, unknown>[];
    expect(events.at(-1)).toMatchObject({
      Type: 'AgentState',
      CurrentState: 'InboundContact',
      NextStates: [{ State: 'Unavailable', OutReason: 'Lunch' }],
    });
    const bad = await c.call('POST', c.api(`/agent-sessions/${sid}/state`), {
      token,
      body: { state: 'Unavailable', reason: 'Nope' },
    });
    expect([bad.status, bad.json.error]).toEqual([400, 'InvalidOutState']);
  });

  it('marks agent-to-agent calls PersonalQueue and consults Consult (reference §3.3)', async () => {
    const sid = (await next((await join(A + 4)).json.sessionId)).json.sessionId as string;
    await c.control('/contacts', { type: 'agentCall', agentId: A + 4, targetAgentId: A });
    const events = (await next(sid)).json.events as Record<string, unknown>[];
    expect(events[0]).toMatchObject({ Type: 'CallContactEvent', CallType: 'PersonalQueue', IsInbound: 'False' });
    expect(events[1]).toMatchObject({ CurrentState: 'OutboundConsult' });
  });

  it('ends with AgentSessionEnd, then 409', async () => {
    const sid = (await next((await join(A)).json.sessionId)).json.sessionId as string;
    emu.model.logout(A);
    const last = await next(sid);
    expect(last.json.events.map((e: { Type: string }) => e.Type)).toEqual(['AgentState', 'AgentSessionEnd']);
    expect((await next(last.json.sessionId)).status).toBe(409);
  });
});
