import type { Kysely } from 'kysely';
import type { AgentSyncState } from '../../domain/sync-state.js';
import { putAgentState } from './kysely-agent-state-store.js';
import type { Database } from './kysely-schema.js';
import { CHUNK_ROWS } from './store-chunks.js';

interface Completion {
  readonly seq: number;
  readonly tenantId: string;
  readonly state: AgentSyncState;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit of inbox completions. Each `complete` still resolves only once its entry and the
 * agent's state are committed together (so per-agent order and idempotence are what they were),
 * but the completions that arrive during one turn of the event loop share one transaction of two
 * set-wise statements, instead of a transaction (and a WAL commit) each.
 *
 * A failed group is retried entry by entry, so one bad entry fails only its own `complete`.
 */
export class InboxCompletions {
  private queue: Completion[] = [];
  private scheduled = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  complete(seq: number, tenantId: string, state: AgentSyncState): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ seq, tenantId, state, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // One event-loop turn gathers what the concurrent workers finish meanwhile.
      setImmediate(() => {
        this.scheduled = false;
        this.running = this.running.then(() => this.drain());
      });
    });
  }

  /** Resolves when every completion handed in so far is committed (or failed). */
  async flushed(): Promise<void> {
    while (this.scheduled || this.queue.length > 0) {
      await new Promise((r) => setImmediate(r));
      await this.running;
    }
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = takeGroup(this.queue);
      this.queue = this.queue.slice(group.length);
      await this.commit(group);
    }
  }

  private async commit(group: readonly Completion[]): Promise<void> {
    const now = this.now();
    try {
      await this.db.transaction().execute((trx) => completeSetWise(trx, group, now));
      for (const c of group) c.resolve();
    } catch (groupError) {
      if (group.length === 1) {
        (group[0] as Completion).reject(groupError);
        return;
      }
      for (const c of group) {
        await this.db
          .transaction()
          .execute((trx) => completeSetWise(trx, [c], now))
          .then(c.resolve, c.reject);
      }
    }
  }
}

/**
 * The oldest completions (a prefix of the queue) with at most one per agent: two states of one agent in one multi-row
 * upsert would be ambiguous (PostgreSQL refuses it). Per-agent ordering means it does not happen;
 * this keeps the store correct even if a caller did it.
 */
function takeGroup(queue: readonly Completion[]): Completion[] {
  const agents = new Set<string>();
  const group: Completion[] = [];
  for (const c of queue) {
    const key = `${c.tenantId}\u0000${c.state.agentId}`;
    if (agents.has(key)) break;
    agents.add(key);
    group.push(c);
    if (group.length >= CHUNK_ROWS) break;
  }
  return group;
}

/** Marks the still-unprocessed entries done and writes the agents' states of just those entries. */
async function completeSetWise(trx: Kysely<Database>, group: readonly Completion[], now: number): Promise<void> {
  if (group.length === 1) {
    const c = group[0] as Completion;
    const res = await trx
      .updateTable('inbox')
      .set({ processed: 1, processed_at: now, retry_at: null })
      .where('seq', '=', c.seq)
      .where('tenant_id', '=', c.tenantId)
      .where('processed', '=', 0)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) await putAgentState(trx, c.tenantId, c.state, now);
    return;
  }
  for (const [tenantId, items] of byTenant(group)) {
    const done = await trx
      .updateTable('inbox')
      .set({ processed: 1, processed_at: now, retry_at: null })
      .where('tenant_id', '=', tenantId)
      .where('processed', '=', 0)
      .where(
        'seq',
        'in',
        items.map((c) => c.seq),
      )
      .returning('seq')
      .execute();
    const updated = new Set(done.map((r) => Number(r.seq)));
    const rows = items
      .filter((c) => updated.has(c.seq))
      .map((c) => ({
        tenant_id: tenantId,
        agent_id: c.state.agentId,
        state: JSON.stringify(c.state),
        updated_at: now,
      }));
    if (rows.length === 0) continue;
    await trx
      .insertInto('agent_states')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'agent_id'])
          .doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), updated_at: eb.ref('excluded.updated_at') })),
      )
      .execute();
  }
}

function byTenant(group: readonly Completion[]): Map<string, Completion[]> {
  const groups = new Map<string, Completion[]>();
  for (const c of group) {
    const items = groups.get(c.tenantId);
    if (items) items.push(c);
    else groups.set(c.tenantId, [c]);
  }
  return groups;
}
