import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { FIRST_AGENT_ID, FIRST_TEAM_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { emulatorClient } from './emulator-client.js';

describe('CXone emulator — directory (reference §5, §9.4) and failure injection (§9.8)', () => {
  let emu: CxoneEmulator;
  let c: ReturnType<typeof emulatorClient>;
  let token: string;
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
  });
  const get = (path: string) => c.call('GET', c.api(path), { token });

  it('lists teams and one team as a single-element array', async () => {
    const all = (await get('/teams')).json;
    expect(all).toMatchObject({
      totalRecords: 3,
      businessUnitId: 4500,
      teams: expect.arrayContaining([
        expect.objectContaining({ teamId: FIRST_TEAM_ID, teamName: 'Team 1', isActive: true, agentCount: 3 }),
      ]),
    });
    expect((await get(`/teams/${FIRST_TEAM_ID}`)).json.teams).toHaveLength(1);
    expect((await get('/teams/1')).status).toBe(404);
  });

  it("lists a team's agents nested in teams[0].agents", async () => {
    const r = (await get(`/teams/${FIRST_TEAM_ID}/agents`)).json;
    expect(r.teams[0].agents.map((a: { agentId: number }) => a.agentId)).toEqual([
      FIRST_AGENT_ID,
      FIRST_AGENT_ID + 3,
      FIRST_AGENT_ID + 6,
    ]);
  });

  it('describes agents with the identity fields used for Teams mapping, by id or by UserHub uuid', async () => {
    const list = (await get('/agents?top=5')).json;
    expect(list).toMatchObject({ totalRecords: 9, hiddenAgents: 0 });
    const a = list.agents[0];
    expect(a).toEqual(
      expect.objectContaining({
        agentId: FIRST_AGENT_ID,
        userName: expect.stringContaining('@'),
        emailAddress: expect.stringContaining('@'),
        federatedId: expect.any(String),
        isActive: true,
        teamId: FIRST_TEAM_ID,
        userID: expect.any(String),
      }),
    );
    expect((await get(`/agents/${a.userID}`)).json.agents[0].agentId).toBe(FIRST_AGENT_ID);
  });

  it('serves team unavailable codes in the current shape and, as the legacy variant, in the resultSet shape', async () => {
    const current = (await get(`/teams/${FIRST_TEAM_ID}/unavailable-codes?activeOnly=true`)).json;
    expect(current.unavailableCodes[0]).toEqual({
      outstateId: 20061,
      outstateName: 'After Call Work',
      isActive: true,
      isAcw: true,
      agentTimeoutMins: '120',
    });
    await c.control('/faults', { variant: 'legacy' });
    const legacy = (await get(`/teams/${FIRST_TEAM_ID}/unavailable-codes`)).json;
    expect(legacy.resultSet.unavailableCodes[0]).toEqual({
      outStateId: 20061,
      outStateName: 'After Call Work',
      isActive: true,
      isAcw: true,
      agentTimeoutMins: 120,
    });
    const catalogue = (await get('/unavailable-codes')).json;
    expect(catalogue.unavailableCodes[2]).toEqual({
      id: 20063,
      name: 'Lunch',
      isActive: true,
      isACW: false,
      agentTimeout: 120,
    });
  });

  it('legacy variant renames Real-Time fields (mediaType/mediaName, isAcw, per-record lastPollTime)', async () => {
    await c.control('/faults', { variant: 'legacy' });
    const rec = (await get('/agents/states')).json.agentStates[0];
    expect(rec).toEqual(expect.objectContaining({ mediaType: 0, isAcw: false, lastPollTime: expect.any(String) }));
    expect(rec).not.toHaveProperty('mediaTypeId');
    expect(rec).not.toHaveProperty('isACW');
  });

  it('injects 429 with Retry-After and 503, consuming each rule', async () => {
    await c.control('/faults', {
      rules: [
        { status: 429, times: 2, retryAfterSec: 7, pathContains: 'agents/states' },
        { status: 503, times: 1 },
      ],
    });
    const first = await get('/agents/states');
    expect([first.status, first.headers.get('retry-after'), first.json.error]).toEqual([429, '7', 'TooManyRequests']);
    expect((await get('/agents/states')).status).toBe(429);
    expect((await get('/teams')).status).toBe(503);
    expect((await get('/agents/states')).status).toBe(200);
  });

  it('answers empty deltas with 204 or 304 when asked to', async () => {
    const since = new Date(emu.clock.now() + 1).toISOString();
    await c.control('/faults', { emptyDeltaStatus: 304 });
    expect((await get(`/agents/states?updatedSince=${since}`)).status).toBe(304);
    await c.control('/faults', { emptyDeltaStatus: 204 });
    expect((await get(`/agents/states?updatedSince=${since}`)).status).toBe(204);
  });

  it('slows answers down by the configured delay', async () => {
    await c.control('/faults', { delayMs: 50 });
    const t = Date.now();
    await get('/teams');
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
  });

  it('revokes every token on request (401 mid-stream) and shortens token lifetime', async () => {
    await c.control('/tokens', { revokeAll: true, lifetimeSec: 5 });
    expect((await get('/teams')).status).toBe(401);
    token = await c.token();
    expect((await get('/teams')).status).toBe(200);
    await c.control('/clock', { advanceMs: 5000 });
    expect((await get('/teams')).status).toBe(401);
    await c.control('/tokens', { lifetimeSec: 3600 });
    token = await c.token();
  });

  it('rejects a malformed fault body with 400', async () => {
    expect((await c.control('/faults', { rules: [{ status: 418, times: 1 }] })).status).toBe(400);
  });
});
