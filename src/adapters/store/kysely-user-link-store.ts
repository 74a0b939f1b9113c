import type { Kysely, Selectable } from 'kysely';
import { StoreConflictError, type Clock, type UserLink, type UserLinkStore } from '../../application/ports.js';
import { writeAudit } from './kysely-audit.js';
import type { Database, UserLinksTable } from './kysely-schema.js';
import { chunks } from './store-chunks.js';
import { conflictOnClash, StoreCorruptRowError } from './store-errors.js';

const SOURCES = ['auto', 'manual', 'import'] as const;

const toLink = (r: Selectable<UserLinksTable>): UserLink => {
  const source = SOURCES.find((s) => s === r.source);
  if (!source)
    throw new StoreCorruptRowError('user_links', `${r.tenant_id}/${r.agent_id}`, `unknown source ${r.source}`);
  return {
    tenantId: r.tenant_id,
    agentId: r.agent_id,
    teamsUserId: r.teams_user_id,
    source,
    ...(r.email === null ? {} : { email: r.email }),
  };
};

const byTenant = (links: readonly UserLink[]): Map<string, UserLink[]> => {
  const groups = new Map<string, UserLink[]>();
  for (const l of links) groups.set(l.tenantId, [...(groups.get(l.tenantId) ?? []), l]);
  return groups;
};

/** The first value that occurs twice, if any. */
const duplicate = (values: readonly string[]): string | undefined => values.find((v, i) => values.indexOf(v) !== i);

/**
 * ACD agent ↔ Entra user links, unique per tenant on both sides (two database constraints).
 * `put` replaces the links of the given agents in one transaction, set-wise (an import of
 * thousands of links is a handful of statements): a link whose Teams user stays linked to
 * another agent fails the whole batch with StoreConflictError naming them.
 */
export class KyselyUserLinkStore implements UserLinkStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async list(tenantId: string): Promise<readonly UserLink[]> {
    const rows = await this.db
      .selectFrom('user_links')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('agent_id')
      .execute();
    return rows.map(toLink);
  }

  async byAgent(tenantId: string, agentId: string): Promise<UserLink | undefined> {
    const row = await this.db
      .selectFrom('user_links')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .executeTakeFirst();
    return row && toLink(row);
  }

  byAgents(tenantId: string, agentIds: readonly string[]): Promise<readonly UserLink[]> {
    return this.#linksWhere(tenantId, 'agent_id', agentIds);
  }

  byTeamsUsers(tenantId: string, teamsUserIds: readonly string[]): Promise<readonly UserLink[]> {
    return this.#linksWhere(tenantId, 'teams_user_id', teamsUserIds);
  }

  /** The tenant's links whose `column` is one of `ids`, a chunk of ids per statement. */
  async #linksWhere(
    tenantId: string,
    column: 'agent_id' | 'teams_user_id',
    ids: readonly string[],
  ): Promise<readonly UserLink[]> {
    const links: UserLink[] = [];
    for (const part of chunks([...new Set(ids)])) {
      const rows = await this.db
        .selectFrom('user_links')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where(column, 'in', part)
        .execute();
      links.push(...rows.map(toLink));
    }
    return links;
  }

  async byTeamsUser(tenantId: string, teamsUserId: string): Promise<UserLink | undefined> {
    const row = await this.db
      .selectFrom('user_links')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('teams_user_id', '=', teamsUserId)
      .executeTakeFirst();
    return row && toLink(row);
  }

  async put(links: readonly UserLink[], actor: string): Promise<void> {
    const groups = byTenant(links);
    for (const group of groups.values()) {
      const twice = duplicate(group.map((l) => l.agentId)) ?? duplicate(group.map((l) => l.teamsUserId));
      if (twice !== undefined) throw new StoreConflictError(`${twice} appears in more than one link of the batch`);
    }
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      for (const [tenantId, group] of groups) await this.replace(trx, tenantId, group, actor, now);
    });
  }

  /** Delete every agent of the batch first, then insert: links may move Teams users among themselves. */
  private async replace(
    trx: Kysely<Database>,
    tenantId: string,
    group: readonly UserLink[],
    actor: string,
    now: number,
  ): Promise<void> {
    const befores = new Map<string, UserLink>();
    for (const part of chunks(group.map((l) => l.agentId))) {
      const rows = await trx
        .selectFrom('user_links')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('agent_id', 'in', part)
        .execute();
      for (const r of rows) befores.set(r.agent_id, toLink(r));
      await trx.deleteFrom('user_links').where('tenant_id', '=', tenantId).where('agent_id', 'in', part).execute();
    }
    for (const part of chunks(group)) {
      const taken = await trx
        .selectFrom('user_links')
        .select(['agent_id', 'teams_user_id'])
        .where('tenant_id', '=', tenantId)
        .where(
          'teams_user_id',
          'in',
          part.map((l) => l.teamsUserId),
        )
        .executeTakeFirst();
      if (taken)
        throw new StoreConflictError(`Teams user ${taken.teams_user_id} is already linked to agent ${taken.agent_id}`);
      await conflictOnClash('A Teams user of the batch was linked to another agent meanwhile', () =>
        trx
          .insertInto('user_links')
          .values(
            part.map((l) => ({
              tenant_id: tenantId,
              agent_id: l.agentId,
              teams_user_id: l.teamsUserId,
              source: l.source,
              email: l.email ?? null,
              updated_at: now,
            })),
          )
          .execute(),
      );
      await writeAudit(
        trx,
        ...part.map((l) => {
          const before = befores.get(l.agentId) ?? null;
          return {
            tenantId,
            at: now,
            actor,
            action: before ? 'userLink.update' : 'userLink.create',
            entity: 'userLink',
            entityId: l.agentId,
            before,
            after: l,
          };
        }),
      );
    }
  }

  async remove(tenantId: string, agentId: string, actor: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('user_links')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('agent_id', '=', agentId)
        .executeTakeFirst();
      if (!before) return;
      await trx.deleteFrom('user_links').where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).execute();
      await writeAudit(trx, {
        tenantId,
        at: this.clock.now(),
        actor,
        action: 'userLink.delete',
        entity: 'userLink',
        entityId: agentId,
        before: toLink(before),
        after: null,
      });
    });
  }
}
