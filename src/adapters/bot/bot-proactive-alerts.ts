import { MessageFactory, type CloudAdapter } from '@microsoft/agents-hosting';
import type { AlertStateStore, Clock, ConversationRef, ConversationStore, Logger } from '../../application/ports.js';
import {
  mergeTransition,
  newerAnnounced,
  readBook,
  writeBook,
  type AlertBook,
  type Announced,
} from './bot-alert-state.js';
import { alertCard, type BotLinks } from './bot-cards.js';
import type { BotIdentity } from './bot-cloud-adapter.js';
import type { BotHealthTransition, BotQueries, BotScheduler, HealthTransitionSource } from './bot-queries.js';
import { continuationReference } from './bot-turn.js';

/** Alert pacing: the health model already debounces flaps; this bounds cards per tenant. */
export interface ProactiveAlertOptions {
  /** Transitions arriving within this window go out as one card. */
  readonly batchWindowMs: number;
  /** At most one card per tenant per interval; later transitions wait and are merged. */
  readonly minIntervalMs: number;
  /** Delivery attempts per conversation before a card is given up (logged as an error). Default 6. */
  readonly maxAttempts?: number;
  /** Delay before the first redelivery after a transient failure; doubles each time, a longer Retry-After wins. Default 10 s. */
  readonly retryBaseMs?: number;
  /** How often the shared store is read for alerts another instance left due (it died holding them). Default 5 s. */
  readonly sweepMs?: number;
}

/** Why a card did not reach a conversation. */
interface DeliveryFailure {
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly message: string;
  /** Another attempt cannot succeed (e.g. the stored reference is unusable). */
  readonly permanent?: boolean;
}

/** The Connector's answer from the Agents SDK's HttpError (status, Retry-After in seconds). */
function failureOf(err: unknown): DeliveryFailure {
  const e = (err ?? {}) as {
    status?: unknown;
    response?: { headers?: { get?: (name: string) => string | null | undefined } };
  };
  const retryAfter = Number(e.response?.headers?.get?.('retry-after') ?? Number.NaN);
  return {
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    message: err instanceof Error ? err.message : String(err),
  };
}

/** The transition from `from`, its `via` without repeats (ok → ok → down is ok → down). */
function withPath(t: BotHealthTransition, from: BotHealthTransition['from']): BotHealthTransition {
  const path: BotHealthTransition['from'][] = [];
  for (const status of [from, ...(t.via ?? []), t.to]) if (path[path.length - 1] !== status) path.push(status);
  const via = path.slice(1, -1).filter((x): x is BotHealthTransition['to'] => x !== 'unknown');
  const { via: _old, ...rest } = t;
  return { ...rest, from, ...(via.length > 0 && path.length > 1 ? { via } : {}) };
}

/** 403/404: the bot is no longer in that conversation. 400/413: the card itself is refused. Others may pass later. */
const isGone = (f: DeliveryFailure): boolean => f.status === 403 || f.status === 404;
const isPermanent = (f: DeliveryFailure): boolean => f.permanent === true || f.status === 400 || f.status === 413;

export interface ProactiveAlertDeps {
  readonly adapter: Pick<CloudAdapter, 'continueConversation'>;
  /** Who the cards are sent as (botIdentity: the app id, or anonymous in the Playground mode). */
  readonly identity: BotIdentity;
  readonly conversations: ConversationStore;
  /** The pacing state shared by the instances: a failover neither repeats nor loses an alert. */
  readonly alertStates: AlertStateStore;
  readonly queries: Pick<BotQueries, 'roleOf'>;
  readonly links: BotLinks;
  readonly scheduler: BotScheduler;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Sends a card to the admins' conversations when a component goes down or recovers.
 * Per tenant: transitions are batched, a component that returns to the status last announced
 * is dropped (net no change), and cards are at least `minIntervalMs` apart — no alert storms.
 *
 * With several instances the pacing state lives in the shared store too (alert_states): each
 * transition is added to the tenant's stored book, and the card is claimed from the book by a
 * versioned write before it is sent, so two instances never send the same alert, a new owner
 * does not repeat what the old one announced, and transitions a dead owner held back go out from
 * whichever instance next reads them as due. When the store is down (it may be the failing
 * component) this instance's own book stands in, so a store outage is still alerted.
 */
export class ProactiveAlerts {
  private readonly pending = new Map<string, Map<string, BotHealthTransition>>();
  private readonly announced = new Map<string, Map<string, Announced>>();
  /** Per tenant, the writes of transitions to the stored book, in order. */
  private readonly stored = new Map<string, Promise<void>>();
  /** Tenants with a transition the store did not take: their own book is merged in at the next claim. */
  private readonly unstored = new Set<string>();
  private sweepTimer: (() => void) | undefined;
  private readonly sweepMs: number;
  private readonly timers = new Map<string, () => void>();
  private readonly lastSent = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retries = new Set<() => void>();
  /** After stop() nothing new is scheduled (a send in flight at shutdown must not leave a retry timer behind). */
  private stopped = false;
  private readonly knownRecipients = new Map<string, readonly ConversationRef[]>();
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly deps: ProactiveAlertDeps,
    private readonly options: ProactiveAlertOptions = { batchWindowMs: 5_000, minIntervalMs: 300_000 },
  ) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.retryBaseMs = options.retryBaseMs ?? 10_000;
    this.sweepMs = options.sweepMs ?? 5_000;
  }

  /** Listen to a transition source (and sweep the store for due alerts); returns the unsubscribe function. */
  start(source: HealthTransitionSource): () => void {
    this.armSweep();
    return source.onTransition((t) => this.accept(t));
  }

  accept(transition: BotHealthTransition): void {
    if (this.stopped) return;
    const perTenant = this.pending.get(transition.tenantId) ?? new Map<string, BotHealthTransition>();
    this.pending.set(transition.tenantId, perTenant);
    mergeTransition(perTenant, transition);
    if (!this.timers.has(transition.tenantId)) this.schedule(transition.tenantId);
    const tenantId = transition.tenantId;
    const write = (this.stored.get(tenantId) ?? Promise.resolve()).then(() => this.store(transition));
    this.stored.set(tenantId, write);
    this.track(write, tenantId);
  }

  /** Adds the transition to the tenant's stored book (due when this instance would send it). */
  private async store(t: BotHealthTransition): Promise<void> {
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        const row = await this.deps.alertStates.get(t.tenantId);
        const book = readBook(row?.state);
        mergeTransition(book.pending, t);
        const earliest = (book.lastSent ?? -Infinity) + this.options.minIntervalMs;
        const dueAt = row?.dueAt ?? Math.max(this.deps.clock.now() + this.options.batchWindowMs, earliest);
        if (await this.deps.alertStates.put(t.tenantId, writeBook(book), dueAt, row?.version ?? 0)) return;
      }
      throw new Error('the stored alert state kept changing under this write');
    } catch (err) {
      this.unstored.add(t.tenantId);
      this.deps.logger.warn(
        { tenantId: t.tenantId, component: t.component, err: String(err) },
        'health alert not shared with the other instances: this instance sends it from its own state',
      );
    }
  }

  private armSweep(): void {
    if (this.stopped || this.sweepTimer) return;
    this.sweepTimer = this.deps.scheduler.after(this.sweepMs, () => {
      this.sweepTimer = undefined;
      const sweep = this.sweep().finally(() => this.armSweep());
      this.track(sweep, '*');
    });
  }

  /** Alerts due in the store that no timer here covers (another instance held them, and is gone). */
  private async sweep(): Promise<void> {
    let due: readonly string[] = [];
    try {
      due = await this.deps.alertStates.due(this.deps.clock.now());
    } catch {
      return;
    }
    for (const tenantId of due) if (!this.timers.has(tenantId) && !this.stopped) this.startFlush(tenantId);
  }

  /** Resolves when every flush started so far has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
    this.sweepTimer?.();
    this.sweepTimer = undefined;
    for (const cancel of [...this.timers.values(), ...this.retries]) cancel();
    this.timers.clear();
    this.retries.clear();
  }

  private schedule(tenantId: string): void {
    const now = this.deps.clock.now();
    const earliest = (this.lastSent.get(tenantId) ?? -Infinity) + this.options.minIntervalMs;
    const delay = Math.max(this.options.batchWindowMs, earliest - now);
    this.timers.set(
      tenantId,
      this.deps.scheduler.after(delay, () => this.startFlush(tenantId)),
    );
  }

  private startFlush(tenantId: string): void {
    this.timers.delete(tenantId);
    this.track(this.flush(tenantId), tenantId);
  }

  private track(work: Promise<unknown>, tenantId: string): void {
    const run = work.then(
      () => undefined,
      (err: unknown) => this.deps.logger.error({ tenantId, err: String(err) }, 'proactive alert failed'),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async flush(tenantId: string): Promise<void> {
    await this.stored.get(tenantId);
    const recipients = await this.recipients(tenantId);
    if (!recipients) {
      if (this.stopped) return;
      // Nothing announced yet: the transitions stay pending and go out in a later card.
      this.timers.set(
        tenantId,
        this.deps.scheduler.after(this.retryBaseMs, () => this.startFlush(tenantId)),
      );
      return;
    }
    const changes = await this.claim(tenantId);
    if (changes.length === 0) return;
    if (recipients.length === 0) {
      this.deps.logger.warn(
        { tenantId, changes: changes.length },
        'health alert not sent: no admin has the bot installed (admins are known once they open the Presence Sync tab)',
      );
      return;
    }
    const card = alertCard(changes, this.deps.links);
    let delivered = 0;
    for (const ref of recipients) if (await this.send(ref, card, 1)) delivered++;
    this.deps.logger.info(
      { tenantId, changes: changes.length, conversations: recipients.length, delivered },
      'proactive health alert sent',
    );
  }

  /**
   * Takes the tenant's pending transitions for one card: from the stored book by a versioned
   * write (another instance that claimed them first leaves nothing here), else from this
   * instance's own book when the store cannot be read or written.
   */
  private async claim(tenantId: string): Promise<BotHealthTransition[]> {
    const own: AlertBook = {
      pending: this.pending.get(tenantId) ?? new Map(),
      announced: this.announced.get(tenantId) ?? new Map(),
      ...(this.lastSent.has(tenantId) ? { lastSent: this.lastSent.get(tenantId)! } : {}),
    };
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        const row = await this.deps.alertStates.get(tenantId);
        const book = readBook(row?.state);
        if (this.unstored.has(tenantId))
          for (const [c, t] of own.pending) if (!book.pending.has(c)) book.pending.set(c, t);
        const earliest = (book.lastSent ?? -Infinity) + this.options.minIntervalMs;
        const now = this.deps.clock.now();
        if (book.pending.size > 0 && now < earliest) {
          // Another instance sent a card a moment ago: this one waits out the interval.
          this.pending.delete(tenantId);
          this.lastSent.set(tenantId, book.lastSent!);
          if (!this.timers.has(tenantId)) this.schedule(tenantId);
          return [];
        }
        const announced = newerAnnounced(own.announced, book.announced);
        const changes = this.netChanges(book.pending, announced);
        const next: AlertBook = { pending: new Map(), announced, ...(changes.length > 0 ? { lastSent: now } : {}) };
        if (changes.length === 0 && book.lastSent !== undefined) next.lastSent = book.lastSent;
        if (!(await this.deps.alertStates.put(tenantId, writeBook(next), undefined, row?.version ?? 0))) continue;
        this.unstored.delete(tenantId);
        this.pending.delete(tenantId);
        this.announced.set(tenantId, announced);
        if (next.lastSent !== undefined) this.lastSent.set(tenantId, next.lastSent);
        return changes;
      }
      throw new Error('the stored alert state kept changing under this claim');
    } catch (err) {
      this.deps.logger.warn(
        { tenantId, err: String(err) },
        'alert state not readable in the store: alerting from this instance',
      );
      this.pending.delete(tenantId);
      const changes = this.netChanges(own.pending, own.announced);
      this.announced.set(tenantId, own.announced);
      if (changes.length > 0) this.lastSent.set(tenantId, this.deps.clock.now());
      return changes;
    }
  }

  /**
   * Pending transitions, each from what was last announced, with the statuses passed through on
   * the way; `announced` is updated. Dropped: no change at all, and first reports of a healthy
   * component (nothing went wrong). Kept: an outage that began and ended while a card was held
   * back by the pacing — the health model only lets through statuses that held for its debounce.
   */
  private netChanges(
    pending: ReadonlyMap<string, BotHealthTransition>,
    announced: Map<string, Announced>,
  ): BotHealthTransition[] {
    const now = this.deps.clock.now();
    const changes = [...pending.values()]
      .map((t) => withPath(t, announced.get(t.component)?.status ?? t.from))
      .filter(
        (t) =>
          (t.from !== t.to || (t.via?.length ?? 0) > 0) && !(t.from === 'unknown' && t.to === 'ok' && !t.via?.length),
      );
    for (const t of pending.values()) announced.set(t.component, { status: t.to, at: now });
    return changes;
  }

  /**
   * The admins' conversations. They live in the store, which may be the component that is down:
   * then the last list read stands in, and without one there is no list (the caller waits).
   */
  private async recipients(tenantId: string): Promise<readonly ConversationRef[] | undefined> {
    try {
      const admins: ConversationRef[] = [];
      for (const ref of await this.deps.conversations.list(tenantId)) {
        if (ref.installedBy && (await this.deps.queries.roleOf(tenantId, ref.installedBy)) === 'admin')
          admins.push(ref);
      }
      this.knownRecipients.set(tenantId, admins);
      return admins;
    } catch (err) {
      const known = this.knownRecipients.get(tenantId);
      this.deps.logger.warn(
        { tenantId, err: String(err), known: known?.length ?? 0 },
        known
          ? 'admin conversations unreadable: alerting the ones read before'
          : 'admin conversations unreadable: alert held back',
      );
      return known;
    }
  }

  /**
   * One delivery attempt; true when the Connector took the card. A transient failure (429, 5xx,
   * network) schedules another attempt, so an outage of the Connector delays an alert but does
   * not lose it; the recovery card of a fault must reach the admin as surely as the fault card.
   */
  private async send(ref: ConversationRef, card: ReturnType<typeof alertCard>, attempt: number): Promise<boolean> {
    const failure = await this.deliver(ref, card);
    if (!failure) return true;
    const log = {
      tenantId: ref.tenantId,
      conversationId: ref.conversationId,
      status: failure.status,
      attempt,
      err: failure.message,
    };
    if (isGone(failure)) {
      this.deps.logger.warn(log, 'alert not delivered: the bot was removed from that conversation; forgetting it');
      this.knownRecipients.set(
        ref.tenantId,
        (this.knownRecipients.get(ref.tenantId) ?? []).filter((r) => r.conversationId !== ref.conversationId),
      );
      await this.deps.conversations.remove(ref.tenantId, ref.conversationId);
    } else if (isPermanent(failure) || attempt >= this.maxAttempts || this.stopped) {
      this.deps.logger.error(log, 'alert not delivered: giving up');
    } else {
      const delay = Math.max(failure.retryAfterMs ?? 0, this.retryBaseMs * 2 ** (attempt - 1));
      this.deps.logger.warn({ ...log, retryInMs: delay }, 'alert not delivered: will retry');
      const cancel = this.deps.scheduler.after(delay, () => {
        this.retries.delete(cancel);
        this.track(this.send(ref, card, attempt + 1), ref.tenantId);
      });
      this.retries.add(cancel);
    }
    return false;
  }

  /**
   * The adapter hands an error thrown inside a continued conversation to its onTurnError, which
   * logs and swallows it: the failure is caught inside the callback to be seen here.
   */
  private async deliver(
    ref: ConversationRef,
    card: ReturnType<typeof alertCard>,
  ): Promise<DeliveryFailure | undefined> {
    const reference = continuationReference(ref.reference);
    if (!reference) return { message: 'the stored conversation reference is unusable', permanent: true };
    let failure: DeliveryFailure | undefined;
    try {
      await this.deps.adapter.continueConversation(this.deps.identity, reference, async (context) => {
        // A new message, not a reply to the synthetic continuation event the SDK made up.
        context.onSendActivities(async (_ctx, activities, next) => {
          for (const activity of activities) delete activity.replyToId;
          return next();
        });
        try {
          await context.sendActivity(MessageFactory.attachment(card));
        } catch (err) {
          failure = failureOf(err);
        }
      });
    } catch (err) {
      failure = failureOf(err);
    }
    return failure;
  }
}
