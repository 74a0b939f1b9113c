import type { Kysely } from 'kysely';
import { StoreConflictError, type AuditEntry, type Clock, type RuleStore } from '../../application/ports.js';
import type { PresenceRule } from '../../domain/presence-rule.js';
import { writeAudit } from './kysely-audit.js';
import { anyJsonSchema, presenceRuleSchema, readJson } from './kysely-row-codec.js';
import type { Database } from './kysely-schema.js';
import { conflictOnClash } from './store-errors.js';

/**
 * Presence rules as JSON documents with an indexed (tenant, id, version). Every change writes an
 * audit entry in the same transaction. Concurrent edits: the UPDATE is guarded by the version
 * read, so of two racing saves one fails with StoreConflictError even without `expectedVersion`.
 */
export class KyselyRuleStore implements RuleStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async list(tenantId: string): Promise<readonly PresenceRule[]> {
    const rows = await this.db
      .selectFrom('presence_rules')
      .select(['id', 'body'])
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map((r) => readJson(presenceRuleSchema, r.body, 'presence_rules', `${tenantId}/${r.id}`));
  }

  get(tenantId: string, ruleId: string): Promise<PresenceRule | undefined> {
    return this.read(this.db, tenantId, ruleId);
  }

  async save(rule: PresenceRule, actor: string, expectedVersion?: number): Promise<PresenceRule> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.read(trx, rule.tenantId, rule.id);
      const current = before?.version ?? 0;
      if (expectedVersion !== undefined && expectedVersion !== current) {
        throw new StoreConflictError(
          `Rule ${rule.id} is at version ${current}, not ${expectedVersion}: it was changed meanwhile`,
        );
      }
      const saved: PresenceRule = { ...rule, version: current + 1 };
      const now = this.clock.now();
      const row = { version: saved.version, name: saved.name, body: JSON.stringify(saved), updated_at: now };
      if (before) {
        const res = await trx
          .updateTable('presence_rules')
          .set(row)
          .where('tenant_id', '=', rule.tenantId)
          .where('id', '=', rule.id)
          .where('version', '=', current)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw new StoreConflictError(`Rule ${rule.id} was changed meanwhile`);
      } else {
        await conflictOnClash(`Rule ${rule.id} was created meanwhile`, () =>
          trx
            .insertInto('presence_rules')
            .values({ tenant_id: rule.tenantId, id: rule.id, ...row })
            .execute(),
        );
      }
      await writeAudit(trx, entry(rule, actor, now, before ? 'rule.update' : 'rule.create', before ?? null, saved));
      return saved;
    });
  }

  async delete(tenantId: string, ruleId: string, actor: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.read(trx, tenantId, ruleId);
      if (!before) return false;
      await trx.deleteFrom('presence_rules').where('tenant_id', '=', tenantId).where('id', '=', ruleId).execute();
      await writeAudit(trx, entry(before, actor, this.clock.now(), 'rule.delete', before, null));
      return true;
    });
  }

  async recordAudit(entry: AuditEntry): Promise<void> {
    await writeAudit(this.db, entry);
  }

  async audit(tenantId: string, limit: number): Promise<readonly AuditEntry[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      before: r.before === null ? null : readJson(anyJsonSchema, r.before, 'audit_log', String(r.seq)),
      after: r.after === null ? null : readJson(anyJsonSchema, r.after, 'audit_log', String(r.seq)),
    }));
  }

  private async read(db: Kysely<Database>, tenantId: string, ruleId: string): Promise<PresenceRule | undefined> {
    const row = await db
      .selectFrom('presence_rules')
      .select('body')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', ruleId)
      .executeTakeFirst();
    return row && readJson(presenceRuleSchema, row.body, 'presence_rules', `${tenantId}/${ruleId}`);
  }
}

const entry = (
  rule: Pick<PresenceRule, 'tenantId' | 'id'>,
  actor: string,
  at: number,
  action: string,
  before: unknown,
  after: unknown,
): AuditEntry => ({
  tenantId: rule.tenantId,
  at,
  actor,
  action,
  entity: 'rule',
  entityId: rule.id,
  before,
  after,
});
