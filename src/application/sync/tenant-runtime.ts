import type {
  AcdDirectory,
  AcdGateway,
  AcdStateFeed,
  Cancel,
  HealthReporter,
  PresenceGateway,
  SubscriptionRegistry,
} from '../ports.js';
import type { PresenceRule } from '../../domain/presence-rule.js';

/** The adapters of one tenant (its CXone business unit and its Microsoft 365 tenant). */
export interface TenantPorts {
  readonly tenantId: string;
  readonly acd: AcdGateway;
  readonly acdFeed: AcdStateFeed;
  readonly acdDirectory: AcdDirectory;
  readonly presence: PresenceGateway;
  readonly subscriptions: SubscriptionRegistry;
}

/** Re-evaluation reasons remembered for the Log Reader (only the latest changes still have entries queued). */
const MAX_REEVALUATION_REASONS = 64;

export interface TenantConfig {
  readonly rules: readonly PresenceRule[];
  readonly syncEnabled: boolean;
}

/** The engine's in-memory bookkeeping for one tenant. */
export class TenantRuntime {
  /** Inbox entries taken and not completed yet (they are still `pending` in the store). */
  readonly inFlight = new Set<number>();
  pulling = false;
  pullAgain = false;
  /** The inbox may hold entries not pulled yet (the last pull was full, or something new arrived). */
  backlog = true;
  /** The highest inbox seq pulled so far: a pull while entries are in flight reads only what is newer. */
  pulledUpTo = 0;
  /** When the inbox was last read from its start (entries held for retry, or committed late, are caught then). */
  fullPullAt = Number.NEGATIVE_INFINITY;
  stopped = false;
  /** The reconciliation (or subscription re-plan) running now, if any. */
  reconciling: Promise<void> | undefined;
  /** The last subscription plan left an owner's subscription uncreated or unrenewed: it is retried before the period. */
  subscriptionsFailing = false;
  /** The wait before the next retry of failing subscriptions (doubles per failure), while one is armed or due. */
  subscriptionRetryMs: number | undefined;
  subscriptionRetryArmed = false;
  /** Settles when the tenant stops, so backoff waits end at once on shutdown. */
  readonly stopping: Promise<void>;
  private signalStop: () => void = () => undefined;
  readonly timers = new Set<Cancel>();
  private config: { value: TenantConfig; at: number } | undefined;
  /** The last re-evaluation whose first event re-read the configuration. */
  configReadFor: string | undefined;
  /** Bumped when rules or links are known to have changed (reevaluate): what was read before is stale. */
  configEpoch = 0;
  /** The tenant's `config` signal as last seen here (undefined: not read yet); a higher one is a change made elsewhere. */
  configSignal: number | undefined;
  /** Entries queued or running per agent. */
  private readonly busyAgents = new Map<string, number>();
  /** Each ACD agent's team from one directory listing (teamOf), while fresh. */
  private teams:
    | { readonly at: number; readonly epoch: number; readonly read: Promise<Map<string, string> | undefined> }
    | undefined;
  /** Why each recent re-evaluation was queued (by change id), for its agents' Log Reader lines. */
  private readonly reevaluations = new Map<string, string>();

  constructor(
    readonly ports: TenantPorts,
    readonly health: HealthReporter,
  ) {
    this.stopping = new Promise((resolve) => (this.signalStop = resolve));
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimers();
    this.signalStop();
  }

  get tenantId(): string {
    return this.ports.tenantId;
  }

  cachedConfig(now: number, maxAgeMs: number): TenantConfig | undefined {
    return this.config && now - this.config.at < maxAgeMs ? this.config.value : undefined;
  }

  cacheConfig(value: TenantConfig, now: number): void {
    this.config = { value, at: now };
  }

  /**
   * Agent → team from the ACD directory, one listing shared by concurrent callers and kept for
   * `maxAgeMs` (and until the configuration changes); undefined when the listing failed, which is
   * not kept: the next agent asks again.
   */
  agentTeams(now: number, maxAgeMs: number): Promise<ReadonlyMap<string, string> | undefined> {
    const cached = this.teams;
    if (cached && cached.epoch === this.configEpoch && now - cached.at < maxAgeMs) return cached.read;
    const read = this.ports.acdDirectory.listAgents().then(
      (agents) => {
        if (agents.ok)
          return new Map(agents.value.flatMap((a) => (a.teamId !== undefined ? [[a.agentId, a.teamId] as const] : [])));
        if (this.teams?.read === read) this.teams = undefined;
        return undefined;
      },
      (error: unknown) => {
        if (this.teams?.read === read) this.teams = undefined;
        throw error;
      },
    );
    this.teams = { at: now, epoch: this.configEpoch, read };
    return read;
  }

  invalidateConfig(): void {
    this.config = undefined;
    this.configEpoch += 1;
  }

  /** A re-evaluation queued through this instance; its entries say why when they run. */
  noteReevaluation(change: string, reason: string): void {
    this.reevaluations.set(change, reason);
    if (this.reevaluations.size > MAX_REEVALUATION_REASONS)
      this.reevaluations.delete(this.reevaluations.keys().next().value as string);
  }

  /** Undefined when it was queued through another instance, or before a restart. */
  reevaluationReason(change: string): string | undefined {
    return this.reevaluations.get(change);
  }

  isAgentBusy(agentId: string): boolean {
    return this.busyAgents.has(agentId);
  }

  /** An entry of the agent was queued. */
  agentEntered(agentId: string): void {
    this.busyAgents.set(agentId, (this.busyAgents.get(agentId) ?? 0) + 1);
  }

  /** An entry of the agent ended (done, dropped or left for the next owner). */
  agentLeft(agentId: string): void {
    const n = (this.busyAgents.get(agentId) ?? 1) - 1;
    if (n > 0) this.busyAgents.set(agentId, n);
    else this.busyAgents.delete(agentId);
  }

  cancelTimers(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
  }
}
