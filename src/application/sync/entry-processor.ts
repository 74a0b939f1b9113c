import type { SyncEvent } from '../../domain/effects.js';
import { notShown, type NotShown } from '../../domain/shown-presence.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { InboxEntry } from '../ports.js';
import { traceIdOf } from '../trace/trace-ids.js';
import { summarize } from './decision-summary.js';
import type { SyncEngineDeps, SyncEngineOptions } from './engine-options.js';
import type { PrefetchedAgent } from './agent-prefetch.js';
import { EffectExecutor, type EffectsOutcome } from './effect-executor.js';
import type { PresenceDelivery } from './presence-delivery.js';
import type { Slot } from './keyed-queue.js';
import { reevaluationOf } from './reobserve.js';
import { traceReevaluation } from './reevaluation-trace.js';
import { needsPresenceRead } from './teams-events.js';
import type { TenantConfig, TenantRuntime } from './tenant-runtime.js';

/** Thrown when an event cannot be processed yet (e.g. its presence could not be read): retried. */
class RetryLater extends Error {
  readonly code = 'SYNC.RETRY_LATER';
}

/**
 * Processes one inbox entry: load the agent, resolve the rule, decide (domain), carry out the
 * effects, then persist the next state and mark the entry done in one store call. Replays are
 * harmless: the inbox dedupes event ids and decide drops what the state already reflects.
 */
export class EntryProcessor {
  private readonly executor: EffectExecutor;

  constructor(
    private readonly deps: SyncEngineDeps,
    private readonly options: SyncEngineOptions,
    private readonly scheduleRecheck: (tenant: TenantRuntime, agentId: string, at: number) => void,
    delivery: PresenceDelivery,
  ) {
    this.executor = new EffectExecutor(deps, options, delivery);
  }

  async process(tenant: TenantRuntime, entry: InboxEntry, slot: Slot, prefetched?: PrefetchedAgent): Promise<void> {
    const traceId = traceIdOf(entry.event.eventId);
    const change = reevaluationOf(entry.event.eventId);
    const agent = await this.loadAgent(tenant, entry.agentId, prefetched);
    const event = await this.withPresence(tenant, entry.event);
    const config = await this.config(tenant, change);
    const resolution = this.deps.policy.resolveRule(
      { agentId: agent.agentId, ...(agent.teamId !== undefined ? { teamId: agent.teamId } : {}) },
      config.rules,
    );
    const base = { tenantId: tenant.tenantId, agentId: agent.agentId, teamsUserId: agent.teamsUserId, traceId };
    const decision = this.deps.policy.decide({
      rule: resolution.rule,
      agent,
      event,
      now: this.deps.clock.now(),
      syncEnabled: config.syncEnabled,
    });
    if (change === undefined) {
      this.deps.trace.record({
        ...base,
        hop: 'rule.resolved',
        summary: resolution.rule
          ? `Rule "${resolution.rule.name}": ${resolution.explanation}`
          : `No rule: ${resolution.explanation}`,
        data: { ruleId: resolution.rule?.id ?? null, considered: resolution.considered },
      });
      const hidden = hiddenOurs(agent, event);
      this.deps.trace.record({
        ...base,
        hop: 'decision',
        summary: `${summarize(decision.effects)}${hidden ? ` (Teams does not show our ${hidden.ours}: ${hidden.reason})` : ''}`,
        data: {
          effects: decision.effects,
          eventId: event.eventId,
          source: event.source,
          ...(hidden ? { notShown: hidden.notShown } : {}),
        },
      });
    } else {
      traceReevaluation(this.deps.trace, {
        ...base,
        tenant,
        change,
        agent,
        event,
        rule: resolution.rule,
        explanation: resolution.explanation,
        effects: decision.effects,
      });
    }
    const outcome = await this.executor.run(decision.effects, {
      tenant,
      entry,
      agent,
      traceId,
      slot,
      concise: change !== undefined,
      scheduleRecheck: (at) => this.scheduleRecheck(tenant, agent.agentId, at),
      published: decision.next.published,
    });
    // The agent stays locked until its state is committed (its next entry reads it), but the worker
    // is free meanwhile: with a group-committing store, entries finishing while a commit runs join
    // the next one, so a burst commits in groups as large as the queue rather than the worker count.
    await slot.pause(
      this.deps.store.inbox.complete(entry.seq, tenant.tenantId, keepFailed(agent, decision.next, outcome)),
    );
  }

  /** Gives up on an entry that kept failing: recorded, marked done, the agent's state untouched. */
  async abandon(tenant: TenantRuntime, entry: InboxEntry, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.drop(tenant, entry, `Event dropped after ${this.options.maxAttempts} attempts: ${message}`, { message });
  }

  /**
   * Marks an entry done without acting on it, the agent's state untouched, with an error line on
   * its trace. Runs in the agent's slot: the state written back is the one its earlier entries left.
   */
  async drop(tenant: TenantRuntime, entry: InboxEntry, summary: string, data: Record<string, unknown>): Promise<void> {
    this.deps.trace.record({
      tenantId: tenant.tenantId,
      agentId: entry.agentId,
      traceId: traceIdOf(entry.event.eventId),
      hop: 'error',
      summary,
      data: { eventId: entry.event.eventId, ...data },
    });
    const agent = await this.deps.store.agentStates.get(tenant.tenantId, entry.agentId);
    await this.deps.store.inbox.complete(entry.seq, tenant.tenantId, agent ?? { agentId: entry.agentId });
  }

  private async loadAgent(
    tenant: TenantRuntime,
    agentId: string,
    prefetched: PrefetchedAgent | undefined,
  ): Promise<AgentSyncState> {
    // Links change under the engine (admin mapping): the store's link is the truth at each event,
    // or a read of it no older than the configuration cache and not outdated by a reevaluate.
    const usable =
      prefetched !== undefined &&
      prefetched.epoch === tenant.configEpoch &&
      this.deps.clock.now() - prefetched.at < this.options.configCacheMs;
    const stored = (usable ? prefetched.stored : await this.deps.store.agentStates.get(tenant.tenantId, agentId)) ?? {
      agentId,
    };
    const teamsUserId = usable
      ? prefetched.teamsUserId
      : (await this.deps.store.userLinks.byAgent(tenant.tenantId, agentId))?.teamsUserId;
    const teamId = stored.teamId ?? (await this.teamOf(tenant, agentId));
    return withIdentity(stored, teamsUserId, teamId);
  }

  /**
   * From one directory listing shared by every agent without a stored team: listing and scanning
   * per agent was O(n²) on the first sight of 10k agents (10k listings of 10k agents).
   */
  private async teamOf(tenant: TenantRuntime, agentId: string): Promise<string | undefined> {
    const teams = await tenant.agentTeams(this.deps.clock.now(), this.options.configCacheMs);
    return teams?.get(agentId);
  }

  /** A notification without resource data: read the presence now (the pump pre-reads in batches). */
  private async withPresence(tenant: TenantRuntime, event: SyncEvent): Promise<SyncEvent> {
    if (!needsPresenceRead(event)) return event;
    const read = await tenant.ports.presence.read([event.teamsUserId]);
    if (!read.ok) throw new RetryLater(`presence read failed: ${read.error.code} ${read.error.message}`);
    const observed = read.value.find((p) => p.userId === event.teamsUserId);
    if (!observed) throw new RetryLater(`presence of ${event.teamsUserId} not returned`);
    return {
      ...event,
      presence: observed.presence,
      ...(observed.sequenceNumber !== undefined ? { sequenceNumber: observed.sequenceNumber } : {}),
    };
  }

  /**
   * Rules and pause flag, cached per tenant. The first event of a re-evaluation always re-reads
   * them: the change may have been saved through another instance, whose `reevaluate` could not
   * clear this instance's cache, and its events were queued after the change was committed.
   */
  private async config(tenant: TenantRuntime, change: string | undefined): Promise<TenantConfig> {
    const now = this.deps.clock.now();
    const cached =
      change !== undefined && change !== tenant.configReadFor
        ? undefined
        : tenant.cachedConfig(now, this.options.configCacheMs);
    if (cached) return cached;
    if (change !== undefined) tenant.configReadFor = change;
    const [rules, record] = await Promise.all([
      this.deps.store.rules.list(tenant.tenantId),
      this.deps.store.tenants.get(tenant.tenantId),
    ]);
    const value = { rules, syncEnabled: record?.syncEnabled ?? false };
    tenant.cacheConfig(value, now);
    return value;
  }
}

/**
 * The agent's current Teams user and team. When the agent was linked to another Teams user, what
 * we knew of the old user's presence (and published to it) says nothing about the new one.
 */
export function withIdentity(
  stored: AgentSyncState,
  teamsUserId: string | undefined,
  teamId: string | undefined,
): AgentSyncState {
  const copy: Record<string, unknown> = { ...stored };
  const relinked = stored.teamsUserId !== undefined && stored.teamsUserId !== teamsUserId;
  if (relinked) {
    delete copy['published'];
    delete copy['teams'];
  }
  if (teamsUserId === undefined) delete copy['teamsUserId'];
  else copy['teamsUserId'] = teamsUserId;
  if (teamId !== undefined) copy['teamId'] = teamId;
  return copy as unknown as AgentSyncState;
}

/**
 * A Teams presence read back (notification or read) while our session is held: when it differs
 * from what we set and the user's own status wins, the Log Reader's line says our write is not shown.
 */
function hiddenOurs(
  agent: AgentSyncState,
  event: SyncEvent,
): { ours: string; reason: string; notShown: NotShown } | undefined {
  const ours = agent.published;
  if (event.source !== 'teams' || !ours?.presence || ours.preferred) return undefined;
  const teams = {
    presence: event.presence,
    sourceTime: event.sourceTime,
    eventId: event.eventId,
    ...(event.manualStatus !== undefined ? { manualStatus: event.manualStatus } : {}),
  };
  // What we set is compared with what Teams shows now, not with our own earlier session.
  const found = notShown({ teams, published: { ...ours, presence: null } }, ours.presence);
  return found
    ? { ours: `${ours.presence.availability}/${ours.presence.activity}`, reason: found.reason, notShown: found }
    : undefined;
}

/** A write that did not happen must not be remembered as done (echo suppression, restore). */
function keepFailed(before: AgentSyncState, next: AgentSyncState, outcome: EffectsOutcome): AgentSyncState {
  let result = next;
  if (outcome.teamsFailed) result = withField(result, 'published', before.published);
  if (outcome.acdFailed) result = withField(result, 'acdWritten', before.acdWritten);
  return result;
}

function withField(
  state: AgentSyncState,
  key: 'published' | 'acdWritten',
  value: AgentSyncState['published'] | AgentSyncState['acdWritten'],
): AgentSyncState {
  const copy: Record<string, unknown> = { ...state };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy as unknown as AgentSyncState;
}
