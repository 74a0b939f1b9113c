import type { InboxEntry } from '../ports.js';
import type { SyncEngineDeps, SyncEngineOptions } from './engine-options.js';
import { prefetchAgents, type PrefetchedAgent } from './agent-prefetch.js';
import type { EntryProcessor } from './entry-processor.js';
import { KeyedQueue, type Slot } from './keyed-queue.js';
import { backoffMs, sleep } from './retry.js';
import { isUnopened, SealedEntries, type UnopenedEntry } from './sealed-entries.js';
import { needsPresenceRead } from './teams-events.js';
import type { TenantRuntime } from './tenant-runtime.js';

/**
 * Moves inbox entries into the keyed queue: per tenant, at most `maxQueuedPerTenant` in memory
 * (the durable inbox holds the rest — back-pressure never loses anything), keyed by agent so one
 * agent's events run in order, lanes by tenant so tenants take turns.
 */
export class InboxPump {
  readonly queue: KeyedQueue;
  private readonly sealed: SealedEntries;

  constructor(
    private readonly deps: SyncEngineDeps,
    private readonly options: SyncEngineOptions,
    private readonly processor: EntryProcessor,
    private readonly tenantOf: (tenantId: string) => TenantRuntime | undefined,
  ) {
    this.sealed = new SealedEntries(deps);
    this.queue = new KeyedQueue(options.concurrency, (error) => deps.logger.error({ err: error }, 'sync task crashed'));
    this.queue.onTaskDone((tenantId) => {
      const tenant = this.tenantOf(tenantId);
      // Refill at the low-water mark, and only when the last pull left entries behind in the inbox.
      if (tenant?.backlog && this.queue.size(tenantId) <= this.options.maxQueuedPerTenant / 2) void this.pump(tenant);
    });
  }

  /** Pulls what fits; concurrent calls coalesce into one more round. */
  async pump(tenant: TenantRuntime): Promise<void> {
    tenant.backlog = true;
    if (tenant.pulling) {
      tenant.pullAgain = true;
      return;
    }
    tenant.pulling = true;
    try {
      do {
        tenant.pullAgain = false;
        await this.pullOnce(tenant);
      } while (tenant.pullAgain && !tenant.stopped);
    } catch (error) {
      tenant.health.report(
        'store',
        'down',
        `inbox read failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.deps.logger.warn({ err: error, tenantId: tenant.tenantId }, 'inbox pull failed; retried at the next poll');
    } finally {
      tenant.pulling = false;
    }
  }

  /**
   * Reads from the inbox's start when nothing is in flight or at least once per poll period;
   * otherwise only what arrived after the last pull, so a busy tenant's wakes do not read (and
   * decode) again the hundreds of entries being processed. The full read catches what the
   * incremental one cannot see: an agent's entries that waited for a retry, and an entry another
   * instance committed after a later one (PostgreSQL sequences are not commit-ordered).
   */
  private async pullOnce(tenant: TenantRuntime): Promise<void> {
    const room = this.options.maxQueuedPerTenant - this.queue.size(tenant.tenantId);
    if (room <= 0 || tenant.stopped) return;
    const now = this.deps.clock.now();
    const full =
      tenant.inFlight.size === 0 ||
      now - tenant.fullPullAt >= (this.options.fullRereadMs ?? this.options.pollIntervalMs);
    const limit = full ? tenant.inFlight.size + room : room;
    if (full) tenant.fullPullAt = now;
    const pending = await this.deps.store.inbox.pending(tenant.tenantId, limit, full ? undefined : tenant.pulledUpTo);
    tenant.backlog = pending.length >= limit;
    const fresh = pending.filter((e) => !tenant.inFlight.has(e.seq)).slice(0, room);
    if (fresh.length === 0) return;
    // Rich notifications were stored encrypted; they are opened first, as one batch, off the webhook's ack.
    const opened = await this.sealed.open(tenant, fresh);
    const entries = await this.preRead(
      tenant,
      opened.filter((e): e is InboxEntry => !isUnopened(e)),
    );
    const ready = new Map(entries.map((e) => [e.seq, e]));
    // Without the bulk read each entry reads its agent itself (and fails there if the store is down).
    const loads = await prefetchAgents(this.deps.store, tenant, entries, this.deps.clock.now()).catch(
      () => new Map<number, PrefetchedAgent>(),
    );
    // In the pull's order: an unopened entry is dropped in its agent's turn, like any other.
    for (const item of opened) {
      const entry = isUnopened(item) ? item.entry : (ready.get(item.seq) ?? item);
      tenant.inFlight.add(entry.seq);
      tenant.agentEntered(entry.agentId);
      this.queue.push(tenant.tenantId, entry.agentId, (slot) =>
        isUnopened(item) ? this.dropUnopened(tenant, item) : this.run(tenant, entry, slot, loads.get(entry.seq)),
      );
    }
    tenant.pulledUpTo = Math.max(tenant.pulledUpTo, (fresh.at(-1) as InboxEntry).seq);
    if (tenant.backlog && fresh.length === room) tenant.pullAgain = true;
  }

  /** Notifications without resource data: one batched presence read for the whole pull. */
  private async preRead(tenant: TenantRuntime, entries: readonly InboxEntry[]): Promise<readonly InboxEntry[]> {
    const userIds = [...new Set(entries.flatMap((e) => (needsPresenceRead(e.event) ? [e.event.teamsUserId] : [])))];
    if (userIds.length === 0) return entries;
    const read = await tenant.ports.presence.read(userIds);
    if (!read.ok) return entries;
    const byUser = new Map(read.value.map((p) => [p.userId, p]));
    return entries.map((entry) => {
      const event = entry.event;
      const observed = needsPresenceRead(event) ? byUser.get(event.teamsUserId) : undefined;
      if (!needsPresenceRead(event) || !observed) return entry;
      const seq = observed.sequenceNumber !== undefined ? { sequenceNumber: observed.sequenceNumber } : {};
      return { ...entry, event: { ...event, presence: observed.presence, ...seq } };
    });
  }

  /** Marked done untouched; if the store fails, the entry is still pending and the next pull tries again. */
  private async dropUnopened(tenant: TenantRuntime, { entry, failure }: UnopenedEntry): Promise<void> {
    try {
      await this.processor.drop(
        tenant,
        entry,
        `Teams: notification dropped, its resource data could not be trusted (${failure.code}: ${failure.message})`,
        { code: failure.code, message: failure.message },
      );
    } catch (error) {
      this.deps.logger.warn(
        { err: error, tenantId: tenant.tenantId, agentId: entry.agentId, seq: entry.seq },
        'dropping an unopened notification failed; tried again at the next pull',
      );
    } finally {
      tenant.inFlight.delete(entry.seq);
      tenant.agentLeft(entry.agentId);
    }
  }

  /** Store errors and unreadable presences are retried in place, keeping the agent's order. */
  private async run(
    tenant: TenantRuntime,
    entry: InboxEntry,
    slot: Slot,
    prefetched: PrefetchedAgent | undefined,
  ): Promise<void> {
    try {
      for (let attempt = 1; !tenant.stopped; attempt += 1) {
        try {
          // A retry reads the agent again: the first attempt may have failed on what was read.
          await this.processor.process(tenant, entry, slot, attempt === 1 ? prefetched : undefined);
          return;
        } catch (error) {
          if (tenant.stopped) return;
          if (attempt >= this.options.maxAttempts) {
            await this.processor.abandon(tenant, entry, error);
            return;
          }
          this.deps.logger.warn(
            { err: error, tenantId: tenant.tenantId, agentId: entry.agentId, seq: entry.seq, attempt },
            'processing failed; retrying',
          );
          const delay = backoffMs(attempt, {
            baseMs: this.options.backoffBaseMs,
            maxMs: this.options.backoffMaxMs,
            random: this.deps.random?.() ?? 0.5,
          });
          await slot.pause(sleep(this.deps.scheduler, delay, tenant.stopping));
        }
      }
    } finally {
      tenant.inFlight.delete(entry.seq);
      tenant.agentLeft(entry.agentId);
    }
  }
}
