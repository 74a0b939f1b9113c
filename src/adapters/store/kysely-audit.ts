import type { Kysely } from 'kysely';
import type { AuditEntry } from '../../application/ports.js';
import type { Database } from './kysely-schema.js';

const toRow = (entry: AuditEntry) => ({
  tenant_id: entry.tenantId,
  at: entry.at,
  actor: entry.actor,
  action: entry.action,
  entity: entry.entity,
  entity_id: entry.entityId,
  before: entry.before === undefined ? null : JSON.stringify(entry.before),
  after: entry.after === undefined ? null : JSON.stringify(entry.after),
});

/** Appends audit entries; called inside the transaction of the change they record. */
export async function writeAudit(db: Kysely<Database>, ...entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insertInto('audit_log').values(entries.map(toRow)).execute();
}
