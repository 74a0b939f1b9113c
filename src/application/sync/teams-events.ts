import type { TeamsPresence, TeamsPresenceEvent } from '../../domain/presence.js';
import type { SyncEvent } from '../../domain/effects.js';
import type { SealedPresence } from '../ports.js';

/**
 * A notification without resource data says only "this user's presence changed". It is stored as
 * a Teams event with this placeholder and the engine reads the real presence before deciding
 * (batched). Graph itself reporting PresenceUnknown costs one extra read, nothing more.
 */
export const UNREAD_PRESENCE: TeamsPresence = Object.freeze({
  availability: 'PresenceUnknown',
  activity: 'PresenceUnknown',
});

export const needsPresenceRead = (event: SyncEvent): event is TeamsPresenceEvent =>
  event.source === 'teams' &&
  event.presence.availability === UNREAD_PRESENCE.availability &&
  event.presence.activity === UNREAD_PRESENCE.activity;

/**
 * Graph's sequenceNumber identifies a presence version, so a notification delivered twice keeps
 * one id and the inbox keeps one of them. Reconciliation reads pass none: each read is an event
 * of its own (the domain drops a read of the version it holds as a duplicate).
 */
export function teamsEventId(
  userId: string,
  sequenceNumber: string | undefined,
  observedAt: number,
  discriminator: string,
): string {
  return sequenceNumber !== undefined
    ? `teams:${userId}:${sequenceNumber}`
    : `teams:${userId}:${discriminator}:${observedAt}`;
}

/**
 * A notification whose resource data is still encrypted has no sequence number yet. Its id is
 * the digest of what arrived (subscription, resource and the encrypted bytes): Graph's redelivery
 * of a POST we were slow to acknowledge repeats those bytes, and the inbox keeps one copy without
 * decrypting either. The same presence version encrypted twice gets two entries; once opened,
 * the domain drops the second as a duplicate of the version it holds (decide-teams.ts).
 */
export const sealedTeamsEventId = (userId: string, sealed: SealedPresence): string =>
  `teams:${userId}:sealed:${sealed.digest}`;
