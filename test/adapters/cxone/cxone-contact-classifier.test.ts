import { classifyContact, counterpartOf } from '../../../src/adapters/cxone/cxone-contact-classifier.js';
import {
  activeContactSchema,
  agentStateSchema,
  type ActiveContact,
  type RtdAgentState,
} from '../../../src/adapters/cxone/cxone-schemas.js';
import { eventIdOf, toAcdState } from '../../../src/adapters/cxone/cxone-state-mapper.js';

const rec = (over: Record<string, unknown> = {}): RtdAgentState =>
  agentStateSchema.parse({
    agentId: 1,
    agentStateName: 'InboundContact',
    contactId: 11,
    mediaTypeId: 4,
    isOutbound: false,
    toAddress: '8005550199',
    lastUpdateTime: '2026-01-05T08:00:00.000Z',
    ...over,
  });
const contact = (over: Record<string, unknown> = {}): ActiveContact =>
  activeContactSchema.parse({
    contactId: 11,
    masterContactId: 11,
    agentId: 1,
    skillId: 4100001,
    mediaTypeId: 4,
    isOutbound: false,
    fromAddress: '8015550100',
    toAddress: '8005550199',
    pointOfContactId: 9001,
    ...over,
  });

describe('contact classification (reference §3.4)', () => {
  it.each([
    ['inbound call through a point of contact', 'customer', rec(), contact()],
    [
      'outbound dialled call to a phone number',
      'customer',
      rec({ agentStateName: 'OutboundContact', isOutbound: true }),
      contact({ isOutbound: true, pointOfContactId: null }),
    ],
    [
      'OutboundConsult (consult / agent call caller)',
      'agent',
      rec({ agentStateName: 'OutboundConsult' }),
      contact({ targetAgentId: 2 }),
    ],
    ['InboundConsult (callee)', 'agent', rec({ agentStateName: 'InboundConsult' }), undefined],
    ['a leg targeting another agent', 'agent', rec(), contact({ targetAgentId: 2, pointOfContactId: null })],
    ['a secondary leg of a master contact', 'agent', rec(), contact({ masterContactId: 10, pointOfContactId: null })],
    ['a routed contact without point of contact (dial-skill)', 'skill', rec(), contact({ pointOfContactId: null })],
    [
      'the caller side of dial-skill (no external number)',
      'skill',
      rec({ agentStateName: 'OutboundContact', isOutbound: true, toAddress: '' }),
      contact({ isOutbound: true, pointOfContactId: null, toAddress: '' }),
    ],
    [
      'state only, outbound without address',
      'skill',
      rec({ agentStateName: 'OutboundContact', isOutbound: true, toAddress: '' }),
      undefined,
    ],
    ['state only, inbound', 'customer', rec(), undefined],
  ] as const)('%s ⇒ %s', (_what, expected, state, c) => {
    expect(counterpartOf(state, c)).toBe(expected);
  });

  it.each([
    [4, 'voice'],
    [1, 'digital'],
    [3, 'digital'],
    [5, 'digital'],
    [6, 'digital'],
    [9, 'digital'],
  ])('mediaTypeId %i is %s (only 4 is voice, §2.3)', (mediaTypeId, media) => {
    expect(classifyContact(rec({ mediaTypeId }), undefined)?.media).toBe(media);
  });

  it('falls back to the contact, then the skill, for the media type', () => {
    expect(classifyContact(rec({ mediaTypeId: 0 }), contact({ mediaTypeId: 9 }))?.mediaTypeId).toBe(9);
    expect(classifyContact(rec({ mediaTypeId: 0 }), undefined, 4)?.media).toBe('voice');
  });

  it('has no contact when contactId is 0 or absent', () => {
    expect(classifyContact(rec({ contactId: 0 }), undefined)).toBeUndefined();
    expect(classifyContact(rec({ contactId: null }), undefined)).toBeUndefined();
  });
});

describe('agent state records (reference §2.1, §6, §8 field variants)', () => {
  it('reads the older names mediaType/isAcw/outStateCode like the current ones', () => {
    const legacy = agentStateSchema.parse({
      agentId: '7',
      agentStateName: 'Unavailable',
      outStateCode: 20063,
      outStateDescription: 'Lunch',
      isAcw: 'True',
      mediaType: 4,
      contactId: '0',
      lastUpdateTime: '2026-01-05T08:00:00.000Z',
    });
    expect(legacy).toMatchObject({
      agentId: '7',
      outStateId: 20063,
      isAcw: true,
      mediaTypeId: 4,
      contactId: undefined,
    });
    expect(toAcdState(legacy, undefined)).toEqual({
      name: 'Unavailable',
      afterCallWork: true,
      unavailableCode: { id: '20063', name: 'Lunch' },
    });
  });

  it.each([-13, -5, 0, 3])('reserved out-state %i is not an unavailable code', (outStateId) => {
    expect(toAcdState(rec({ agentStateName: 'Unavailable', outStateId, contactId: 0 }), undefined)).toEqual({
      name: 'Unavailable',
      afterCallWork: false,
    });
  });

  it('skips state names the domain does not know instead of guessing', () => {
    expect(toAcdState(rec({ agentStateName: 'DialerPending' }), undefined)).toBeUndefined();
  });

  it('gives the same event id to the same observation and a new one to any visible change', () => {
    const a = rec({ agentStateName: 'Unavailable', outStateId: 20063, contactId: 0 });
    expect(eventIdOf(a)).toBe(eventIdOf(rec({ agentStateName: 'Unavailable', outStateId: 20063, contactId: 0 })));
    expect(eventIdOf(a)).not.toBe(eventIdOf(rec({ agentStateName: 'Unavailable', outStateId: 20064, contactId: 0 })));
  });
});
