import type { Effect, SkipReason, SyncEvent } from '../../domain/effects.js';
import type { PresenceRule } from '../../domain/presence-rule.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { TraceRecorder } from '../trace/trace-recorder.js';
import { summarize } from './decision-summary.js';
import type { TenantRuntime } from './tenant-runtime.js';

/**
 * Skips that say nothing about the Teams side an admin could act on: the rule does not cover it,
 * nothing of ours to undo, or the observation changes nothing. Under a publisher rule every Teams
 * re-observation ends in one of these.
 */
const QUIET_TEAMS_SKIPS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'NO_RULE',
  'RULE_DISABLED',
  'SYNC_PAUSED',
  'DIRECTION_NOT_COVERED',
  'NO_MAPPING',
  'STALE_EVENT',
  'DUPLICATE_EVENT',
  'ECHO',
  'ALREADY_IN_STATE',
  'NOTHING_TO_RESTORE',
]);

/** One re-evaluated entry, as the processor saw it. */
export interface ReevaluatedEntry {
  readonly tenantId: string;
  readonly agentId: string;
  readonly teamsUserId: string | undefined;
  readonly traceId: string;
  readonly tenant: TenantRuntime;
  readonly change: string;
  readonly agent: AgentSyncState;
  readonly event: SyncEvent;
  readonly rule: PresenceRule | null;
  /** Why that rule applies (resolve's explanation). */
  readonly explanation: string;
  readonly effects: readonly Effect[];
}

/**
 * The Log Reader line of a re-evaluation entry: one `decision` hop naming the change, the rule, why
 * it applies and what was decided, where a live event records `rule.resolved` and `decision` (with
 * every rule considered and the event echoed). A rule change re-evaluates every agent at once; at
 * 10k agents those hops were most of the store's work. The rules considered are what the tab's
 * dry-run shows for the agent.
 *
 * A Teams re-observation that quietly does nothing records no line when the agent's ACD state was
 * re-observed too (queued with it, processed before it, and traced): that line already says that
 * the change reached the agent and what it decided.
 */
export function traceReevaluation(trace: TraceRecorder, e: ReevaluatedEntry): void {
  if (
    e.event.source === 'teams' &&
    e.agent.acd !== undefined &&
    e.effects.every((f) => f.kind === 'skip' && QUIET_TEAMS_SKIPS.has(f.reason))
  )
    return;
  const reason = e.tenant.reevaluationReason(e.change) ?? 'configuration changed';
  trace.record({
    tenantId: e.tenantId,
    agentId: e.agentId,
    teamsUserId: e.teamsUserId,
    traceId: e.traceId,
    hop: 'decision',
    summary: `Re-evaluated (${reason}), ${e.event.source} state. ${e.rule ? '' : 'No rule: '}${e.explanation} ${summarize(e.effects)}`,
    data: { change: e.change, reason, source: e.event.source, ruleId: e.rule?.id ?? null, effects: e.effects },
  });
}
