/** The API's JSON shapes as the tab reads them (see /api/v1/openapi.json). */
export type AcdPattern = { kind: string; codeId?: string };
export type TeamsPattern = { availability: string; activity?: string };
export type Mapping = { acd: AcdPattern; teams: TeamsPattern };
export type Direction = 'publisher' | 'subscriber' | 'bidirectional';
export type Scope = { kind: 'team'; teamIds: string[] } | { kind: 'user'; agentIds: string[] };

export interface RuleDraft {
  name: string;
  direction: Direction;
  scope: Scope;
  mappings: Mapping[];
  enabled: boolean;
  manualStatusPolicy: 'respect' | 'override';
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
export interface DryRunAgent {
  agentId: string;
  teamId: string;
  draftApplies: boolean;
  explanation: string;
  decisions: { side: string; effects: Record<string, unknown>[] }[];
}

export interface ComponentHealth {
  component: string;
  status: 'ok' | 'degraded' | 'down';
  detail: string;
  since: number;
}
export interface TenantHealth {
  status: 'ok' | 'degraded' | 'down';
  syncActive: boolean;
  syncDetail: string;
  components: ComponentHealth[];
  activeSyncs: {
    ruleId: string;
    direction: string;
    status: string;
    lastHour: number;
    lastDay: number;
    lastAt: number;
  }[];
  latency: { direction: string; count: number; p50Ms: number; p95Ms: number }[];
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
  link?: { teamsUserId: string; source?: string };
}
export type Items<T> = { items: T[] };
