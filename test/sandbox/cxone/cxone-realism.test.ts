import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { FIRST_AGENT_ID, FIRST_CODE_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { emulatorClient } from './emulator-client.js';

const A = FIRST_AGENT_ID;
const LUNCH = FIRST_CODE_ID + 2;

/** README "Real-Time feed lag and rate limit", "updatedSince": what the emulator does when realism is on. */
describe('CXone emulator — a Real-Time feed that lags, throttling, and a bad updatedSince', () => {
  let emu: CxoneEmulator;
  let c: ReturnType<typeof emulatorClient>;
  let token: string;
  beforeAll(async () => {
    emu = await startCxoneEmulator({
      seed: { teams: 2, agents: 6, initialState: 'Available' },
      realism: { reportingLagMs: 2000 },
    });
    c = emulatorClient(emu);
    token = await c.token();
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });
  const states = async (query = '') => c.call('GET', c.api(`/agents/states${query}`), { token });
  const stateOfA = async (query = ''): Promise<Record<string, unknown> | undefined> =>
    (await states(query)).json.agentStates.find((r: { agentId: number }) => r.agentId === A);

  it('shows a change only after the reporting lag, stamped with the time it happened', async () => {
    emu.clock.advance(10);
    const changedAt = emu.clock.now();
    await c.control(`/agents/${A}/state`, { state: 'Unavailable', outStateId: LUNCH });
    emu.clock.advance(1999);
    expect(await stateOfA()).toMatchObject({ agentStateName: 'Available' });
    emu.clock.advance(1);
    expect(await stateOfA()).toMatchObject({
      agentStateName: 'Unavailable',
      outStateId: LUNCH,
      lastUpdateTime: new Date(changedAt).toISOString(),
    });
  });

  it('a client whose updatedSince starts at the previous lastPollTime misses a change still in flight', async () => {
    emu.clock.advance(10);
    await c.control(`/agents/${A}/state`, { state: 'Available' });
    emu.clock.advance(500);
    const poll = (await states()).json;
    expect(poll.agentStates.find((r: { agentId: number }) => r.agentId === A).agentStateName).toBe('Unavailable');
    emu.clock.advance(3000);
    // The change happened before that poll's lastPollTime: a window starting there never sees it.
    expect(await stateOfA(`?updatedSince=${poll.lastPollTime}`)).toBeUndefined();
    const overlapped = new Date(Date.parse(poll.lastPollTime) - 10_000).toISOString();
    expect(await stateOfA(`?updatedSince=${overlapped}`)).toMatchObject({ agentStateName: 'Available' });
  });

  it('per-agent reads and state writes are not delayed (the write is read back at once)', async () => {
    emu.clock.advance(10);
    expect((await c.call('POST', c.api(`/agents/${A}/state`), { token, body: { state: 'Unavailable' } })).status).toBe(
      202,
    );
    const one = (await c.call('GET', c.api(`/agents/${A}/states`), { token })).json.agentStates[0];
    expect(one).toMatchObject({ agentStateName: 'Unavailable', outStateId: 3 });
  });

  it.each(['/agents/states', `/agents/${A}/states`, '/contacts/active'])(
    'answers 400 for updatedSince=not-a-date on %s, never a full snapshot',
    async (path) => {
      const r = await c.call('GET', c.api(`${path}?updatedSince=not-a-date`), { token });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error: 'InvalidParameter' });
    },
  );

  it('throttles beyond the rate limit with 429 + Retry-After, and recovers as tokens refill', async () => {
    await c.control('/realism', { reportingLagMs: 2000, rateLimit: { requestsPerSecond: 2, burst: 3 } });
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await states());
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3]!.headers.get('retry-after')).toBe('1');
    expect(answers[3]!.json).toMatchObject({ error: 'TooManyRequests' });
    emu.clock.advance(1000);
    expect((await states()).status).toBe(200);
    await c.control('/realism', { reportingLagMs: 0 });
    for (let i = 0; i < 10; i += 1) expect((await states()).status).toBe(200);
  });
});
