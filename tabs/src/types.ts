/** The API's JSON shapes as the tab reads them (see /api/v1/openapi.json). */
export type AcdPattern = { kind: string; codeId?: string; counterpart?: 'customer' | 'agent' | 'skill' };
export type TeamsPattern = { availability: string; activity?: string };
export type Mapping = { acd: AcdPattern; teams: TeamsPattern };
export type Direction = 'publisher' | 'subscriber' | 'bidirectional';
export type Scope = { kind: 'team'; teamIds: string[] } | { kind: 'user'; agentIds: string[] };

export interface RuleDraft {
  name: string;
  /** Absent in a new draft (the API defaults it); kept as stored when a rule is edited. */
  partnerPlatform?: string;
  direction: Direction;
  scope: Scope;
  mappings: Mapping[];
  enabled: boolean;
  manualStatusPolicy: 'respect' | 'override';
  /** ACD states that never cause a sync in either direction. */
  noSyncStates: AcdPattern[];
  /** A change must hold this long before it is published; 0 = immediate. */
  debounceMs: number;
}
export interface Rule extends RuleDraft {
  id: string;
  version: number;
}
export interface CodeInfo {
  id: string;
  name: string;
  isActive: boolean;
}
export interface AcdTeam {
  teamId: string;
  teamName: string;
  codes: CodeInfo[];
}
export interface AcdAgentView {
  agentId: string;
  name: string;
  email: string | null;
  teamId: string;
}
export interface Presences {
  session: TeamsPattern[];
  preferred: TeamsPattern[];
  availabilities: string[];
}
/** An effect `decide` returned (src/domain/effects.ts), as the dry run reports it. */
export type DryRunEffect =
  | { kind: 'setTeamsPresence'; presence: TeamsPattern; preferred: boolean; reason: string }
  | { kind: 'clearTeamsPresence'; preferred: boolean; reason: string }
  | { kind: 'setAcdState'; target: { kind: string; codeId?: string }; reason: string }
  | { kind: 'recheckAt'; at: number; reason: string }
  | { kind: 'skip'; reason: string; detail: string };
export interface DryRunAgent {
  agentId: string;
  teamId: string;
  draftApplies: boolean;
  effectiveRuleId: string | null;
  explanation: string;
  decisions: { side: 'acd' | 'teams'; effects: DryRunEffect[] }[];
}
export interface Lookups {
  teams: AcdTeam[];
  agents: AcdAgentView[];
  presences: Presences;
}

export interface ComponentHealth {
  component: string;
  /** What an admin calls it ("CXone connection", "Subscription owner ada@contoso.com"). */
  label: string;
  /** What to do when it fails. */
  action: string;
  status: 'ok' | 'degraded' | 'down';
  detail: string;
  since: number;
  lastSuccess?: number;
}
export interface MinuteVolume {
  at: number;
  acdToTeams: number;
  teamsToAcd: number;
  p50Ms: number;
}
export interface TenantHealth {
  status: 'ok' | 'degraded' | 'down';
  headline?: { state: 'syncing' | 'degraded' | 'stopped'; title: string; why: string };
  syncActive: boolean;
  syncDetail: string;
  components: ComponentHealth[];
  activeSyncs: {
    ruleId: string;
    ruleName: string;
    direction: string;
    directionLabel: string;
    status: string;
    statusLabel: string;
    lastHour: number;
    lastDay: number;
    lastAt: number;
  }[];
  latency: { direction: string; count: number; p50Ms: number; p95Ms: number }[];
  perMinute?: MinuteVolume[];
  /** Presence writes Teams could not show (the user's own status outranked our session). */
  notShown?: {
    lastHour: number;
    lastDay: number;
    latest?: { agentId?: string; status: string; reason: string; at: number };
  };
}
export interface TraceEvent {
  id: string;
  agentId: string;
  traceId: string;
  hop: string;
  at: number;
  latencyMs?: number;
  summary: string;
  data: Record<string, unknown>;
}

export interface MappingRow {
  agent: { agentId: string; firstName?: string; lastName?: string; email?: string; teamId: string };
  /** `email`: the linked user's mail or UPN as Entra had it when linked (shown instead of the object id). */
  link?: { teamsUserId: string; source?: string; email?: string };
}
export type Items<T> = { items: T[] };

/** GET /trace/agent: the Log Reader's agent header (src/application/trace/agent-overview.ts). */
export interface AgentOverview {
  agentId: string;
  name?: string;
  email?: string;
  team?: { teamId: string; teamName?: string };
  teamsUser?: { id: string; email?: string; linkedBy: 'auto' | 'manual' | 'import' };
  acd?: { label: string; since: number };
  teams?: { label: string; since: number; manual: boolean };
  published?: { label: string; at: number };
  rule: { id: string; name: string; direction: Direction } | null;
  why: string;
  syncEnabled: boolean;
  gaps: string[];
}
