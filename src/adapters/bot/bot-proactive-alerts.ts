import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Clock, ConversationRef, ConversationStore, Logger } from '../../application/ports.js';
import { alertCard, type BotLinks } from './bot-cards.js';
import type { BotHealthTransition, BotQueries, BotScheduler, HealthTransitionSource } from './bot-queries.js';

/** Alert pacing: the health model already debounces flaps; this bounds cards per tenant. */
export interface ProactiveAlertOptions {
  /** Transitions arriving within this window go out as one card. */
  readonly batchWindowMs: number;
  /** At most one card per tenant per interval; later transitions wait and are merged. */
  readonly minIntervalMs: number;
}

export interface ProactiveAlertDeps {
  readonly adapter: Pick<CloudAdapter, 'continueConversationAsync'>;
  /** The bot's app id ('' when auth is disabled in the sandbox). */
  readonly appId: string;
  readonly conversations: ConversationStore;
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
 */
export class ProactiveAlerts {
  private readonly pending = new Map<string, Map<string, BotHealthTransition>>();
  private readonly announced = new Map<string, Map<string, BotHealthTransition['from']>>();
  private readonly timers = new Map<string, () => void>();
  private readonly lastSent = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: ProactiveAlertDeps, private readonly options: ProactiveAlertOptions = { batchWindowMs: 5_000, minIntervalMs: 300_000 }) {}

  /** Listen to a transition source; returns the unsubscribe function. */
  start(source: HealthTransitionSource): () => void {
    return source.onTransition((t) => this.accept(t));
  }

  accept(transition: BotHealthTransition): void {
    const perTenant = this.pending.get(transition.tenantId) ?? new Map<string, BotHealthTransition>();
    this.pending.set(transition.tenantId, perTenant);
    const first = perTenant.get(transition.component);
    perTenant.set(transition.component, first ? { ...transition, from: first.from } : transition);
    if (!this.timers.has(transition.tenantId)) this.schedule(transition.tenantId);
  }

  /** Resolves when every flush started so far has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private schedule(tenantId: string): void {
    const now = this.deps.clock.now();
    const earliest = (this.lastSent.get(tenantId) ?? -Infinity) + this.options.minIntervalMs;
    const delay = Math.max(this.options.batchWindowMs, earliest - now);
    this.timers.set(tenantId, this.deps.scheduler.after(delay, () => this.startFlush(tenantId)));
  }

  private startFlush(tenantId: string): void {
    this.timers.delete(tenantId);
    const run = this.flush(tenantId).catch((err: unknown) => this.deps.logger.error({ tenantId, err: String(err) }, 'proactive alert failed'));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async flush(tenantId: string): Promise<void> {
    const changes = this.netChanges(tenantId);
    if (changes.length === 0) return;
    this.lastSent.set(tenantId, this.deps.clock.now());
    const recipients = await this.recipients(tenantId);
    const card = alertCard(changes, this.deps.links);
    for (const ref of recipients) await this.send(ref, card);
    this.deps.logger.info({ tenantId, changes: changes.length, conversations: recipients.length }, 'proactive health alert sent');
  }

  /**
   * Pending transitions, each from what was last announced, minus the ones that ended where
   * they started (a flap) and first reports of a healthy component (nothing went wrong).
   */
  private netChanges(tenantId: string): BotHealthTransition[] {
    const pending = [...(this.pending.get(tenantId)?.values() ?? [])];
    this.pending.delete(tenantId);
    const announced = this.announced.get(tenantId) ?? new Map<string, BotHealthTransition['from']>();
    this.announced.set(tenantId, announced);
    const changes = pending
      .map((t) => ({ ...t, from: announced.get(t.component) ?? t.from }))
      .filter((t) => t.from !== t.to && !(t.from === 'unknown' && t.to === 'ok'));
    for (const t of pending) announced.set(t.component, t.to);
    return changes;
  }

  private async recipients(tenantId: string): Promise<ConversationRef[]> {
    const all = await this.deps.conversations.list(tenantId);
    const admins: ConversationRef[] = [];
    for (const ref of all) {
      if (ref.installedBy && (await this.deps.queries.roleOf(tenantId, ref.installedBy)) === 'admin') admins.push(ref);
    }
    return admins;
  }

  private async send(ref: ConversationRef, card: ReturnType<typeof alertCard>): Promise<void> {
    try {
      await this.deps.adapter.continueConversationAsync(this.deps.appId, ref.reference as Partial<ConversationReference>, async (context) => {
        // A new message, not a reply to the synthetic continuation event botbuilder made up.
        context.onSendActivities(async (_ctx, activities, next) => {
          for (const activity of activities) delete activity.replyToId;
          return next();
        });
        await context.sendActivity({ type: 'message', attachments: [card] });
      });
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      this.deps.logger.warn({ tenantId: ref.tenantId, conversationId: ref.conversationId, status, err: String(err) }, 'alert not delivered');
      // 403/404: the bot was removed from that conversation without us seeing the uninstall.
      if (status === 403 || status === 404) await this.deps.conversations.remove(ref.tenantId, ref.conversationId);
    }
  }
}
