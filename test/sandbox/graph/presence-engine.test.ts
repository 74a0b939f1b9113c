import { describe, expect, it } from '@jest/globals';
import { UserPresence } from '../../../src/sandbox/graph/presence-engine.js';

const MIN = 60_000;
const pair = (availability: string, activity: string) => ({ availability, activity });

describe('emulated presence aggregation (reference §2.1, §8.3)', () => {
  it('shows Offline/Offline when no session exists', () => {
    const p = new UserPresence('u');
    p.evaluate(0);
    expect(p.current).toEqual(pair('Offline', 'Offline'));
  });

  it('ranks sessions DoNotDisturb > Busy > Available > Away', () => {
    const p = new UserPresence('u');
    p.clientSessions.set('teams', pair('Away', 'Away'));
    p.setAppSession('app', pair('Available', 'Available'), 0, 15 * MIN);
    p.evaluate(0);
    expect(p.current).toEqual(pair('Available', 'Available'));
    p.setAppSession('app', pair('Busy', 'InACall'), 0, 15 * MIN);
    p.evaluate(0);
    expect(p.current).toEqual(pair('Busy', 'InACall'));
    p.clientSessions.set('teams', pair('DoNotDisturb', 'Presenting'));
    p.evaluate(0);
    expect(p.current).toEqual(pair('DoNotDisturb', 'Presenting'));
  });

  it('lets the preferred layer win, but only while a session exists', () => {
    const p = new UserPresence('u');
    p.setPreferred(pair('DoNotDisturb', 'DoNotDisturb'), 0);
    p.evaluate(0);
    expect(p.current).toEqual(pair('Offline', 'Offline'));
    p.setAppSession('app', pair('Busy', 'InACall'), 0, 15 * MIN);
    p.evaluate(0);
    expect(p.current).toEqual(pair('DoNotDisturb', 'DoNotDisturb'));
  });

  it('decays an unrefreshed Available session to Available/AvailableInactive after 5 min and Away after 10', () => {
    const p = new UserPresence('u');
    p.setAppSession('app', pair('Available', 'Available'), 0, 60 * MIN);
    p.evaluate(4 * MIN);
    expect(p.current).toEqual(pair('Available', 'Available'));
    p.evaluate(5 * MIN);
    expect(p.current).toEqual(pair('Available', 'AvailableInactive'));
    p.evaluate(10 * MIN);
    expect(p.current).toEqual(pair('Away', 'Away'));
  });

  it('expires an app session after its expirationDuration; Busy does not decay', () => {
    const p = new UserPresence('u');
    p.setAppSession('app', pair('Busy', 'InACall'), 0, 15 * MIN);
    p.evaluate(14 * MIN);
    expect(p.current).toEqual(pair('Busy', 'InACall'));
    p.evaluate(15 * MIN);
    expect(p.current).toEqual(pair('Offline', 'Offline'));
  });

  it('moves the sortable sequenceNumber on every aggregate change only', () => {
    const p = new UserPresence('u');
    const s0 = p.sequenceNumber;
    p.setAppSession('app', pair('Busy', 'InACall'), 0, 15 * MIN);
    p.evaluate(0);
    const s1 = p.sequenceNumber;
    p.setAppSession('app', pair('Busy', 'InACall'), 1, 15 * MIN);
    p.evaluate(1);
    expect(p.sequenceNumber).toBe(s1);
    expect(s1 > s0).toBe(true);
  });

  it("hides the status message's timestamps from other readers", () => {
    const p = new UserPresence('u');
    p.statusMessage = {
      message: { content: 'On a call', contentType: 'text' },
      expiryDateTime: { dateTime: '2026-11-25T10:00:00', timeZone: 'UTC' },
      publishedDateTime: '2026-11-25T09:00:00Z',
    };
    expect(p.toResource(false).statusMessage).toEqual({ message: { content: 'On a call', contentType: 'text' } });
    expect(p.toResource(true).statusMessage).toMatchObject({ publishedDateTime: '2026-11-25T09:00:00Z' });
  });
});
