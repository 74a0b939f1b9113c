import type { ConversationRef, ConversationStore, Logger, TraceEvent } from '../../../../src/application/ports.js';
import type {
  BotAgentStatusView,
  BotHealthTransition,
  BotHealthView,
  BotQueries,
  BotScheduler,
  BotUserRole,
  HealthTransitionSource,
} from '../../../../src/adapters/bot/bot-queries.js';
import type { PresenceRule } from '../../../../src/domain/presence-rule.js';

/** A tenant's data as the fake BotQueries serves it. */
export interface FakeTenant {
  readonly admins: readonly string[];
  /** Users seen with the PresenceSync.Support role. */
  readonly support?: readonly string[];
  health: BotHealthView;
  readonly agents: readonly BotAgentStatusView[];
  readonly hops: readonly TraceEvent[];
  readonly rules: readonly PresenceRule[];
}

export class FakeBotQueries implements BotQueries {
  constructor(readonly tenants: Map<string, FakeTenant>) {}
  async isKnownTenant(tenantId: string) {
    return this.tenants.has(tenantId);
  }
  async roleOf(tenantId: string, aadObjectId: string): Promise<BotUserRole> {
    const tenant = this.tenants.get(tenantId);
    if (tenant?.admins.includes(aadObjectId)) return 'admin';
    return tenant?.support?.includes(aadObjectId) ? 'support' : 'member';
  }
  async health(tenantId: string) {
    return this.tenant(tenantId).health;
  }
  async agentStatus(tenantId: string, key: string) {
    return this.tenant(tenantId).agents.find((a) => a.agentId === key || a.email?.toLowerCase() === key.toLowerCase());
  }
  async lastHops(tenantId: string, agentId: string, limit: number) {
    return this.tenant(tenantId)
      .hops.filter((h) => h.agentId === agentId)
      .slice(0, limit);
  }
  async rules(tenantId: string) {
    return this.tenant(tenantId).rules;
  }
  private tenant(tenantId: string): FakeTenant {
    const t = this.tenants.get(tenantId);
    if (!t) throw new Error(`fake: unknown tenant ${tenantId}`);
    return t;
  }
}

export class InMemoryConversationStore implements ConversationStore {
  readonly refs = new Map<string, ConversationRef>();
  async put(ref: ConversationRef) {
    this.refs.set(`${ref.tenantId}|${ref.conversationId}`, ref);
  }
  async remove(tenantId: string, conversationId: string) {
    this.refs.delete(`${tenantId}|${conversationId}`);
  }
  async list(tenantId: string) {
    return [...this.refs.values()].filter((r) => r.tenantId === tenantId);
  }
}

/** Time that moves only when the test says so, with the timers due by then. */
export class ManualTime implements BotScheduler {
  private nowMs = Date.UTC(2026, 10, 25, 9, 0, 0);
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  readonly clock = { now: () => this.nowMs };
  after(delayMs: number, fn: () => void): () => void {
    const timer = { at: this.nowMs + delayMs, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }
  advance(ms: number): void {
    this.nowMs += ms;
    const due = this.timers.filter((t) => t.at <= this.nowMs && !t.cancelled).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => !due.includes(t) && !t.cancelled);
    for (const t of due) t.fn();
  }
}

export class FakeHealthSource implements HealthTransitionSource {
  private listeners: ((t: BotHealthTransition) => void)[] = [];
  onTransition(listener: (t: BotHealthTransition) => void) {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
  emit(t: BotHealthTransition): void {
    for (const l of this.listeners) l(t);
  }
}

/** Records log lines so tests can assert on what was logged (e.g. the trace id). */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings });
  }
  debug(obj: Record<string, unknown>, msg?: string) {
    this.lines.push({ level: 'debug', obj: { ...this.bindings, ...obj }, msg });
  }
  info(obj: Record<string, unknown>, msg?: string) {
    this.lines.push({ level: 'info', obj: { ...this.bindings, ...obj }, msg });
  }
  warn(obj: Record<string, unknown>, msg?: string) {
    this.lines.push({ level: 'warn', obj: { ...this.bindings, ...obj }, msg });
  }
  error(obj: Record<string, unknown>, msg?: string) {
    this.lines.push({ level: 'error', obj: { ...this.bindings, ...obj }, msg });
  }
}

export const counterIds = (prefix = 'trace') => {
  let n = 0;
  return { next: () => `${prefix}-${++n}` };
};
