import { isPreferredSettable, isSessionSettable, samePresence } from '../../src/domain/presence.js';

describe('Teams presence vocabularies', () => {
  it.each([
    ['Busy', 'InACall', true],
    ['Available', 'Available', true],
    ['DoNotDisturb', 'Presenting', true],
    ['DoNotDisturb', 'DoNotDisturb', false],
    ['Busy', 'Busy', false],
    ['Busy', 'InAMeeting', false],
  ])('setPresence accepts %s/%s: %s', (availability, activity, expected) => {
    expect(isSessionSettable({ availability, activity })).toBe(expected);
  });

  it.each([
    ['DoNotDisturb', 'DoNotDisturb', true],
    ['Busy', 'InACall', false],
    ['Offline', 'OffWork', true],
  ])('setUserPreferredPresence accepts %s/%s: %s', (availability, activity, expected) => {
    expect(isPreferredSettable({ availability, activity })).toBe(expected);
  });

  it('compares availability and activity case-insensitively, as Graph documents both casings', () => {
    expect(
      samePresence({ availability: 'busy', activity: 'inACall' }, { availability: 'Busy', activity: 'InACall' }),
    ).toBe(true);
  });
});
