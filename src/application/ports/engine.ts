import type { AcdStateEvent } from '../../domain/agent-state.js';
import type { Decision, DecideInput, Effect, SyncEvent } from '../../domain/effects.js';
import type { PresenceRule } from '../../domain/presence-rule.js';
import type { PresenceNotification } from './presence.js';

/** Cancels a scheduled callback; calling it after the callback ran is harmless. */
export type Cancel = () => void;

/**
 * Timers, injected so tests drive time deterministically (a manual scheduler) and production
 * uses setTimeout. The engine never sleeps any other way.
 */
export interface Scheduler {
  /** Run `fn` once, `delayMs` from now (0 = as soon as possible, never synchronously). */
  after(delayMs: number, fn: () => void): Cancel;
}

/** How the effective rule of an agent was found (domain resolve.ts). */
export interface RuleResolution {
  readonly rule: PresenceRule | null;
  readonly explanation: string;
  readonly considered: readonly { readonly ruleId: string; readonly verdict: string }[];
}

/**
 * The domain's pure functions the engine runs. Injected (compose passes domain `decide` and
 * `resolveRule`) so engine tests can also run scripted decisions; effects still come only from here.
 */
export interface SyncPolicy {
  decide(input: DecideInput): Decision;
  resolveRule(
    agent: { readonly agentId: string; readonly teamId?: string },
    rules: readonly PresenceRule[],
  ): RuleResolution;
}

export type HealthStatus = 'ok' | 'degraded' | 'down';

/**
 * Component ids of the health model. Open-ended (`owner:<id>` per subscription owner); the
 * well-known ones are listed so adapters and the engine agree on spelling.
 */
export const HEALTH_COMPONENTS = [
  'acd.connection',
  'acd.auth',
  'acd.writes',
  'graph.auth',
  'graph.presence',
  'subscriptions',
  'webhook',
  'webhook.decryption',
  'reconciliation',
  'store',
  'bot',
  'sync',
] as const;
export type HealthComponent = (typeof HEALTH_COMPONENTS)[number] | `owner:${string}`;

export interface HealthReportOptions {
  /**
   * The failure is a fact, not a possible flap (Graph answered that our subscription no longer
   * exists): it is announced at once instead of after the alert debounce, even when the component
   * recovers right after. The recovery is debounced as usual.
   */
  readonly confirmed?: boolean;
}

/** Signals about one tenant's components, reported by the engine and the adapters. */
export interface HealthReporter {
  /** The component is in `status` now; `detail` says why, for an admin. */
  report(component: HealthComponent, status: HealthStatus, detail: string, options?: HealthReportOptions): void;
  /** A call through the component succeeded (sets ok and lastSuccess). */
  success(component: HealthComponent, detail?: string): void;
}

export type EventSourceLabel = SyncEvent['source'] | 'reconcile' | 'reevaluate';
/**
 * Why reconciliation corrected something: the ACD or Teams moved without the engine seeing it, or
 * Teams lacks the session we recorded as published (a decided write lost with its process).
 */
export type ReconcileCause = 'acd-drift' | 'teams-drift' | 'lost-write';
export type EffectOutcome =
  | 'written'
  | 'unchanged'
  | 'superseded'
  | 'applied'
  | 'queued'
  | 'refused'
  | 'retried'
  | 'failed'
  | 'scheduled'
  | 'skipped';

/** Operational metrics (Prometheus in production: src/adapters/http/prom-metrics.ts). */
export interface Metrics {
  eventsIn(source: EventSourceLabel, count: number): void;
  effect(kind: Effect['kind'], outcome: EffectOutcome): void;
  /** Event in (inbox receivedAt) → effect done, per direction. */
  syncLatency(direction: 'acd-to-teams' | 'teams-to-acd', ms: number): void;
  webhookAck(ms: number): void;
  inboxDepth(tenantId: string, depth: number): void;
  graphThrottled(): void;
  reconcileCorrection(cause: ReconcileCause): void;
  /** An acknowledged notification whose sealed resource data could not be authenticated or decrypted, dropped. */
  notificationUnopened(code: string): void;
}

/**
 * What the rule and user-mapping use cases need from the engine: re-apply configuration to
 * agents now (SyncEngine implements it).
 */
export interface SyncReevaluation {
  /** Re-evaluates the given agents (default: every agent with known state); returns events enqueued. */
  reevaluate(tenantId: string, agentIds?: readonly string[], reason?: string): Promise<number>;
}

/**
 * What ingress adapters (the Graph webhook route, the CXone feed) hand events to. Each call
 * resolves once the events are durable in the inbox, so the caller may acknowledge them.
 */
export interface SyncIngress {
  acceptAcdEvents(events: readonly AcdStateEvent[]): Promise<number>;
  acceptPresenceNotifications(notifications: readonly PresenceNotification[]): Promise<number>;
}
