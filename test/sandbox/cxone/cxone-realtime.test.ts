import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { FIRST_AGENT_ID, FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { emulatorClient } from './emulator-client.js';

const A = FIRST_AGENT_ID;
const B = FIRST_AGENT_ID + 1;
const SALES = FIRST_SKILL_ID;
const CHAT = FIRST_SKILL_ID + 3;

describe('CXone emulator — Real-Time Data (reference §2.1, §2.2, §9.3) and scenario driver (§9.6)', () => {
  let emu: CxoneEmulator;
  let c: ReturnType<typeof emulatorClient>;
  let token: string;
  beforeAll(async () => {
    emu = await startCxoneEmulator({ seed: { teams: 2, agents: 10, initialState: 'Available' } });
    c = emulatorClient(emu);
    token = await c.token();
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });
  const states = async (query = '') => (await c.call('GET', c.api(`/agents/states${query}`), { token })).json;

  it('returns every agent on the first poll, with lastPollTime, and only changed agents after', async () => {
    emu.clock.advance(1);
    const first = await states();
    expect(first.agentStates).toHaveLength(10);
    expect(first.agentStates[0]).toMatchObject({
      agentId: A,
      agentStateId: 1,
      agentStateName: 'Available',
      isACW: false,
      mediaTypeId: 0,
    });
    emu.clock.advance(1000);
    await c.control(`/agents/${B}/state`, { state: 'Unavailable', outStateId: 20063 });
    const delta = await states(`?updatedSince=${first.lastPollTime}`);
    expect(delta.agentStates.map((s: { agentId: number }) => s.agentId)).toEqual([B]);
    expect(delta.agentStates[0]).toMatchObject({
      agentStateName: 'Unavailable',
      outStateId: 20063,
      outStateDescription: 'Lunch',
    });
    expect(Date.parse(delta.lastPollTime)).toBeGreaterThan(Date.parse(first.lastPollTime));
    // updatedSince is inclusive: a change in the same millisecond as lastPollTime comes again (never lost).
    expect((await states(`?updatedSince=${delta.lastPollTime}`)).agentStates).toHaveLength(1);
    emu.clock.advance(1);
    expect(
      (await states(`?updatedSince=${new Date(Date.parse(delta.lastPollTime) + 1).toISOString()}`)).agentStates,
    ).toHaveLength(0);
  });

  it('pages with skip/top and _links.next, and projects fields', async () => {
    const p1 = await states('?top=4&fields=agentId,agentStateName');
    expect(p1.totalRecords).toBe(10);
    expect(p1.agentStates).toHaveLength(4);
    expect(Object.keys(p1.agentStates[0])).toEqual(['agentId', 'agentStateName']);
    const p3 = (await c.call('GET', (await c.call('GET', p1._links.next, { token })).json._links.next, { token })).json;
    expect(p3.agentStates).toHaveLength(2);
    expect(p3._links.next).toBeNull();
  });

  it('puts a voice customer call, its contact and ACW with timeout into agent states and contacts/active', async () => {
    const { json } = await c.control('/contacts', { type: 'customer', agentId: A, skillId: SALES });
    const s = (await c.call('GET', c.api(`/agents/${A}/states`), { token })).json.agentStates[0];
    expect(s).toMatchObject({
      agentStateName: 'InboundContact',
      contactId: json.contactId,
      mediaTypeId: 4,
      skillId: SALES,
      isOutbound: false,
    });
    const active = (await c.call('GET', c.api(`/contacts/active?agentId=${A}`), { token })).json.activeContacts;
    expect(active[0]).toMatchObject({
      contactId: json.contactId,
      masterContactId: json.contactId,
      mediaTypeId: 4,
      pointOfContactId: expect.any(Number),
    });
    await c.control(`/contacts/${json.contactId}/end`);
    const acw = (await c.call('GET', c.api(`/agents/${A}/states`), { token })).json.agentStates[0];
    expect(acw).toMatchObject({ agentStateName: 'Unavailable', isACW: true, outStateDescription: 'After Call Work' });
    await c.call('POST', `${emu.url}/_control/clock`, { body: { advanceMs: 30_000 } });
    const after = (await c.call('GET', c.api(`/agents/${A}/states`), { token })).json.agentStates[0];
    expect(after).toMatchObject({ agentStateName: 'Available', isACW: false });
  });

  it('makes consults and agent-to-agent calls OutboundConsult / InboundConsult with linked legs', async () => {
    const call = (await c.control('/contacts', { type: 'agentCall', agentId: A, targetAgentId: B + 1 })).json;
    const legs = (await c.call('GET', c.api('/contacts/active'), { token })).json.activeContacts;
    expect(legs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agentId: A, targetAgentId: B + 1, masterContactId: call.contactId }),
        expect.objectContaining({ agentId: B + 1, targetAgentId: A, masterContactId: call.contactId }),
      ]),
    );
    expect(emu.model.stateOf(A).state).toBe('OutboundConsult');
    expect(emu.model.stateOf(B + 1).state).toBe('InboundConsult');
    await c.control(`/contacts/${call.contactId}/end`);
    expect([emu.model.stateOf(A).state, emu.model.stateOf(B + 1).state]).toEqual(['Available', 'Available']);
  });

  it('returns a consulting agent to the held customer call when the consult ends', async () => {
    const cust = (await c.control('/contacts', { type: 'customer', agentId: A, skillId: SALES + 1 })).json;
    const consult = (await c.control('/contacts', { type: 'consult', agentId: A, targetAgentId: B + 2 })).json;
    expect(emu.model.contacts.get(consult.contactId)).toMatchObject({ masterContactId: cust.contactId });
    await c.control(`/contacts/${consult.contactId}/end`);
    expect(emu.model.stateOf(A)).toMatchObject({ state: 'InboundContact', contactId: cust.contactId });
    await c.control(`/contacts/${cust.contactId}/end`);
    expect(emu.model.stateOf(A).state).toBe('Available');
  });

  it('routes a call to a skill without point of contact or external number', async () => {
    const call = (
      await c.control('/contacts', { type: 'skillCall', agentId: A, skillId: SALES + 1, targetAgentId: B + 3 })
    ).json;
    const legs = (await c.call('GET', c.api('/contacts/active'), { token })).json.activeContacts;
    const routed = legs.find((l: { agentId: number }) => l.agentId === B + 3);
    expect(routed).toMatchObject({
      pointOfContactId: null,
      isOutbound: false,
      skillId: SALES + 1,
      targetAgentId: null,
    });
    expect(emu.model.stateOf(A).state).toBe('OutboundContact');
    await c.control(`/contacts/${call.contactId}/end`);
    expect(emu.model.stateOf(B + 3).state).toBe('Available');
  });

  it('delivers digital contacts with mediaTypeId 9 and describes skills with their ACW settings', async () => {
    const d = (await c.control('/contacts', { type: 'digital', agentId: B + 4, skillId: CHAT })).json;
    expect((await c.call('GET', c.api(`/agents/${B + 4}/states`), { token })).json.agentStates[0]).toMatchObject({
      mediaTypeId: 9,
      contactId: d.contactId,
    });
    const skill = (await c.call('GET', c.api(`/skills/${SALES}`), { token })).json;
    expect(skill).toMatchObject({ skillId: SALES, mediaTypeId: 4, stateNameACW: 'After Call Work', maxSecondsACW: 30 });
  });

  it('logs an agent out after the unavailable code inactivity timeout (reference §4)', async () => {
    await c.control(`/agents/${B + 5}/state`, { state: 'Unavailable', outStateId: 20064 });
    emu.clock.advance(120 * 60_000);
    token = await c.token();
    const s = (await c.call('GET', c.api(`/agents/${B + 5}/states`), { token })).json.agentStates[0];
    expect(s.agentStateName).toBe('LoggedOut');
  });

  it('rejects impossible scenario steps (409) and malformed control bodies (400)', async () => {
    expect((await c.control('/contacts', { type: 'consult', agentId: B + 6, targetAgentId: A })).status).toBe(409);
    expect((await c.control('/contacts', { type: 'customer' })).status).toBe(400);
  });
});
