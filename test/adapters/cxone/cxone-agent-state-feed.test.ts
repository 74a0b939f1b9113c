import type { AcdStateEvent } from '../../../src/domain/agent-state.js';
import { FIRST_AGENT_ID, FIRST_CODE_ID, FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { fastSleep, sink, startRig, waitFor, type Rig } from './cxone-harness.js';

const SALES_IN = FIRST_SKILL_ID;
const SUPPORT_IN = FIRST_SKILL_ID + 1;
const SALES_OUT = FIRST_SKILL_ID + 2;
const CHAT = FIRST_SKILL_ID + 3;
const EMAIL = FIRST_SKILL_ID + 4;
const LUNCH = FIRST_CODE_ID + 2;
const agent = (n: number): number => FIRST_AGENT_ID + n;

describe('CxoneAgentStateFeed — every state family mapped to a domain event (reference §2.1, §3.4, §6)', () => {
  let rig: Rig;
  const s = sink();
  const timing = fastSleep();
  beforeAll(async () => {
    rig = await startRig(
      { seed: { teams: 2, agents: 40, initialState: 'Available' } },
      { feed: { sleep: timing.sleep } },
    );
    await rig.acd.feed.start(s.deliver);
  });
  afterAll(() => rig.close());

  const lastOf = (agentId: number): AcdStateEvent | undefined =>
    s.events.filter((e) => e.agentId === String(agentId)).at(-1);
  const eventually = async (agentId: number, expected: object): Promise<void> => {
    await waitFor(
      () => {
        try {
          expect(lastOf(agentId)?.state).toEqual(expected);
          return true;
        } catch {
          return false;
        }
      },
      `agent ${agentId} → ${JSON.stringify(expected)}; last ${JSON.stringify(lastOf(agentId)?.state)}`,
    );
  };
  const control = async (path: string, body: object = {}): Promise<number> => {
    rig.emu.clock.advance(10);
    const res = await fetchControl(rig, path, body);
    return res.contactId as number;
  };

  it('delivers the snapshot first: every agent Available, with source time and stable event id', () => {
    expect(new Set(s.events.map((e) => e.agentId)).size).toBe(40);
    expect(s.events[0]).toEqual({
      source: 'acd',
      tenantId: 'tenant-1',
      agentId: String(agent(0)),
      state: { name: 'Available', afterCallWork: false },
      sourceTime: rig.emu.model.stateOf(agent(0)).lastUpdateTime,
      eventId: expect.stringMatching(/^cxone:1000001:/),
    });
  });

  it('maps Unavailable with a code (id and name), plain Unavailable, LoggedOut', async () => {
    await control(`/agents/${agent(1)}/state`, { state: 'Unavailable', outStateId: LUNCH });
    await eventually(agent(1), {
      name: 'Unavailable',
      afterCallWork: false,
      unavailableCode: { id: String(LUNCH), name: 'Lunch' },
    });
    await control(`/agents/${agent(2)}/state`, { state: 'Unavailable' });
    await eventually(agent(2), { name: 'Unavailable', afterCallWork: false });
    await control(`/agents/${agent(3)}/logout`);
    await eventually(agent(3), { name: 'LoggedOut', afterCallWork: false });
  });

  it('maps an inbound voice customer call, then after-call work with the skill ACW code, then Available on timeout', async () => {
    const contactId = String(await control('/contacts', { type: 'customer', agentId: agent(4), skillId: SALES_IN }));
    const contact = {
      contactId,
      media: 'voice',
      mediaTypeId: 4,
      counterpart: 'customer',
      isOutbound: false,
      skillId: String(SALES_IN),
      skillName: 'Sales Inbound',
    };
    await eventually(agent(4), { name: 'InboundContact', afterCallWork: false, contact });
    await control(`/contacts/${contactId}/end`);
    await eventually(agent(4), {
      name: 'Unavailable',
      afterCallWork: true,
      unavailableCode: { id: String(FIRST_CODE_ID), name: 'After Call Work' },
      contact,
    });
    rig.emu.clock.advance(30_000);
    await eventually(agent(4), { name: 'Available', afterCallWork: false });
  });

  it('maps an outbound customer call as OutboundContact with a customer counterpart', async () => {
    const contactId = String(
      await control('/contacts', { type: 'customer', agentId: agent(5), skillId: SALES_OUT, direction: 'outbound' }),
    );
    await eventually(agent(5), {
      name: 'OutboundContact',
      afterCallWork: false,
      contact: {
        contactId,
        media: 'voice',
        mediaTypeId: 4,
        counterpart: 'customer',
        isOutbound: true,
        skillId: String(SALES_OUT),
        skillName: 'Sales Outbound',
      },
    });
  });

  it('classifies a consult from a customer call as agent on both sides', async () => {
    await control('/contacts', { type: 'customer', agentId: agent(6), skillId: SUPPORT_IN });
    await control('/contacts', { type: 'consult', agentId: agent(6), targetAgentId: agent(7) });
    await waitFor(
      () => lastOf(agent(6))?.state.name === 'OutboundConsult' && lastOf(agent(7))?.state.name === 'InboundConsult',
      'consult states',
    );
    expect(lastOf(agent(6))?.state.contact).toMatchObject({ media: 'voice', counterpart: 'agent', isOutbound: true });
    expect(lastOf(agent(7))?.state.contact).toMatchObject({ media: 'voice', counterpart: 'agent', isOutbound: false });
  });

  it('classifies an agent-to-agent call (personal queue) as agent on both sides', async () => {
    await control('/contacts', { type: 'agentCall', agentId: agent(8), targetAgentId: agent(9) });
    await waitFor(
      () => lastOf(agent(8))?.state.name === 'OutboundConsult' && lastOf(agent(9))?.state.name === 'InboundConsult',
      'agent call states',
    );
    expect([lastOf(agent(8))?.state.contact?.counterpart, lastOf(agent(9))?.state.contact?.counterpart]).toEqual([
      'agent',
      'agent',
    ]);
  });

  it('classifies a call to a skill as skill for the caller and for the agent it is routed to', async () => {
    await control('/contacts', {
      type: 'skillCall',
      agentId: agent(10),
      skillId: SUPPORT_IN,
      targetAgentId: agent(11),
    });
    await waitFor(
      () => lastOf(agent(10))?.state.name === 'OutboundContact' && lastOf(agent(11))?.state.name === 'InboundContact',
      'skill call states',
    );
    expect(lastOf(agent(10))?.state.contact).toMatchObject({ media: 'voice', counterpart: 'skill', isOutbound: true });
    expect(lastOf(agent(11))?.state.contact).toMatchObject({
      media: 'voice',
      counterpart: 'skill',
      isOutbound: false,
      skillName: 'Support Inbound',
    });
  });

  it('classifies digital (DFO, 9) and e-mail (1) contacts as digital customer contacts', async () => {
    await control('/contacts', { type: 'digital', agentId: agent(12), skillId: CHAT });
    await control('/contacts', { type: 'customer', agentId: agent(13), skillId: EMAIL, mediaTypeId: 1 });
    await waitFor(
      () => lastOf(agent(12))?.state.name === 'InboundContact' && lastOf(agent(13))?.state.name === 'InboundContact',
      'digital contacts',
    );
    expect(lastOf(agent(12))?.state.contact).toMatchObject({
      media: 'digital',
      mediaTypeId: 9,
      counterpart: 'customer',
    });
    expect(lastOf(agent(13))?.state.contact).toMatchObject({
      media: 'digital',
      mediaTypeId: 1,
      counterpart: 'customer',
    });
  });

  it('maps Dialer and LoggedIn (platform-driven states)', async () => {
    rig.emu.clock.advance(10);
    rig.emu.model.enter(agent(14), 'Dialer');
    rig.emu.model.enter(agent(15), 'LoggedIn');
    await eventually(agent(14), { name: 'Dialer', afterCallWork: false });
    await eventually(agent(15), { name: 'LoggedIn', afterCallWork: false });
  });

  it('reads the older field names (mediaType, isAcw, per-record lastPollTime) the same way', async () => {
    rig.emu.faults.configure({ variant: 'legacy' });
    const contactId = String(await control('/contacts', { type: 'customer', agentId: agent(16), skillId: SALES_IN }));
    await waitFor(() => lastOf(agent(16))?.state.name === 'InboundContact', 'legacy contact');
    expect(lastOf(agent(16))?.state.contact).toMatchObject({ contactId, media: 'voice', mediaTypeId: 4 });
    await control(`/contacts/${contactId}/end`);
    await waitFor(() => lastOf(agent(16))?.state.afterCallWork === true, 'legacy ACW');
    rig.emu.faults.reset();
  });

  it('treats 204 and 304 delta answers as "no change" and keeps polling', async () => {
    for (const status of [204, 304] as const) {
      rig.emu.faults.configure({ emptyDeltaStatus: status });
      const before = rig.emu.stats.get('GET /agents/states') ?? 0;
      rig.emu.clock.advance(1000);
      await waitFor(() => (rig.emu.stats.get('GET /agents/states') ?? 0) > before + 3, `polls answered ${status}`);
      await control(`/agents/${agent(17)}/state`, { state: status === 204 ? 'Unavailable' : 'Available' });
      await eventually(agent(17), { name: status === 204 ? 'Unavailable' : 'Available', afterCallWork: false });
    }
    rig.emu.faults.reset();
  });

  it("gives every agent's current state on demand (snapshot for reconciliation), without moving the cursor", async () => {
    const polls = s.events.length;
    const snap = await rig.acd.feed.snapshot();
    if (!snap.ok) throw new Error(snap.error.message);
    expect(snap.value).toHaveLength(40);
    expect(snap.value.find((e) => e.agentId === String(agent(5)))?.state.name).toBe('OutboundContact');
    expect(snap.value.find((e) => e.agentId === String(agent(3)))?.state.name).toBe('LoggedOut');
    expect(s.events.length).toBe(polls);
  });

  it('never delivers the same observation twice', () => {
    expect(new Set(s.events.map((e) => e.eventId)).size).toBe(s.events.length);
  });
});

async function fetchControl(rig: Rig, path: string, body: object): Promise<Record<string, unknown>> {
  const { createHttpTransport } = await import('../../../src/adapters/shared/http-transport.js');
  const t = createHttpTransport({ extraCaPem: rig.emu.caCertPem, timeoutMs: 5000 });
  try {
    const res = await t.fetch(`${rig.emu.url}/_control${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`control ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  } finally {
    await t.close();
  }
}
