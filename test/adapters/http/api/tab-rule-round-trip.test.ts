import fc from 'fast-check';
import { PREFERRED_PRESENCE_PAIRS, SESSION_PRESENCE_PAIRS } from '../../../../src/domain/presence.js';
import { draftOf, ruleBody } from '../../../../tabs/src/rule-body.js';
import type { Rule } from '../../../../tabs/src/types.js';
import { ApiHarness, TENANT_A } from './fakes/api-harness.js';
import { LocalEntra } from './fakes/local-entra.js';

let entra: LocalEntra;
let api: ApiHarness;
let token: string;

beforeAll(async () => {
  entra = await LocalEntra.start();
  token = await entra.token({ tid: TENANT_A });
  api = await new ApiHarness(entra).start();
});
afterAll(async () => {
  await api.close();
  await entra.close();
});

const contact = fc.record(
  {
    kind: fc.constantFrom('InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer'),
    counterpart: fc.constantFrom('customer', 'agent', 'skill'),
  },
  { requiredKeys: ['kind'] },
);
const acdPattern = fc.oneof(
  fc.constantFrom({ kind: 'Available' }, { kind: 'AfterCallWork' }, { kind: 'LoggedIn' }, { kind: 'LoggedOut' }),
  fc.constantFrom({ kind: 'Unavailable' }, { kind: 'Unavailable', codeId: 'code-a-lunch' }),
  contact,
);
const sessionPair = fc.constantFrom(...SESSION_PRESENCE_PAIRS);
const subscriberMatch = fc.oneof(
  fc.constantFrom(...PREFERRED_PRESENCE_PAIRS),
  fc.constantFrom({ availability: 'Busy' }, { availability: 'DoNotDisturb' }),
);
/** Mappings a rule of each direction can use (the domain refuses most random ones, which tests nothing here). */
const mappingsFor = (direction: string) =>
  direction === 'publisher'
    ? fc.array(fc.record({ acd: acdPattern, teams: sessionPair }), { minLength: 1, maxLength: 4 })
    : fc.array(
        fc.record({
          acd: fc.constantFrom({ kind: 'Available' }, { kind: 'Unavailable', codeId: 'code-a-lunch' }),
          teams: direction === 'subscriber' ? subscriberMatch : sessionPair,
        }),
        { minLength: 1, maxLength: 2 },
      );
/** Rules as an API client may write them: every field, optional ones sometimes left out. */
const ruleDraft = fc.constantFrom('publisher', 'subscriber', 'bidirectional').chain((direction) =>
  fc.record(
    {
      name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 →-]{0,30}$/),
      partnerPlatform: fc.constant('msteams'),
      direction: fc.constant(direction),
      scope: fc.oneof(
        fc.record({ kind: fc.constant('team'), teamIds: fc.subarray(['team-a1', 'team-a2'], { minLength: 1 }) }),
        fc.record({
          kind: fc.constant('user'),
          agentIds: fc.subarray(['agent-a1', 'agent-a2', 'agent-a3'], { minLength: 1 }),
        }),
      ),
      mappings: mappingsFor(direction),
      enabled: fc.boolean(),
      manualStatusPolicy: fc.constantFrom('respect', 'override'),
      noSyncStates: fc.array(acdPattern, { maxLength: 3 }),
      debounceMs: fc.integer({ min: 0, max: 60_000 }),
    },
    { requiredKeys: ['name', 'direction', 'scope', 'mappings'] },
  ),
);

describe("the tab's rule editor body (tabs/src/rule-body.ts) against the rules API", () => {
  it('stores any rule the API accepts unchanged when the editor opens it and saves it as it is', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(ruleDraft, async (draft) => {
        const created = await api.call('POST', '/api/v1/rules', { token, body: draft });
        if (created.status !== 201) return; // the domain refused it (e.g. a subscriber mapping to a contact)
        accepted += 1;
        const stored = created.json as unknown as Rule & { id: string; version: number };
        try {
          // What the editor does: a draft of the rule as listed, then the body of its PUT.
          const body = { ...ruleBody(draftOf(stored)), version: stored.version };
          const saved = await api.call('PUT', `/api/v1/rules/${stored.id}`, { token, body });
          expect(saved.status).toBe(200);
          const after = (await api.call('GET', `/api/v1/rules/${stored.id}`, { token })).json;
          expect({ ...after, version: stored.version }).toEqual(stored);
        } finally {
          await api.call('DELETE', `/api/v1/rules/${stored.id}`, { token });
        }
      }),
      { numRuns: 120 },
    );
    // The property is about accepted rules: enough of them must have been tried.
    expect(accepted).toBeGreaterThan(20);
  }, 120_000);

  it('keeps noSyncStates and debounceMs of a rule set through the API (the editor once sent [] and 0)', async () => {
    const created = await api.call('POST', '/api/v1/rules', {
      token,
      body: {
        name: 'Voice',
        direction: 'publisher',
        scope: { kind: 'team', teamIds: ['team-a1'] },
        mappings: [{ acd: { kind: 'InboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } }],
        noSyncStates: [{ kind: 'LoggedOut' }],
        debounceMs: 500,
      },
    });
    const stored = created.json as unknown as Rule;
    expect(ruleBody({ ...draftOf(stored), name: 'Voice calls' })).toMatchObject({
      name: 'Voice calls',
      noSyncStates: [{ kind: 'LoggedOut' }],
      debounceMs: 500,
      partnerPlatform: 'msteams',
    });
    await api.call('DELETE', `/api/v1/rules/${stored.id}`, { token });
  });
});
