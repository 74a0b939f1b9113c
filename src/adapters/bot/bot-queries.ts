import type { TraceEvent } from '../../application/ports.js';
import type { AcdState } from '../../domain/agent-state.js';
import type { PresenceRule } from '../../domain/presence-rule.js';
import type { TeamsPresence } from '../../domain/presence.js';
import type { AcdTarget } from '../../domain/sync-state.js';

/**
 * What the bot reads about a tenant. The bot never touches the stores or the engine directly:
 * src/compose.ts wires this narrow port to the application (health model, agent states, rule
 * resolution, trace query), and tests use hand-written fakes.
 */
export interface BotQueries {
  /** True when the tenant has connected Presence Sync (its data may be shown to its users). */
  isKnownTenant(tenantId: string): Promise<boolean>;
  /** The user's role in Presence Sync, from the Entra app role (`PresenceSync.Admin` / `PresenceSync.Support`). */
  roleOf(tenantId: string, aadObjectId: string): Promise<BotUserRole>;
  health(tenantId: string): Promise<BotHealthView>;
  /** An agent by ACD agent id or by e-mail / UPN; undefined when no such agent is known. */
  agentStatus(tenantId: string, agentIdOrEmail: string): Promise<BotAgentStatusView | undefined>;
  /** The newest hops of an agent's flow, newest first, at most `limit`. */
  lastHops(tenantId: string, agentId: string, limit: number): Promise<readonly TraceEvent[]>;
  rules(tenantId: string): Promise<readonly PresenceRule[]>;
}

/** `member`: a user of the tenant without a Presence Sync role (the tab refuses them every page). */
export type BotUserRole = 'admin' | 'support' | 'member';

/** The health model's HealthStatus, repeated so the bot depends only on what it shows. */
export type BotHealthStatus = 'ok' | 'degraded' | 'down';

/** A one-shot timer (structurally the application's Scheduler); returns its cancel function. */
export interface BotScheduler {
  after(delayMs: number, fn: () => void): () => void;
}

/** One component of the Health Check, as the bot shows it. */
export interface BotComponentView {
  readonly component: string;
  readonly status: BotHealthStatus;
  readonly detail: string;
  /** Epoch ms since the component has had this status. */
  readonly since: number;
  readonly lastSuccess?: number;
}

/** A subset of the health model's TenantHealth (structurally compatible with it). */
export interface BotHealthView {
  readonly status: BotHealthStatus;
  readonly syncActive: boolean;
  readonly syncDetail: string;
  readonly components: readonly BotComponentView[];
}

/** Everything `status <agent>` answers: both sides, the rule that applies and why, last sync. */
export interface BotAgentStatusView {
  readonly agentId: string;
  readonly name?: string;
  readonly email?: string;
  /** Undefined when the agent has no linked Teams user. */
  readonly teamsUserId?: string;
  /** The agent's CXone state; undefined when not known yet. */
  readonly acdState?: AcdState;
  /** The user's Teams presence as Graph reports it; undefined when not known yet. */
  readonly teamsPresence?: TeamsPresence;
  readonly rule?: { readonly id: string; readonly name: string };
  /** Why this rule (or none) applies, from the domain's rule resolution. */
  readonly ruleExplanation: string;
  /** The newest change Presence Sync made for this agent, on either side; undefined when none yet. */
  readonly lastSync?: BotLastSync;
}

/** A write of ours: a Teams presence set (null: our session cleared) or a CXone state requested. */
export type BotLastSync =
  | { readonly at: number; readonly side: 'teams'; readonly presence: TeamsPresence | null }
  | { readonly at: number; readonly side: 'acd'; readonly target: AcdTarget; readonly codeName?: string };

/** A settled health change of one component (structurally the health model's HealthTransition). */
export interface BotHealthTransition {
  readonly tenantId: string;
  readonly component: string;
  readonly from: BotHealthStatus | 'unknown';
  readonly to: BotHealthStatus;
  /** Statuses passed through between `from` and `to` while alerts were held back (set by the alert pacing). */
  readonly via?: readonly BotHealthStatus[];
  readonly detail: string;
  /** When the health model announced it (after its debounce). */
  readonly at: number;
  /** When the component entered `to`: what the card tells (the debounce only confirms it). */
  readonly since?: number;
  /** For a line merged by the alert pacing (`via`): when its first change began. */
  readonly began?: number;
}

/** Where proactive alerts come from (the health model's `onTransition`). */
export interface HealthTransitionSource {
  /** Subscribe; returns the unsubscribe function. */
  onTransition(listener: (transition: BotHealthTransition) => void): () => void;
}
