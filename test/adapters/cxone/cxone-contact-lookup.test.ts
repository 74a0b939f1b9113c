import type { z } from 'zod';
import type { CxoneApiClient } from '../../../src/adapters/cxone/cxone-api-client.js';
import { CxoneContactLookup } from '../../../src/adapters/cxone/cxone-contact-lookup.js';
import { agentStateSchema, type RtdAgentState } from '../../../src/adapters/cxone/cxone-schemas.js';
import { ok } from '../../../src/domain/result.js';
import { ManualTime } from '../../application/fakes/manual-time.js';

/** `GET /contacts/active` answering the contacts added since the last read (the delta), and nothing else. */
class ActiveContacts {
  reads = 0;
  private fresh: Record<string, unknown>[] = [];

  add(contactId: string, agentId: string): void {
    this.fresh.push({
      contactId,
      agentId,
      skillId: '11',
      skillName: 'Sales',
      mediaTypeId: 4,
      isOutbound: false,
      fromAddress: '+1555',
      toAddress: '+1666',
    });
  }

  readonly api = {
    get: <S extends z.ZodType>(_path: string, schema: S) => {
      this.reads += 1;
      const page = { _links: {}, lastPollTime: new Date(0).toISOString(), activeContacts: this.fresh };
      this.fresh = [];
      return Promise.resolve(ok(schema.parse(page) as z.infer<S>));
    },
  } as unknown as CxoneApiClient;
}

const record = (agentId: string, at: number, contactId?: string): RtdAgentState =>
  agentStateSchema.parse({
    agentId,
    agentStateName: contactId ? 'InboundContact' : 'Available',
    outStateDescription: '',
    lastUpdateTime: new Date(at).toISOString(),
    ...(contactId ? { contactId, mediaTypeId: 4, skillId: '11' } : {}),
  });

describe('CxoneContactLookup', () => {
  it("keeps a contact while an agent's latest record names it, and forgets it minutes after none does", async () => {
    const time = new ManualTime();
    const cxone = new ActiveContacts();
    const lookup = new CxoneContactLookup(cxone.api, time);
    cxone.add('c1', 'a1');
    cxone.add('c2', 'a2');
    const first = await lookup.classify([record('a1', time.now(), 'c1'), record('a2', time.now(), 'c2')]);
    expect(first.ok && first.value.get('c1')?.media).toBe('voice');
    expect(lookup.size).toBe(2);

    await time.advance(60_000);
    await lookup.classify([record('a1', time.now())]);
    // A replayed older record of a2 with no contact is not a2 leaving c2.
    await lookup.classify([record('a2', time.now() - 120_000)]);
    await time.advance(5 * 60_000);
    await lookup.classify([]);
    expect(lookup.size).toBe(1);

    // Two hours on the call: c2 is still known for the after-call work, without reading contacts again.
    await time.advance(2 * 3600_000);
    const reads = cxone.reads;
    const acw = await lookup.classify([record('a2', time.now(), 'c2')]);
    expect(acw.ok && acw.value.get('c2')?.media).toBe('voice');
    expect(cxone.reads).toBe(reads);
  });

  it('keeps a contact passing to another agent across polls', async () => {
    const time = new ManualTime();
    const cxone = new ActiveContacts();
    const lookup = new CxoneContactLookup(cxone.api, time);
    cxone.add('c1', 'a1');
    await lookup.classify([record('a1', time.now(), 'c1')]);
    await time.advance(1_000);
    await lookup.classify([record('a1', time.now())]);
    await time.advance(1_000);
    const reads = cxone.reads;
    const taken = await lookup.classify([record('a2', time.now(), 'c1')]);
    expect(taken.ok && taken.value.has('c1')).toBe(true);
    expect(cxone.reads).toBe(reads);
    await time.advance(10 * 60_000);
    await lookup.classify([]);
    expect(lookup.size).toBe(1);
  });
});
