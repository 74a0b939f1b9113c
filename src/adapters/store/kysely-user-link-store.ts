import type { Kysely, Selectable } from 'kysely';
import type { Clock, UserLink, UserLinkStore } from '../../application/ports.js';
import { writeAudit } from './kysely-audit.js';
import type { Database, UserLinksTable } from './kysely-schema.js';
import { conflictOnClash, StoreCorruptRowError } from './store-errors.js';

const SOURCES = ['auto', 'manual', 'import'] as const;

const toLink = (r: Selectable<UserLinksTable>): UserLink => {
  const source = SOURCES.find((s) => s === r.source);
  if (!source) throw new StoreCorruptRowError('user_links', `${r.tenant_id}/${r.agent_id}`, `unknown source ${r.source}`);
  return { tenantId: r.tenant_id, agentId: r.agent_id, teamsUserId: r.teams_user_id, source, ...(r.email === null ? {} : { email: r.email }) };
};

/**
 * ACD agent ↔ Entra user links, unique per tenant on both sides (two database constraints).
 * `put` replaces the links of the given agents in one transaction: a link whose Teams user is
 * already linked to another agent fails the whole batch with StoreConflictError.
 */
export class KyselyUserLinkStore implements UserLinkStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async list(tenantId: string): Promise<readonly UserLink[]> {
    const rows = await this.db.selectFrom('user_links').selectAll().where('tenant_id', '=', tenantId).orderBy('agent_id').execute();
    return rows.map(toLink);
  }

  async byAgent(tenantId: string, agentId: string): Promise<UserLink | undefined> {
    const row = await this.db.selectFrom('user_links').selectAll().where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).executeTakeFirst();
    return row && toLink(row);
  }

  async byTeamsUser(tenantId: string, teamsUserId: string): Promise<UserLink | undefined> {
    const row = await this.db.selectFrom('user_links').selectAll().where('tenant_id', '=', tenantId).where('teams_user_id', '=', teamsUserId).executeTakeFirst();
    return row && toLink(row);
  }

  async put(links: readonly UserLink[], actor: string): Promise<void> {
    if (links.length === 0) return;
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      // Delete first, insert after: moving a Teams user between two agents of the batch must not clash with itself.
      const befores = new Map<string, UserLink | undefined>();
      for (const l of links) {
        const before = await trx.selectFrom('user_links').selectAll().where('tenant_id', '=', l.tenantId).where('agent_id', '=', l.agentId).executeTakeFirst();
        befores.set(`${l.tenantId}/${l.agentId}`, before && toLink(before));
        await trx.deleteFrom('user_links').where('tenant_id', '=', l.tenantId).where('agent_id', '=', l.agentId).execute();
      }
      for (const l of links) {
        await conflictOnClash(`Agent ${l.agentId} or Teams user ${l.teamsUserId} is already linked`, () =>
          trx.insertInto('user_links')
            .values({ tenant_id: l.tenantId, agent_id: l.agentId, teams_user_id: l.teamsUserId, source: l.source, email: l.email ?? null, updated_at: now })
            .execute());
        const before = befores.get(`${l.tenantId}/${l.agentId}`) ?? null;
        await writeAudit(trx, { tenantId: l.tenantId, at: now, actor, action: before ? 'userLink.update' : 'userLink.create', entity: 'userLink', entityId: l.agentId, before, after: l });
      }
    });
  }

  async remove(tenantId: string, agentId: string, actor: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('user_links').selectAll().where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).executeTakeFirst();
      if (!before) return;
      await trx.deleteFrom('user_links').where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).execute();
      await writeAudit(trx, { tenantId, at: this.clock.now(), actor, action: 'userLink.delete', entity: 'userLink', entityId: agentId, before: toLink(before), after: null });
    });
  }
}
