import type {
  Clock,
  ExternalFailure,
  ObservedPresence,
  PresenceDesire,
  PresenceGateway,
  PresenceNotification,
  PresenceWriteOutcome,
  SubscriptionRegistry,
  DroppedSubscription,
  SubscriptionStatus,
} from '../../../src/application/ports.js';
import type { TeamsPresence } from '../../../src/domain/presence.js';
import { err, ok, type Result } from '../../../src/domain/result.js';

interface User {
  /** What the user's own clients show (hand-set status, meetings). */
  own: TeamsPresence;
  session: TeamsPresence | null;
  preferred: TeamsPresence | null;
  seq: number;
}

const AVAILABLE: TeamsPresence = { availability: 'Available', activity: 'Available' };

/**
 * One tenant's Teams presence and subscriptions in memory. Aggregation is simplified: the
 * preferred layer, else our session, else what the user's own clients show. Writes can be held
 * (to observe concurrency) and failures scripted per user.
 */
export class FakeGraph implements PresenceGateway, SubscriptionRegistry {
  readonly users = new Map<string, User>();
  /** Every write call, as it arrives. */
  readonly writes: { desire: PresenceDesire; at: number }[] = [];
  /** Writes that changed Teams (after any hold). */
  readonly applied: { desire: PresenceDesire; at: number }[] = [];
  readonly reads: string[][] = [];
  readonly ensureCalls: string[][] = [];
  /** The users of the subscription Graph dropped (what a stored row still names). */
  private droppedUsers: string[] = [];
  dropChecks = 0;
  /** Scripted write failures per user, consumed in order. */
  readonly writeFailures = new Map<string, ExternalFailure[]>();
  readFailure: ExternalFailure | undefined;
  holdWrites = false;
  /** Answer writes on a later turn of the event loop (as a network call would), so they overlap. */
  asyncWrites = false;
  private held: (() => void)[] = [];
  private readonly lastByUser = new Map<string, Promise<unknown>>();
  covered = new Set<string>();
  private maxConcurrent = 0;
  private inFlight = 0;

  /** `tenantLog`: shared across tenants' fakes, gets this tenant's id at each applied write (cross-tenant order). */
  constructor(
    readonly tenantId: string,
    private readonly clock: Clock,
    private readonly tenantLog: string[] = [],
  ) {}

  addUser(userId: string, own: TeamsPresence = AVAILABLE): void {
    this.users.set(userId, { own, session: null, preferred: null, seq: 1 });
  }

  shown(userId: string): TeamsPresence | undefined {
    const u = this.users.get(userId);
    return u && (u.preferred ?? u.session ?? u.own);
  }

  /** The user changes their own status; returns the notification Graph would send. */
  userSets(userId: string, presence: TeamsPresence, withResourceData = true): PresenceNotification {
    const u = this.user(userId);
    u.own = presence;
    u.seq += 1;
    return this.notification(userId, withResourceData);
  }

  notification(userId: string, withResourceData = true): PresenceNotification {
    const u = this.user(userId);
    return {
      subscriptionId: 'sub-1',
      tenantId: this.tenantId,
      userId,
      receivedAt: this.clock.now(),
      ...(withResourceData ? { presence: this.shown(userId) as TeamsPresence, sequenceNumber: seqOf(u.seq) } : {}),
    };
  }

  releaseWrites(): void {
    const held = this.held;
    this.held = [];
    for (const release of held) release();
  }

  /** The process holding these requests died: they never reach Graph and never answer. */
  abandonHeldWrites(): void {
    this.held = [];
    this.lastByUser.clear();
  }

  get heldWrites(): number {
    return this.held.length;
  }

  get peakConcurrentWrites(): number {
    return this.maxConcurrent;
  }

  /** One write per user at a time, in call order (the gateway's contract; GraphPresenceWriter keeps it). */
  write(desire: PresenceDesire): Promise<Result<PresenceWriteOutcome, ExternalFailure>> {
    const prior = this.lastByUser.get(desire.userId);
    const run = (prior ? prior.then(() => this.writeNow(desire)) : this.writeNow(desire)).finally(() => {
      if (this.lastByUser.get(desire.userId) === run) this.lastByUser.delete(desire.userId);
    });
    this.lastByUser.set(desire.userId, run);
    return run;
  }

  private async writeNow(desire: PresenceDesire): Promise<Result<PresenceWriteOutcome, ExternalFailure>> {
    this.writes.push({ desire, at: this.clock.now() });
    this.inFlight += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    try {
      if (this.holdWrites) await new Promise<void>((resolve) => this.held.push(resolve));
      if (this.asyncWrites) await new Promise<void>((resolve) => setImmediate(resolve));
      const failure = this.writeFailures.get(desire.userId)?.shift();
      if (failure) return err(failure);
      const u = this.user(desire.userId);
      this.applied.push({ desire, at: this.clock.now() });
      this.tenantLog.push(this.tenantId);
      if (desire.preferred) u.preferred = desire.presence;
      else u.session = desire.presence;
      u.seq += 1;
      return ok({ status: 'written', latencyMs: 0, httpStatus: 200 });
    } finally {
      this.inFlight -= 1;
    }
  }

  async read(userIds: readonly string[]): Promise<Result<readonly ObservedPresence[], ExternalFailure>> {
    this.reads.push([...userIds]);
    if (this.readFailure) return err(this.readFailure);
    return ok(
      userIds
        .filter((id) => this.users.has(id))
        .map((id) => ({
          userId: id,
          presence: this.shown(id) as TeamsPresence,
          sequenceNumber: seqOf(this.user(id).seq),
        })),
    );
  }

  async ensure(userIds: readonly string[]): Promise<Result<readonly SubscriptionStatus[], ExternalFailure>> {
    this.ensureCalls.push([...userIds]);
    this.covered = new Set(userIds);
    return ok(await this.status());
  }

  async onLifecycle(): Promise<void> {}

  async status(): Promise<readonly SubscriptionStatus[]> {
    if (this.covered.size === 0) return [];
    return [
      {
        ownerId: 'owner-1',
        subscriptionId: 'sub-1',
        userCount: this.covered.size,
        expiresAt: this.clock.now() + 3600_000,
        healthy: true,
      },
    ];
  }

  /** Graph drops the subscription without telling anyone. */
  dropSubscriptions(): void {
    this.droppedUsers = [...this.covered];
    this.covered = new Set();
  }

  /** A GET of the stored subscription answers 404 after a drop, until `ensure` recreates it. */
  async findDropped(): Promise<readonly DroppedSubscription[]> {
    this.dropChecks += 1;
    return this.covered.size === 0 && this.droppedUsers.length > 0
      ? [{ ownerId: 'owner-1', subscriptionId: 'sub-1', userIds: this.droppedUsers }]
      : [];
  }

  private user(userId: string): User {
    const u = this.users.get(userId);
    if (!u) throw new Error(`unknown Teams user ${userId}`);
    return u;
  }
}

const seqOf = (n: number): string => String(n).padStart(12, '0');

export const throttled = (retryAfterMs: number): ExternalFailure => ({
  system: 'graph',
  status: 429,
  code: 'TooManyRequests',
  message: 'throttled',
  retryAfterMs,
  transient: true,
});
export const forbidden = (): ExternalFailure => ({
  system: 'graph',
  status: 403,
  code: 'Forbidden',
  message: 'missing Presence.ReadWrite.All',
  transient: false,
});
