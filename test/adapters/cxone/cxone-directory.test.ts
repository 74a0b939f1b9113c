import { FIRST_TEAM_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { startRig, type Rig } from './cxone-harness.js';

describe('CxoneDirectory — teams, agents, team unavailable codes (reference §5), paged and cached', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ seed: { teams: 5, agents: 2500 } }, { directory: { pageSize: 1000, refreshMs: 60_000 } });
  });
  afterAll(() => rig.close());
  beforeEach(() => {
    rig.acd.directory.invalidate();
    rig.emu.stats.clear();
    rig.emu.faults.reset();
  });

  it('lists every agent across pages with the fields needed to map Teams users', async () => {
    const r = await rig.acd.directory.listAgents();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toHaveLength(2500);
    expect(rig.emu.stats.get('GET /agents')).toBe(3);
    const a = rig.emu.model.agent(1_000_001)!;
    expect(r.value[0]).toEqual({
      agentId: '1000001',
      firstName: a.firstName,
      lastName: a.lastName,
      userName: a.userName,
      email: a.emailAddress,
      federatedId: a.federatedId,
      teamId: String(FIRST_TEAM_ID),
      isActive: true,
    });
  });

  it('lists teams', async () => {
    const r = await rig.acd.directory.listTeams();
    expect(r.ok && r.value.map((t) => t.teamName)).toEqual(['Team 1', 'Team 2', 'Team 3', 'Team 4', 'Team 5']);
  });

  it.each(['current', 'legacy'] as const)("reads a team's unavailable codes in the %s shape", async (variant) => {
    rig.emu.faults.configure({ variant });
    const r = await rig.acd.directory.listUnavailableCodes(String(FIRST_TEAM_ID));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((c) => c.id)).toEqual(rig.emu.model.teams.get(FIRST_TEAM_ID)!.codeIds.map(String));
    expect(r.value[0]).toEqual({ id: '20061', name: 'After Call Work', isActive: true, isAcw: true });
    expect(r.value.find((c) => c.name === 'Lunch')).toEqual({
      id: '20063',
      name: 'Lunch',
      isActive: true,
      isAcw: false,
    });
  });

  it('serves repeated and concurrent reads from the cache until the refresh period or invalidate()', async () => {
    await Promise.all([rig.acd.directory.listTeams(), rig.acd.directory.listTeams()]);
    await rig.acd.directory.listTeams();
    expect(rig.emu.stats.get('GET /teams')).toBe(1);
    rig.emu.clock.advance(60_001);
    await rig.acd.directory.listTeams();
    expect(rig.emu.stats.get('GET /teams')).toBe(2);
    rig.emu.model.teams.get(FIRST_TEAM_ID)!.codeIds.push(20_068);
    rig.acd.directory.invalidate();
    const codes = await rig.acd.directory.listUnavailableCodes(String(FIRST_TEAM_ID));
    expect(codes.ok && codes.value.some((c) => c.id === '20068')).toBe(true);
  });

  it('does not cache a failure', async () => {
    rig.emu.faults.configure({ rules: [{ status: 503, times: 1, pathContains: '/teams' }] });
    expect((await rig.acd.directory.listTeams()).ok).toBe(false);
    expect((await rig.acd.directory.listTeams()).ok).toBe(true);
  });

  it('drops the cached directory when a Real-Time record shows an agent on another team or an unknown agent', async () => {
    await rig.acd.directory.listAgents();
    expect(rig.acd.directory.noteAgentTeam('1000001', String(FIRST_TEAM_ID))).toBe(false);
    await rig.acd.directory.listAgents();
    expect(rig.emu.stats.get('GET /agents')).toBe(3);
    // A move: the other copies of the directory (other instances) are stale too.
    expect(rig.acd.directory.noteAgentTeam('1000001', String(FIRST_TEAM_ID + 1))).toBe(true);
    await rig.acd.directory.listAgents();
    expect(rig.emu.stats.get('GET /agents')).toBe(6);
    // Unknown here is not a move: only this copy is dropped.
    expect(rig.acd.directory.noteAgentTeam('9999999', String(FIRST_TEAM_ID))).toBe(false);
    await rig.acd.directory.listAgents();
    expect(rig.emu.stats.get('GET /agents')).toBe(9);
  });

  it('tells a move seen between two Real-Time records, also before any list was read', async () => {
    rig.acd.directory.invalidate();
    expect(rig.acd.directory.noteAgentTeam('1000002', String(FIRST_TEAM_ID))).toBe(false);
    expect(rig.acd.directory.noteAgentTeam('1000002', String(FIRST_TEAM_ID))).toBe(false);
    expect(rig.acd.directory.noteAgentTeam('1000002', String(FIRST_TEAM_ID + 2))).toBe(true);
  });
});
