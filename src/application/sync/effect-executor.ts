import type { Effect } from '../../domain/effects.js';
import type { Result } from '../../domain/result.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { AcdWriteOutcome, AcdWriteRefusal, ExternalFailure, InboxEntry } from '../ports.js';
import type { SyncEngineDeps, SyncEngineOptions } from './engine-options.js';
import type { Slot } from './keyed-queue.js';
import type { TenantRuntime } from './tenant-runtime.js';
import { backoffMs, sleep, TenantStoppedError } from './retry.js';
import { writeUrgencyOf } from './reobserve.js';
import type { PresenceDelivery } from './presence-delivery.js';

/** What one entry's effects did; failed writes are not recorded as done in the agent's state. */
export interface EffectsOutcome {
  readonly teamsFailed: boolean;
  readonly acdFailed: boolean;
}

/** The context of one entry being processed. */
export interface EffectContext {
  readonly tenant: TenantRuntime;
  readonly entry: InboxEntry;
  readonly agent: AgentSyncState;
  readonly traceId: string;
  readonly slot: Slot;
  /**
   * A re-evaluation: a write is traced as one line once answered (what was asked and the answer)
   * instead of a request line and an answer line. Failures and retries are traced as always.
   */
  readonly concise?: boolean;
  readonly scheduleRecheck: (at: number) => void;
  /** What the committed state records as published once this entry's effects are handed over. */
  readonly published: AgentSyncState['published'];
}

type Attempt<T, E> = () => Promise<Result<T, E>>;

/**
 * Carries out a decision's effects through the ports, in order, tracing each request and answer.
 * Presence writes are handed to the delivery and not waited for (they wait for Graph's budget,
 * tens of seconds in a storm). ACD writes are awaited: transient failures are retried here with
 * backoff (Retry-After honoured) while the agent's key stays locked — its later events wait, other
 * agents' do not (the worker is released meanwhile).
 */
export class EffectExecutor {
  constructor(
    private readonly deps: SyncEngineDeps,
    private readonly options: SyncEngineOptions,
    private readonly delivery: PresenceDelivery,
  ) {}

  async run(effects: readonly Effect[], ctx: EffectContext): Promise<EffectsOutcome> {
    let teamsFailed = false;
    let acdFailed = false;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'skip':
          this.deps.metrics.effect('skip', 'skipped');
          break;
        case 'recheckAt':
          ctx.scheduleRecheck(effect.at);
          this.deps.metrics.effect('recheckAt', 'scheduled');
          break;
        case 'setTeamsPresence':
        case 'clearTeamsPresence':
          teamsFailed = !this.handPresence(effect, ctx) || teamsFailed;
          break;
        case 'setAcdState':
          acdFailed = !(await this.writeAcd(effect, ctx)) || acdFailed;
          break;
      }
    }
    return { teamsFailed, acdFailed };
  }

  /**
   * Hands the write to the delivery and returns: the entry commits now, and the write's answer
   * reaches the Log Reader, metrics and health when Graph gives it (PresenceDelivery).
   */
  private handPresence(
    effect: Extract<Effect, { kind: 'setTeamsPresence' | 'clearTeamsPresence' }>,
    ctx: EffectContext,
  ): boolean {
    const userId = ctx.agent.teamsUserId;
    if (userId === undefined) {
      this.trace(ctx, 'error', `${effect.kind} not done: the agent is not linked to a Teams user`, { effect });
      this.deps.metrics.effect(effect.kind, 'failed');
      return false;
    }
    const presence = effect.kind === 'setTeamsPresence' ? effect.presence : null;
    const shown = presence ? `${presence.availability}/${presence.activity}` : 'clear';
    this.delivery.hand({
      tenant: ctx.tenant,
      agentId: ctx.entry.agentId,
      traceId: ctx.traceId,
      effect,
      desire: {
        userId,
        presence,
        preferred: effect.preferred,
        traceId: ctx.traceId,
        urgency: writeUrgencyOf(ctx.entry.event),
      },
      asked: `Graph: ${effect.preferred ? 'preferred' : 'session'} presence → ${shown} (${effect.reason})`,
      concise: ctx.concise ?? false,
      agent: ctx.agent,
      receivedAt: ctx.entry.receivedAt,
      published: { before: ctx.agent.published, after: ctx.published },
    });
    return true;
  }

  private async writeAcd(effect: Extract<Effect, { kind: 'setAcdState' }>, ctx: EffectContext): Promise<boolean> {
    const target = effect.target;
    const shown = target.kind === 'Unavailable' ? `Unavailable:${target.codeId}` : 'Available';
    const asked = `ACD: set agent state → ${shown} (${effect.reason})`;
    if (!ctx.concise) this.trace(ctx, 'acd.request', asked, { target, ruleId: effect.ruleId });
    const result = await this.withRetry<AcdWriteOutcome, AcdWriteRefusal>(
      ctx,
      'setAcdState',
      () => ctx.tenant.ports.acd.setAgentState(ctx.entry.agentId, target),
      (r) => (r.code === 'EXTERNAL' ? r.failure : undefined),
    );
    if (!result.ok)
      return this.failed(
        ctx,
        'setAcdState',
        'acd.response',
        result.error.code === 'EXTERNAL' ? result.error.failure : undefined,
        // An outside failure is named by its own code (e.g. PERMISSION_DENIED), not by the category.
        `${ctx.concise ? `${asked}: ` : ''}${result.error.code === 'EXTERNAL' ? result.error.failure.code : result.error.code}: ${result.error.message}`,
      );
    const shownOutcome =
      result.value === 'confirmed'
        ? 'applied (its answer was lost; the state read back is the target, so it is not written again)'
        : result.value;
    if (ctx.concise)
      this.trace(ctx, 'acd.response', `${asked}: ${shownOutcome}`, {
        target,
        ruleId: effect.ruleId,
        outcome: result.value,
      });
    else this.trace(ctx, 'acd.response', `ACD: ${shownOutcome}`, { outcome: result.value });
    this.deps.metrics.effect('setAcdState', result.value === 'confirmed' ? 'applied' : result.value);
    ctx.tenant.health.success('acd.writes', `last state write: ${result.value}`);
    this.synced(ctx, effect.ruleId, 'teams-to-acd', shown);
    return true;
  }

  private async withRetry<T, E>(
    ctx: EffectContext,
    kind: Effect['kind'],
    attempt: Attempt<T, E>,
    failureOf: (e: E) => ExternalFailure | undefined,
  ): Promise<Result<T, E>> {
    const attempts = this.options.effectAttempts?.[kind] ?? this.options.maxAttempts;
    for (let n = 1; ; n += 1) {
      const result = await attempt();
      if (result.ok) return result;
      const failure = failureOf(result.error);
      if (failure?.status === 429 && failure.system === 'graph') this.deps.metrics.graphThrottled();
      // Graph or CXone writes failing or timing out (after the adapter's own retries) is an outage an admin must see, not only a trace line.
      if (failure?.transient) {
        const [component, what] =
          failure.system === 'graph'
            ? (['graph.presence', 'presence writes'] as const)
            : (['acd.writes', 'ACD state writes'] as const);
        ctx.tenant.health.report(
          component,
          n >= attempts ? 'down' : 'degraded',
          `${what} failing: ${failure.status} ${failure.code}: ${failure.message} (attempt ${n} of ${attempts})`,
        );
      }
      if (!failure?.transient || n >= attempts) return result;
      const delay = backoffMs(n, {
        baseMs: this.options.backoffBaseMs,
        maxMs: this.options.backoffMaxMs,
        retryAfterMs: failure.retryAfterMs,
        random: this.deps.random?.() ?? 0.5,
      });
      this.trace(
        ctx,
        'error',
        `${failure.system} ${failure.status} ${failure.code}: retrying in ${delay} ms (attempt ${n + 1} of ${attempts})`,
        { failure, delayMs: delay },
      );
      this.deps.metrics.effect(kind, 'retried');
      await this.deps.store.inbox.fail(
        ctx.entry.seq,
        `${failure.code}: ${failure.message}`,
        this.deps.clock.now() + delay,
      );
      await ctx.slot.pause(sleep(this.deps.scheduler, delay, ctx.tenant.stopping));
      if (ctx.tenant.stopped) throw new TenantStoppedError(ctx.tenant.tenantId);
    }
  }

  private failed(
    ctx: EffectContext,
    kind: Effect['kind'],
    hop: 'graph.response' | 'acd.response',
    failure: ExternalFailure | undefined,
    message: string,
  ): false {
    const refused = failure === undefined || !failure.transient;
    this.trace(ctx, hop, `${refused ? 'refused' : 'gave up'}: ${message}`, { failure, message });
    this.deps.metrics.effect(kind, refused ? 'refused' : 'failed');
    if (failure && (failure.status === 401 || failure.status === 403)) {
      ctx.tenant.health.report(
        failure.system === 'cxone' ? 'acd.auth' : 'graph.auth',
        'down',
        `${failure.status} ${failure.code}: ${failure.message}`,
      );
    }
    return false;
  }

  private synced(
    ctx: EffectContext,
    ruleId: string,
    direction: 'acd-to-teams' | 'teams-to-acd',
    status: string,
    notShown?: string,
  ): void {
    const at = this.deps.clock.now();
    const latencyMs = Math.max(0, at - ctx.entry.receivedAt);
    this.deps.metrics.syncLatency(direction, latencyMs);
    this.deps.health.activity.record(ctx.tenant.tenantId, {
      ruleId,
      direction,
      status,
      latencyMs,
      at,
      agentId: ctx.entry.agentId,
      ...(notShown !== undefined ? { notShown } : {}),
    });
  }

  private trace(
    ctx: EffectContext,
    hop: 'graph.request' | 'graph.response' | 'acd.request' | 'acd.response' | 'error',
    summary: string,
    data: Record<string, unknown>,
  ): void {
    this.deps.trace.record({
      tenantId: ctx.tenant.tenantId,
      agentId: ctx.entry.agentId,
      teamsUserId: ctx.agent.teamsUserId,
      traceId: ctx.traceId,
      hop,
      summary,
      data,
    });
  }
}
