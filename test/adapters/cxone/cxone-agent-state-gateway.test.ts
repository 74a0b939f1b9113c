import { FIRST_AGENT_ID, FIRST_CODE_ID, FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { endContact, startCustomerContact } from '../../../src/sandbox/cxone/cxone-scenarios.js';
import { startRig, type Rig } from './cxone-harness.js';

const ACW = FIRST_CODE_ID;
const LUNCH = FIRST_CODE_ID + 2;
const id = (n: number): string => String(FIRST_AGENT_ID + n);

describe('CxoneAgentStateGateway — Subscriber writes succeed and fail as reference §4 says', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ seed: { teams: 4, agents: 12, initialState: 'Available' } });
  });
  afterAll(() => rig.close());
  const set = (agentId: string, target: Parameters<Rig['acd']['gateway']['setAgentState']>[1]) =>
    rig.acd.gateway.setAgentState(agentId, target);
  const codeNotOnTeam = (agentId: string): string => {
    const team = rig.emu.model.teams.get(rig.emu.model.agent(Number(agentId))!.teamId)!;
    return String([...rig.emu.model.codes.keys()].find((c) => !team.codeIds.includes(c)));
  };

  it('applies Unavailable with a team code and Available', async () => {
    expect(await set(id(0), { kind: 'Unavailable', codeId: String(LUNCH) })).toEqual({ ok: true, value: 'applied' });
    expect(rig.emu.model.stateOf(FIRST_AGENT_ID)).toMatchObject({ state: 'Unavailable', outStateId: LUNCH });
    expect(await set(id(0), { kind: 'Available' })).toEqual({ ok: true, value: 'applied' });
    expect(rig.emu.model.stateOf(FIRST_AGENT_ID).state).toBe('Available');
  });

  it('queues the request while the agent is on a contact; it becomes the state after the contact', async () => {
    const c = startCustomerContact(rig.emu.model, {
      agentId: FIRST_AGENT_ID + 1,
      skillId: FIRST_SKILL_ID + 1,
      direction: 'inbound',
    });
    expect(await set(id(1), { kind: 'Unavailable', codeId: String(LUNCH) })).toEqual({ ok: true, value: 'queued' });
    endContact(rig.emu.model, c.contactId);
    expect(rig.emu.model.stateOf(FIRST_AGENT_ID + 1)).toMatchObject({ state: 'Unavailable', outStateId: LUNCH });
  });

  it.each([
    ['an unknown agent', () => '424242', () => ({ kind: 'Available' as const }), 'AGENT_NOT_FOUND'],
    [
      "a code not on the agent's team",
      () => id(2),
      () => ({ kind: 'Unavailable' as const, codeId: codeNotOnTeam(id(2)) }),
      'CODE_NOT_ON_TEAM',
    ],
    [
      'an ACW code without a contact',
      () => id(3),
      () => ({ kind: 'Unavailable' as const, codeId: String(ACW) }),
      'ACW_WITHOUT_CONTACT',
    ],
  ])('refuses %s', async (_what, agentId, target, code) => {
    const r = await set(agentId(), target());
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code, message: expect.any(String) }) });
  });

  it('refuses to make a logged-out agent Available', async () => {
    rig.emu.model.logout(FIRST_AGENT_ID + 4);
    expect(await set(id(4), { kind: 'Available' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'AGENT_LOGGED_OUT' }),
    });
  });

  it('returns throttling as EXTERNAL with the normalised failure (Retry-After in ms)', async () => {
    rig.emu.faults.configure({ rules: [{ status: 429, times: 1, retryAfterSec: 3, pathContains: '/state' }] });
    const r = await set(id(5), { kind: 'Available' });
    expect(r).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'EXTERNAL',
        failure: expect.objectContaining({
          status: 429,
          retryAfterMs: 3000,
          transient: true,
          requestId: expect.any(String),
        }),
      }),
    });
  });

  it('a write whose answer is lost after CXone applied it (504, reset) is reported confirmed: one POST, no retry needed', async () => {
    for (const kind of ['answer', 'reset'] as const) {
      rig.emu.requests.clear();
      rig.emu.faults.configure({
        rules: [{ kind, status: 504, times: 1, method: 'POST', pathContains: '/state', afterApply: true }],
      });
      expect(await set(id(6), { kind: 'Unavailable', codeId: String(LUNCH) })).toEqual({
        ok: true,
        value: 'confirmed',
      });
      expect(rig.emu.requests.find('POST', `/agents/${id(6)}/state`)).toHaveLength(1);
      expect(rig.emu.model.stateOf(FIRST_AGENT_ID + 6)).toMatchObject({ state: 'Unavailable', outStateId: LUNCH });
      await set(id(6), { kind: 'Available' });
    }
  });

  it('a 5xx that did not apply the write stays a transient failure, so the engine retries it', async () => {
    rig.emu.faults.configure({ rules: [{ status: 503, times: 1, method: 'POST', pathContains: '/state' }] });
    const r = await set(id(7), { kind: 'Unavailable', codeId: String(LUNCH) });
    expect(r).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'EXTERNAL',
        failure: expect.objectContaining({ status: 503, transient: true }),
      }),
    });
    expect(rig.emu.model.stateOf(FIRST_AGENT_ID + 7).state).toBe('Available');
  });

  // NICE documents no error names for state writes: whatever body CXone sends, the status decides.
  describe('decides on the HTTP status, never on the names in an error body', () => {
    const BODIES: readonly [string, unknown][] = [
      ['an unknown JSON body', { fault: { kind: 'E_SOMETHING', text: 'AgentNotFound acw outstate loggedout' } }],
      ['a text body', 'Request failed: AcwStateRequiresContact'],
      ['an empty body', ''],
      ['a misleading name', { error: 'AgentNotLoggedIn', error_Description: 'InvalidOutState' }],
    ];
    const write = (
      status: 400 | 403 | 404 | 409,
      body: unknown,
      agent: number,
      target: { kind: 'Available' } | { kind: 'Unavailable'; codeId: string },
    ) => {
      rig.emu.faults.configure({ rules: [{ status, times: 1, method: 'POST', pathContains: '/state', body }] });
      return set(id(agent), target);
    };
    const lunch = { kind: 'Unavailable' as const, codeId: String(LUNCH) };

    it.each(BODIES)(
      '404 → AGENT_NOT_FOUND, 409 → ACW_WITHOUT_CONTACT, 400 with a code → CODE_NOT_ON_TEAM (%s)',
      async (_what, body) => {
        expect(await write(404, body, 8, lunch)).toMatchObject({ ok: false, error: { code: 'AGENT_NOT_FOUND' } });
        expect(await write(409, body, 8, lunch)).toMatchObject({ ok: false, error: { code: 'ACW_WITHOUT_CONTACT' } });
        expect(await write(400, body, 8, lunch)).toMatchObject({ ok: false, error: { code: 'CODE_NOT_ON_TEAM' } });
        expect(await write(400, body, 8, { kind: 'Available' })).toMatchObject({
          ok: false,
          error: { code: 'EXTERNAL', failure: { status: 400, transient: false } },
        });
      },
    );

    it('a 400 or 409 for an agent who logged out meanwhile is AGENT_LOGGED_OUT (read back, not read from the body)', async () => {
      rig.emu.model.logout(FIRST_AGENT_ID + 9);
      for (const status of [400, 409] as const)
        expect(await write(status, { error: 'Whatever' }, 9, lunch)).toMatchObject({
          ok: false,
          error: { code: 'AGENT_LOGGED_OUT' },
        });
    });

    it.each(BODIES)('403 is a permission refusal an admin can act on, not retried (%s)', async (_what, body) => {
      const r = await write(403, body, 10, lunch);
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'EXTERNAL', failure: { status: 403, code: 'PERMISSION_DENIED', transient: false } },
      });
      expect(!r.ok && r.error.message).toMatch(
        /^CXone denied permission \(HTTP 403\): the API user's security profile/,
      );
    });

    it('a huge or control-character body is cut to a readable message', async () => {
      const r = await write(
        403,
        { error: 'x'.repeat(5000), error_Description: `line1\nline2${'y'.repeat(5000)}` },
        10,
        lunch,
      );
      expect(!r.ok && r.error.code === 'EXTERNAL' && r.error.failure.message.length).toBeLessThan(500);
      expect(!r.ok && r.error.message).not.toContain('\n');
    });
  });
});
