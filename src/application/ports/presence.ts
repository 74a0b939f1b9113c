import type { TeamsPresence } from '../../domain/presence.js';
import type { Result } from '../../domain/result.js';
import type { ExternalFailure } from './runtime.js';

/** A presence as read from Graph, with its version. */
export interface ObservedPresence {
  readonly userId: string;
  readonly presence: TeamsPresence;
  readonly sequenceNumber?: string;
}

/**
 * Which writes go first when the Graph budget cannot take them all at once: a `change` (an ACD or
 * Teams change just observed) before a `correction` (a re-evaluation after a rule or link change,
 * a reconciliation finding), and both before a `keepalive` (re-writing a held session).
 */
export type WriteUrgency = 'change' | 'correction' | 'keepalive';

/**
 * What the engine wants Teams to show for one user. `null` = clear our session. The writer
 * coalesces: only the latest desire per user is written; an earlier one resolves `superseded`.
 */
export interface PresenceDesire {
  readonly userId: string;
  readonly presence: TeamsPresence | null;
  /** Write the user-preferred layer (manual-status `override` policy) instead of our session. */
  readonly preferred: boolean;
  /** Ties Graph request/answer trace events to the flow that caused them. */
  readonly traceId: string;
  /** Default `change`. */
  readonly urgency?: WriteUrgency;
}

export type PresenceWriteOutcome =
  | { readonly status: 'written'; readonly latencyMs: number; readonly httpStatus: number }
  | { readonly status: 'unchanged' }
  | { readonly status: 'superseded' };

/** A session presence we published for a user, and when. */
export interface HeldSession {
  readonly userId: string;
  readonly presence: TeamsPresence;
  readonly at: number;
}

/** Writes and reads Teams presence (Graph, application permissions). Budgeted and batched inside. */
export interface PresenceGateway {
  /**
   * Resolves when the write is answered (it may wait for the budget). Per user, writes go out in
   * call order and one at a time: a newer desire replaces an older one not yet sent (that one
   * resolves `superseded`) and waits for one already sent. The engine relies on this to hand
   * writes over without waiting (an older presence never lands after a newer one).
   */
  write(desire: PresenceDesire): Promise<Result<PresenceWriteOutcome, ExternalFailure>>;
  /** getPresencesByUserId, chunked by 650. */
  read(userIds: readonly string[]): Promise<Result<readonly ObservedPresence[], ExternalFailure>>;
  /**
   * Re-writes held presence sessions that would otherwise lapse (Graph ends a session after its
   * expirationDuration, §2.6) while the desired state still holds; returns the users refreshed.
   * Called on every engine poll. Optional: a gateway without expiring sessions has nothing to do.
   */
  refreshDue?(): readonly string[];
  /**
   * Sessions published before this process started (from the stored sync state), so they are kept
   * alive too: without it, a restart mid-call lets the session lapse after its expirationDuration.
   */
  adoptHeld?(held: readonly HeldSession[]): void;
  /** Until when the service throttles us (429 Retry-After); undefined or past when not throttled. */
  throttledUntil?(): number | undefined;
}

export interface DirectoryUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly mail?: string;
  readonly displayName: string;
}

/** Entra users, for auto-matching ACD agents by e-mail / UPN. */
export interface UserDirectory {
  listUsers(): Promise<Result<readonly DirectoryUser[], ExternalFailure>>;
}

/**
 * A presence change notification whose sender was authenticated (subscription, clientState,
 * validation tokens). Its resource data is either clear (`presence`), absent (the engine reads
 * it), or still `sealed`: authenticated and decrypted after the acknowledgement.
 */
export interface PresenceNotification {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly userId: string;
  /** Present when the subscription includes resource data; otherwise the engine reads it. */
  readonly presence?: TeamsPresence;
  readonly sequenceNumber?: string;
  /** Resource data not yet authenticated nor decrypted (rich notifications); opened by {@link SealedPresenceOpener}. */
  readonly sealed?: SealedPresence;
  readonly receivedAt: number;
}

/**
 * Encrypted resource data as it arrived, stored with its inbox entry. `payload` is the Graph
 * adapter's own text (the application never reads it); `digest` identifies the delivery (a
 * redelivery of the same bytes has the same digest).
 */
export interface SealedPresence {
  readonly digest: string;
  readonly payload: string;
}

/** Why sealed resource data was dropped: a stable code and a reason for the Log Reader. */
export interface SealedPresenceFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * Authenticates and decrypts sealed resource data (the Graph adapter: HMAC, RSA-OAEP, AES), off
 * the webhook's acknowledgement path. Each result is the user's presence, or why it cannot be
 * trusted (the entry is then dropped, never retried: the same bytes fail the same way).
 */
export interface SealedPresenceOpener {
  open(
    items: readonly { readonly userId: string; readonly sealed: SealedPresence }[],
  ): Promise<readonly Result<Omit<ObservedPresence, 'userId'>, SealedPresenceFailure>[]>;
}

export interface SubscriptionStatus {
  readonly ownerId: string;
  readonly subscriptionId: string;
  readonly userCount: number;
  readonly expiresAt: number;
  readonly healthy: boolean;
  readonly detail?: string;
  /** Set when this ensure created the subscription or replaced an earlier one (for the Log Reader). */
  readonly replaced?: { readonly previousId?: string; readonly reason: string; readonly userIds: readonly string[] };
}

/**
 * Keeps presence change subscriptions covering exactly the given users, sharded ≤ 650 per
 * subscription across the tenant's subscription owners (delegated identities).
 */
export interface SubscriptionRegistry {
  /** Create / renew / recreate as needed so `userIds` are covered; idempotent. */
  ensure(userIds: readonly string[]): Promise<Result<readonly SubscriptionStatus[], ExternalFailure>>;
  /** A lifecycle notification arrived (reauthorizationRequired, subscriptionRemoved, missed). */
  onLifecycle(subscriptionId: string, event: string): Promise<void>;
  status(): Promise<readonly SubscriptionStatus[]>;
  /**
   * The stored subscriptions Graph no longer knows (removed without notice: presence gets no
   * subscriptionRemoved lifecycle event), found with one cheap read per subscription. Changes
   * nothing; `ensure` recreates them. A subscription whose read failed is not reported.
   */
  findDropped?(): Promise<readonly DroppedSubscription[]>;
}

/** A subscription of ours that Graph answered 404 for. */
export interface DroppedSubscription {
  readonly ownerId: string;
  readonly subscriptionId: string;
  readonly userIds: readonly string[];
}
