import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them. Epoch-millisecond times are BIGINT (INTEGER on SQLite),
 * booleans are 0/1 integers and structured values are JSON text, so both dialects read back the
 * same shapes and every JSON column is parsed with zod on the way out (kysely-row-codec.ts).
 */
export interface Database {
  tenants: TenantsTable;
  tenant_connections: TenantConnectionsTable;
  presence_rules: PresenceRulesTable;
  audit_log: AuditLogTable;
  user_links: UserLinksTable;
  agent_states: AgentStatesTable;
  inbox: InboxTable;
  trace_events: TraceEventsTable;
  graph_subscriptions: GraphSubscriptionsTable;
  conversation_refs: ConversationRefsTable;
  leases: LeasesTable;
  tenant_admins: TenantAdminsTable;
  notification_keys: NotificationKeysTable;
  api_rate_windows: ApiRateWindowsTable;
  tenant_health: TenantHealthTable;
  lifecycle_events: LifecycleEventsTable;
  alert_states: AlertStatesTable;
  tenant_signals: TenantSignalsTable;
}

export interface TenantsTable {
  id: string;
  name: string;
  acd_business_unit_id: string;
  entra_tenant_id: string;
  partner_platform: string;
  sync_enabled: number;
  updated_at: number;
}

export interface TenantConnectionsTable {
  tenant_id: string;
  kind: string;
  /** crypto-box envelope of the JSON values. */
  sealed: string;
  updated_at: number;
}

export interface PresenceRulesTable {
  tenant_id: string;
  id: string;
  version: number;
  name: string;
  /** The whole PresenceRule as JSON. */
  body: string;
  updated_at: number;
}

export interface AuditLogTable {
  seq: Generated<number>;
  tenant_id: string;
  at: number;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before: string | null;
  after: string | null;
}

export interface UserLinksTable {
  tenant_id: string;
  agent_id: string;
  teams_user_id: string;
  source: string;
  email: string | null;
  updated_at: number;
}

export interface AgentStatesTable {
  tenant_id: string;
  agent_id: string;
  state: string;
  updated_at: number;
}

export interface InboxTable {
  seq: Generated<number>;
  tenant_id: string;
  event_id: string;
  agent_id: string;
  event: string;
  received_at: number;
  attempts: number;
  retry_at: number | null;
  last_error: string | null;
  processed: number;
  processed_at: number | null;
  /** JSON of the still-encrypted resource data (rich notifications), opened when processed. */
  sealed: string | null;
}

export interface TraceEventsTable {
  seq: Generated<number>;
  tenant_id: string;
  id: string;
  agent_id: string;
  teams_user_id: string | null;
  trace_id: string;
  hop: string;
  at: number;
  latency_ms: number | null;
  summary: string;
  data: string;
}

export interface GraphSubscriptionsTable {
  subscription_id: string;
  tenant_id: string;
  owner_id: string;
  resource: string;
  user_ids: string;
  client_state: string;
  expires_at: number;
  created_at: number;
  encryption_certificate_id: string | null;
}

export interface ConversationRefsTable {
  tenant_id: string;
  conversation_id: string;
  reference: string;
  scope: string;
  installed_by: string | null;
}

export interface ApiRateWindowsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface TenantAdminsTable {
  tenant_id: string;
  aad_object_id: string;
  name: string;
  source: string;
  last_seen: number;
  role: string;
}

export interface NotificationKeysTable {
  slot: string;
  certificate_id: string;
  certificate: string;
  sealed_private_key: string;
  created_at: number;
}

export interface TenantHealthTable {
  tenant_id: string;
  holder: string;
  at: number;
  body: string;
}

export interface LifecycleEventsTable {
  seq: Generated<number>;
  tenant_id: string;
  subscription_id: string;
  event: string;
  received_at: number;
  handled_at: number | null;
}

export interface AlertStatesTable {
  tenant_id: string;
  state: string;
  due_at: number | null;
  version: number;
}

export interface TenantSignalsTable {
  tenant_id: string;
  signal: string;
  version: number;
  raised_at: number;
}
