import type { Kysely } from 'kysely';
import type { AgentStateStore, Clock } from '../../application/ports.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import { agentSyncStateSchema, readJson } from './kysely-row-codec.js';
import type { Database } from './kysely-schema.js';
import { chunks } from './store-chunks.js';

/** Writes one agent's state; shared with the inbox, whose `complete` writes it in its own transaction. */
export async function putAgentState(
  db: Kysely<Database>,
  tenantId: string,
  state: AgentSyncState,
  now: number,
): Promise<void> {
  const row = { state: JSON.stringify(state), updated_at: now };
  await db
    .insertInto('agent_states')
    .values({ tenant_id: tenantId, agent_id: state.agentId, ...row })
    .onConflict((oc) => oc.columns(['tenant_id', 'agent_id']).doUpdateSet(row))
    .execute();
}

/** The engine's per-agent memory (last states of both sides, what we wrote) as one JSON document per agent. */
export class KyselyAgentStateStore implements AgentStateStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async get(tenantId: string, agentId: string): Promise<AgentSyncState | undefined> {
    const row = await this.db
      .selectFrom('agent_states')
      .select('state')
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .executeTakeFirst();
    return row && readJson(agentSyncStateSchema, row.state, 'agent_states', `${tenantId}/${agentId}`);
  }

  async getMany(tenantId: string, agentIds: readonly string[]): Promise<readonly AgentSyncState[]> {
    const states: AgentSyncState[] = [];
    for (const part of chunks([...new Set(agentIds)])) {
      const rows = await this.db
        .selectFrom('agent_states')
        .select(['agent_id', 'state'])
        .where('tenant_id', '=', tenantId)
        .where('agent_id', 'in', part)
        .execute();
      states.push(
        ...rows.map((r) => readJson(agentSyncStateSchema, r.state, 'agent_states', `${tenantId}/${r.agent_id}`)),
      );
    }
    return states;
  }

  async list(tenantId: string): Promise<readonly AgentSyncState[]> {
    const rows = await this.db
      .selectFrom('agent_states')
      .select(['agent_id', 'state'])
      .where('tenant_id', '=', tenantId)
      .orderBy('agent_id')
      .execute();
    return rows.map((r) => readJson(agentSyncStateSchema, r.state, 'agent_states', `${tenantId}/${r.agent_id}`));
  }

  put(tenantId: string, state: AgentSyncState): Promise<void> {
    return putAgentState(this.db, tenantId, state, this.clock.now());
  }
}
