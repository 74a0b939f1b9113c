import type { ExternalFailure } from '../../../src/application/ports.js';
import { ok } from '../../../src/domain/result.js';
import type { CxoneApiClient } from '../../../src/adapters/cxone/cxone-api-client.js';
import { fetchAgentStates } from '../../../src/adapters/cxone/cxone-agent-states-reader.js';
import { agentStatesPageSchema } from '../../../src/adapters/cxone/cxone-schemas.js';

/** One malformed CXone agent-state record is skipped and reported; the good ones on its page still arrive. */
const record = (agentId: unknown, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  agentId,
  agentStateId: 1,
  agentStateName: 'Available',
  outStateId: 0,
  outStateDescription: '',
  isACW: false,
  contactId: null,
  mediaTypeId: 0,
  isOutbound: false,
  skillId: null,
  skillName: '',
  fromAddress: '',
  toAddress: '',
  teamId: 7,
  lastUpdateTime: '2026-11-25T11:00:00.000Z',
  ...over,
});

describe('agentStatesPageSchema: records are read one by one', () => {
  it('keeps the good records of a page with a malformed one and names the bad one', () => {
    const r = agentStatesPageSchema.safeParse({
      totalRecords: 3,
      agentStates: [record(1), record(2, { agentStateName: 42 }), record(3)],
    });
    expect(r.success).toBe(true);
    expect(r.data?.agentStates.map((a) => a.agentId)).toEqual(['1', '3']);
    expect(r.data?.rejectedAgentStates).toEqual([
      { index: 1, agentId: '2', reason: expect.stringContaining('agentStateName') },
    ]);
  });

  it.each([
    ['an empty agentId', record('')],
    ['a blank agentId', record('   ')],
    ['a null agentId', record(null)],
    ['no agentId', (({ agentId: _a, ...rest }) => rest)(record(9))],
    ['no lastUpdateTime', (({ lastUpdateTime: _t, ...rest }) => rest)(record(9))],
    ['not an object', 'garbage'],
  ])('%s is a bad record', (_label, bad) => {
    const r = agentStatesPageSchema.safeParse({ agentStates: [bad, record(5)] });
    expect(r.data?.agentStates.map((a) => a.agentId)).toEqual(['5']);
    expect(r.data?.rejectedAgentStates).toHaveLength(1);
    expect(r.data?.rejectedAgentStates[0]).toMatchObject({ index: 0, reason: expect.any(String) });
  });

  it('an empty agentId is reported as such, without an agentId', () => {
    const r = agentStatesPageSchema.safeParse({ agentStates: [record('')] });
    expect(r.data?.rejectedAgentStates).toEqual([{ index: 0, reason: 'agentId: empty agentId' }]);
  });

  it('a page whose list itself is unreadable still fails as a whole', () => {
    expect(agentStatesPageSchema.safeParse({ agentStates: 'not-a-list' }).success).toBe(false);
  });

  it('a clean page has no rejected records', () => {
    expect(agentStatesPageSchema.parse({ agentStates: [record(1)] }).rejectedAgentStates).toEqual([]);
  });
});

describe('fetchAgentStates: bad records are skipped and reported, good ones delivered', () => {
  function fakeApi(pages: unknown[]): {
    api: CxoneApiClient;
    bad: ExternalFailure[];
    queries: Record<string, string>[];
  } {
    const bad: ExternalFailure[] = [];
    const queries: Record<string, string>[] = [];
    const queue = [...pages];
    const api = {
      get: async (_path: string, _schema: unknown, query: Record<string, string>) => {
        queries.push(query);
        return ok(agentStatesPageSchema.parse(queue.shift()));
      },
      reportBadShape: (f: ExternalFailure) => bad.push(f),
    } as unknown as CxoneApiClient;
    return { api, bad, queries };
  }

  it('returns the good records of every page and one signal per page with bad records', async () => {
    const { api, bad, queries } = fakeApi([
      { totalRecords: 4, lastPollTime: '2026-11-25T11:00:01.000Z', agentStates: [record(1), record('')] },
      { totalRecords: 4, agentStates: [record(3), record(4, { lastUpdateTime: null })] },
    ]);
    const r = await fetchAgentStates(api, undefined, 2);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value?.records.map((a) => a.agentId)).toEqual(['1', '3']);
    expect(r.ok && r.value?.lastPollTime).toBe('2026-11-25T11:00:01.000Z');
    // The skipped record still counts for paging: the second page starts after both records of the first.
    expect(queries.map((q) => q['skip'])).toEqual([undefined, '2']);
    expect(bad).toEqual([
      expect.objectContaining({
        system: 'cxone',
        code: 'BAD_RECORD',
        message: expect.stringContaining('#1 agentId: empty agentId'),
      }),
      expect.objectContaining({ code: 'BAD_RECORD', message: expect.stringContaining('#1 (agent 4) lastUpdateTime') }),
    ]);
  });

  it('a clean read reports nothing', async () => {
    const { api, bad } = fakeApi([{ agentStates: [record(1), record(2)] }]);
    const r = await fetchAgentStates(api, undefined, 10);
    expect(r.ok && r.value?.records).toHaveLength(2);
    expect(bad).toEqual([]);
  });
});
