import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { agentStatesPageSchema, agentStateSchema } from '../../src/adapters/cxone/cxone-schemas.js';
import { toAcdStateEvent } from '../../src/adapters/cxone/cxone-state-mapper.js';
import { ACD_STATE_NAMES } from '../../src/domain/agent-state.js';
import { FuzzTally, hostileJson, mutated, prototypeClean, runs } from './fuzz-support.js';

const TENANT = 'tenant-fuzz';
const tally = new FuzzTally('cxone-agent-state');

/** A Real-Time agent state record as CXone sends it, in any of its known field variants. */
const validRecord = fc.record({
  agentId: fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }).map(String)),
  agentStateName: fc.constantFrom(...ACD_STATE_NAMES),
  outStateId: fc.oneof(fc.integer({ min: -13, max: 60 }), fc.integer({ min: -13, max: 60 }).map(String)),
  outStateDescription: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)),
  isACW: fc.oneof(fc.boolean(), fc.constantFrom('True', 'False')),
  contactId: fc.oneof(fc.constant(null), fc.integer({ min: 1 })),
  mediaTypeId: fc.constantFrom(0, 1, 4, null),
  skillId: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 9999 })),
  skillName: fc.string({ maxLength: 20 }),
  fromAddress: fc.string({ maxLength: 20 }),
  toAddress: fc.string({ maxLength: 20 }),
  teamId: fc.integer({ min: 1, max: 999 }),
  lastUpdateTime: fc
    .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
});

/** Parses and maps one record: never throws; a mapped event is always well formed. */
function check(record: unknown): string {
  const parsed = agentStateSchema.safeParse(record);
  if (!parsed.success) {
    expect(parsed.error.issues.length).toBeGreaterThan(0);
    return 'rejected';
  }
  const event = toAcdStateEvent(TENANT, parsed.data, undefined);
  if (!event) return 'unmapped';
  expect(event.agentId).toBe(parsed.data.agentId);
  expect(Number.isFinite(event.sourceTime)).toBe(true);
  expect(ACD_STATE_NAMES).toContain(event.state.name);
  expect(event.eventId).toMatch(/^cxone:/);
  return 'mapped';
}

describe('fuzz: the CXone Real-Time agent state parser and mapper', () => {
  afterAll(() => tally.print());

  it('maps every valid record to an event of that agent', () => {
    fc.assert(
      fc.property(validRecord, (r) => {
        const outcome = check(r);
        tally.count(outcome);
        expect(outcome).toBe('mapped');
      }),
      runs(2000),
    );
  });

  it('never throws on mutated records; a record that still parses maps to a well-formed event or to nothing', () => {
    fc.assert(
      fc.property(mutated(validRecord), (r) => {
        tally.count(check(r));
      }),
      runs(5000),
    );
  });

  it('never throws on arbitrary hostile JSON as a record', () => {
    fc.assert(
      fc.property(hostileJson, (r) => {
        tally.count(check(r));
      }),
      runs(2000),
    );
  });

  it('pages: a page parses or is refused with issues naming the bad record; good records of a parsed page still map', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(validRecord, mutated(validRecord)), { maxLength: 6 }),
        fc.option(hostileJson),
        (records, extra) => {
          const page = agentStatesPageSchema.safeParse({
            totalRecords: records.length,
            _links: extra === null ? {} : { next: extra },
            agentStates: records,
          });
          tally.count(page.success ? 'page-parsed' : 'page-rejected');
          if (!page.success) {
            expect(page.error.issues[0]?.path.length).toBeGreaterThan(0);
            return;
          }
          for (const r of page.data.agentStates) expect(() => toAcdStateEvent(TENANT, r, undefined)).not.toThrow();
        },
      ),
      runs(1500),
    );
    expect(prototypeClean()).toBe(true);
    expect(tally.inputs).toBeGreaterThanOrEqual(10_000);
  });
});
