import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { FIRST_AGENT_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { emulatorClient } from './emulator-client.js';

/** Reference §9.8: the failures the fault suites need beyond error statuses. */
describe('CXone emulator — cut streams, stalls, replayed feed records, token endpoint failures, write races', () => {
  let emu: CxoneEmulator;
  let c: ReturnType<typeof emulatorClient>;
  let token: string;
  const agent = FIRST_AGENT_ID;
  beforeAll(async () => {
    emu = await startCxoneEmulator({ seed: { teams: 3, agents: 9 } });
    c = emulatorClient(emu);
    token = await c.token();
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });
  afterEach(async () => {
    await c.call('DELETE', `${emu.url}/_control/faults`);
    emu.requests.clear();
  });
  const get = (path: string) => c.call('GET', c.api(path), { token });
  const write = (agentId: number, body: unknown) => c.call('POST', c.api(`/agents/${agentId}/state`), { token, body });

  it('a reset cuts the answer mid-body: the client fails reading it, the next request is answered', async () => {
    await c.control('/faults', { rules: [{ kind: 'reset', times: 1, pathContains: 'agents/states' }] });
    await expect(get('/agents/states')).rejects.toThrow();
    expect((await get('/agents/states')).status).toBe(200);
    expect(emu.requests.find('GET', '/agents/states').map((r) => r.outcome)).toEqual(['reset', 200]);
  });

  it('a stall holds the answer until the client gives up; the request is not carried out', async () => {
    const impatient = createHttpTransport({ extraCaPem: emu.caCertPem, timeoutMs: 300 });
    try {
      await c.control(`/agents/${agent}/login`, { state: 'Available' });
      await c.control('/faults', {
        rules: [{ kind: 'stall', times: 1, method: 'POST', pathContains: '/state', stallMs: 20_000 }],
      });
      const call = impatient.fetch(c.api(`/agents/${agent}/state`), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ state: 'Unavailable' }),
      });
      await expect(call).rejects.toThrow();
      const until = Date.now() + 25_000; // the client's abort reaches the server when the loaded machine gets to it
      while (emu.requests.find('POST', `/agents/${agent}/state`).length === 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      expect(emu.requests.find('POST', `/agents/${agent}/state`).map((r) => r.outcome)).toEqual(['stalled']);
      expect(emu.model.stateOf(agent).state).toBe('Available');
    } finally {
      await impatient.close();
      await c.control(`/agents/${agent}/logout`);
    }
  }, 40_000);

  it('afterApply: the write is carried out and only its answer is lost (the client cannot tell)', async () => {
    await c.control(`/agents/${agent}/login`, { state: 'Available' });
    await c.control('/faults', {
      rules: [{ status: 504, times: 1, method: 'POST', pathContains: '/state', afterApply: true }],
    });
    expect((await write(agent, { state: 'Unavailable', outStateId: 3 })).status).toBe(504);
    expect(emu.model.stateOf(agent).state).toBe('Unavailable');
    const logged = emu.requests.find('POST', `/agents/${agent}/state`);
    expect(logged).toEqual([expect.objectContaining({ outcome: 504, body: { state: 'Unavailable', outStateId: 3 } })]);
    await c.control(`/agents/${agent}/logout`);
  });

  it('an error status without afterApply leaves the write undone', async () => {
    await c.control(`/agents/${agent}/login`, { state: 'Available' });
    await c.control('/faults', { rules: [{ status: 503, times: 1, method: 'POST', pathContains: '/state' }] });
    expect((await write(agent, { state: 'Unavailable' })).status).toBe(503);
    expect(emu.model.stateOf(agent).state).toBe('Available');
    expect((await get('/agents/states')).status).toBe(200);
    await c.control(`/agents/${agent}/logout`);
  });

  it('replays the current record (a duplicate) and an older one after the newer (out of order)', async () => {
    await c.control(`/agents/${agent}/login`, { state: 'Available' });
    await c.control('/clock', { advanceMs: 1000 });
    await c.control(`/agents/${agent}/state`, { state: 'Unavailable' });
    const since = (await get('/agents/states')).json.lastPollTime as string;
    await c.control('/faults', {
      replays: [
        { agentId: agent, back: 0 },
        { agentId: agent, back: 1 },
      ],
    });
    const records = (await get(`/agents/states?updatedSince=${encodeURIComponent(since)}`)).json.agentStates as {
      agentId: number;
      agentStateName: string;
      lastUpdateTime: string;
    }[];
    const mine = records.filter((r) => r.agentId === agent);
    expect(mine.map((r) => r.agentStateName)).toEqual(['Unavailable', 'Unavailable', 'Available']);
    expect(Date.parse(mine[2]!.lastUpdateTime)).toBeLessThan(Date.parse(mine[0]!.lastUpdateTime));
    const next = (await get(`/agents/states?updatedSince=${encodeURIComponent(since)}`)).json.agentStates as {
      agentId: number;
    }[];
    expect(next.filter((r) => r.agentId === agent)).toHaveLength(1);
    await c.control(`/agents/${agent}/logout`);
  });

  it("samePage: a replay waits for a poll carrying the agent's current record, and follows it on that page", async () => {
    await c.control(`/agents/${agent}/login`, { state: 'Available' });
    await c.control('/clock', { advanceMs: 1000 });
    const since = (await get('/agents/states')).json.lastPollTime as string;
    await c.control('/clock', { advanceMs: 1000 });
    await c.control('/faults', { replays: [{ agentId: agent, back: 0, samePage: true }] });
    const nothingNew = (await get(`/agents/states?updatedSince=${encodeURIComponent(since)}`)).json.agentStates as {
      agentId: number;
    }[];
    expect(nothingNew.filter((r) => r.agentId === agent)).toHaveLength(0);
    expect(emu.faults.pendingReplays()).toBe(1);
    await c.control('/clock', { advanceMs: 1000 });
    await c.control(`/agents/${agent}/state`, { state: 'Unavailable' });
    const page = (await get(`/agents/states?updatedSince=${encodeURIComponent(since)}`)).json.agentStates as {
      agentId: number;
      agentStateName: string;
    }[];
    expect(page.filter((r) => r.agentId === agent).map((r) => r.agentStateName)).toEqual([
      'Unavailable',
      'Unavailable',
    ]);
    expect(emu.faults.pendingReplays()).toBe(0);
    await c.control(`/agents/${agent}/logout`);
  });

  it('refuses token requests as told (invalid_grant, invalid_client, unavailable) and recovers on request', async () => {
    const form = {
      grant_type: 'password',
      username: emu.credentials.accessKeyId,
      password: emu.credentials.accessKeySecret,
    };
    const tokenCall = () => c.call('POST', `${emu.url}/auth/token`, { basic: true, form });
    await c.control('/tokens', { fail: { times: 1, status: 400 } });
    expect((await tokenCall()).json).toMatchObject({ error: 'invalid_grant' });
    expect((await tokenCall()).status).toBe(200);
    await c.control('/tokens', { fail: { times: 100, status: 401 } });
    expect((await tokenCall()).status).toBe(401);
    await c.control('/tokens', { recover: true });
    expect((await tokenCall()).status).toBe(200);
    await c.control('/tokens', { fail: { times: 1, status: 503, grants: ['refresh_token'] } });
    expect((await tokenCall()).status).toBe(200);
  });

  it('logs the agent out just before their next write lands: 409 AgentNotLoggedIn, and they stay logged out', async () => {
    await c.control(`/agents/${agent}/login`, { state: 'Available' });
    await c.control('/faults', { logoutBeforeWrite: [agent] });
    const r = await write(agent, { state: 'Unavailable' });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ error: 'AgentNotLoggedIn' });
    expect(emu.model.stateOf(agent).state).toBe('LoggedOut');
  });
});
