import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { BIDIRECTIONAL_TEAM, LUNCH_CODE, PUBLISHER_TEAM, SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE, TEAMS_DND_CODE } from '../../../src/sandbox/sandbox-world.js';
import { eventually, startSandboxRig, type SandboxRig } from './sandbox-harness.js';

const SUPPORT_VOICE = FIRST_SKILL_ID + 1;
const CHAT = FIRST_SKILL_ID + 3;

describe('sync flows end to end over the real adapters and both emulators', () => {
  let rig: SandboxRig;
  const acdOf = (agent: string) => rig.app.sandbox!.world.cxone.model.states.get(Number(agent))!;
  const control = () => rig.app.sandbox!.world.graph.control;
  const login = (agent: string) => rig.cxone(`/agents/${agent}/login`, { state: 'Available' });
  const call = async (body: Record<string, unknown>) =>
    ((await rig.cxone('/contacts', body)) as { contactId: number }).contactId;
  /** eventually(), and on a timeout the agent's trace so the failure explains itself. */
  const until = (agent: string, probe: () => boolean, what: string) =>
    eventually(probe, what).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\ntrace of ${agent}:\n${(await rig.traceOf(agent)).join('\n')}`);
    });
  /** The engine has taken in an ACD event of the agent whose summary contains `text`. */
  const seen = (agent: string, text: string) =>
    eventually(
      async () => (await rig.traceOf(agent)).some((l) => l.startsWith('acd.event') && l.includes(text)),
      `the engine sees ${text}`,
    );
  beforeAll(async () => {
    rig = await startSandboxRig();
  }, 60_000);
  afterAll(() => rig?.close());

  it('user scope beats team scope: the team lead at Lunch shows Presenting, a team member Away', async () => {
    const [lead, member] = rig.agentsOf(PUBLISHER_TEAM);
    for (const a of [lead!, member!]) {
      await login(a);
      await rig.cxone(`/agents/${a}/state`, { state: 'Unavailable', outStateId: Number(LUNCH_CODE) });
    }
    await eventually(() => rig.teamsOf(member!).availability === 'Away', 'member Away');
    await eventually(() => rig.teamsOf(lead!).activity === 'Presenting', 'lead Presenting');
  }, 30_000);

  it('a digital (chat) contact changes nothing in Teams', async () => {
    const agent = rig.agentsOf(PUBLISHER_TEAM)[2]!;
    await login(agent);
    const before = rig.teamsOf(agent);
    const contact = await call({ type: 'digital', agentId: Number(agent), skillId: CHAT });
    const voice = rig.agentsOf(PUBLISHER_TEAM)[3]!; // a voice call after it proves the pipeline had time to act
    await login(voice);
    await call({ type: 'customer', agentId: Number(voice), skillId: SUPPORT_VOICE });
    await eventually(() => rig.teamsOf(voice).activity === 'InACall', 'the voice agent In a call');
    expect(rig.teamsOf(agent)).toMatchObject({ availability: before.availability, activity: before.activity });
    await rig.cxone(`/contacts/${contact}/end`);
  }, 30_000);

  it('an agent-to-agent call and a call to a skill are synced', async () => {
    const [a, b, c] = rig.agentsOf(PUBLISHER_TEAM).slice(4);
    for (const x of [a!, b!, c!]) await login(x);
    await call({ type: 'agentCall', agentId: Number(a), targetAgentId: Number(b) });
    await eventually(() => rig.teamsOf(a!).activity === 'InACall', 'caller In a call');
    await call({ type: 'skillCall', agentId: Number(c), skillId: SUPPORT_VOICE });
    await eventually(() => rig.teamsOf(c!).activity === 'InACall', 'skill caller In a call');
  }, 30_000);

  it('subscriber: a Teams call makes the agent Unavailable "Teams Call" in the ACD, and Available again after it', async () => {
    const agent = rig.agentsOf(SUBSCRIBER_TEAM)[0]!;
    await login(agent);
    const user = rig.userOf(agent).id;
    control().teams(user, 'signedIn');
    await rig.whenSubscribed();
    await seen(agent, 'Available');
    control().teams(user, 'call');
    await until(agent, () => acdOf(agent).outStateId === Number(TEAMS_CALL_CODE), 'ACD Teams Call code');
    await seen(agent, 'Teams Call');
    control().teams(user, 'signedIn');
    await until(agent, () => acdOf(agent).state === 'Available', 'ACD Available again');
  }, 30_000);

  it('subscriber: Do not disturb set in Teams stops routing with the "Teams DND" code', async () => {
    const agent = rig.agentsOf(SUBSCRIBER_TEAM)[1]!;
    await login(agent);
    const user = rig.userOf(agent).id;
    await rig.whenSubscribed();
    await seen(agent, 'Available');
    control().teams(user, 'signedIn');
    control().manualStatus(user, { availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    await until(agent, () => acdOf(agent).outStateId === Number(TEAMS_DND_CODE), 'ACD Teams DND code');
    await seen(agent, 'Teams DND');
    control().manualStatus(user, undefined);
    await until(agent, () => acdOf(agent).state === 'Available', 'ACD Available again');
  }, 30_000);

  it('bidirectional: a voice call goes to Teams and the echo does not bounce back to the ACD (no ping-pong)', async () => {
    const agent = rig.agentsOf(BIDIRECTIONAL_TEAM)[0]!;
    await login(agent);
    control().teams(rig.userOf(agent).id, 'signedIn');
    // A signed-in Teams user the product has heard of: with no Teams presence on record it assumes
    // nothing, so an echo of ours is never owed (a real change is never taken for one) — and when
    // the notification of signing in came (realistic latency) after the call had ended, the call's
    // echo was taken for a Teams call (2 ACD writes; CI, twice in a day).
    await rig.whenSubscribed();
    await rig.whenQuiet();
    const contact = await call({ type: 'customer', agentId: Number(agent), skillId: SUPPORT_VOICE });
    await eventually(() => rig.teamsOf(agent).activity === 'InACall', 'Teams In a call');
    await rig.cxone(`/contacts/${contact}/end`);
    await eventually(
      () => acdOf(agent).state === 'Available' && rig.teamsOf(agent).activity !== 'InACall',
      'both back',
    );
    // Our own In-a-call write comes back as a notification, up to the latency cap after the call
    // ended: once every notification is in, it must not have set the Teams Call code.
    const writes = () =>
      rig.app
        .sandbox!.world.cxone.requests.all()
        .filter((r) => r.method === 'POST' && r.path === `/agents/${agent}/state`).length;
    const before = writes();
    await rig.whenQuiet();
    expect(acdOf(agent).state).toBe('Available');
    expect(writes()).toBe(before);
  }, 60_000);

  it('bidirectional: the "Teams DND" code is mapped both ways (ACD code → Teams Do not disturb; Teams DND → the code)', async () => {
    const [a, b] = rig.agentsOf(BIDIRECTIONAL_TEAM).slice(1);
    await rig.whenSubscribed();
    for (const x of [a!, b!]) {
      await login(x);
      control().teams(rig.userOf(x).id, 'signedIn');
      await seen(x, 'Available');
    }
    await rig.cxone(`/agents/${a}/state`, { state: 'Unavailable', outStateId: Number(TEAMS_DND_CODE) });
    await until(a!, () => rig.teamsOf(a!).availability === 'DoNotDisturb', 'Teams Do not disturb from the ACD code');
    control().manualStatus(rig.userOf(b!).id, { availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    await until(b!, () => acdOf(b!).outStateId === Number(TEAMS_DND_CODE), 'the ACD code from Teams DND');
  }, 40_000);

  it('manual status (respect policy): a status the user picked in Teams stays shown over our call presence', async () => {
    const agent = rig.agentsOf(PUBLISHER_TEAM)[8]!;
    await login(agent);
    const user = rig.userOf(agent).id;
    control().teams(user, 'signedIn');
    control().manualStatus(user, { availability: 'Away', activity: 'Away' });
    await seen(agent, 'Available');
    await call({ type: 'customer', agentId: Number(agent), skillId: SUPPORT_VOICE });
    await until(agent, () => acdOf(agent).state === 'InboundContact', 'the call');
    await eventually(
      async () =>
        (await rig.traceOf(agent)).some(
          (l) =>
            (l.startsWith('decision') && !l.includes('DIRECTION_NOT_COVERED') && l.includes('Inbound')) ||
            l.startsWith('graph.request'),
        ),
      'a decision on the call',
    );
    expect(rig.teamsOf(agent)).toMatchObject({ availability: 'Away' });
  }, 40_000);
});
