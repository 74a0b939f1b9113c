import type { Kysely, Selectable } from 'kysely';
import type { ConversationRef, ConversationStore } from '../../application/ports.js';
import { jsonRecordSchema, readJson } from './kysely-row-codec.js';
import type { ConversationRefsTable, Database } from './kysely-schema.js';
import { StoreCorruptRowError } from './store-errors.js';

const SCOPES = ['personal', 'team', 'groupChat'] as const;

const toRef = (r: Selectable<ConversationRefsTable>): ConversationRef => {
  const id = `${r.tenant_id}/${r.conversation_id}`;
  const scope = SCOPES.find((s) => s === r.scope);
  if (!scope) throw new StoreCorruptRowError('conversation_refs', id, `unknown scope ${r.scope}`);
  return {
    tenantId: r.tenant_id,
    conversationId: r.conversation_id,
    reference: readJson(jsonRecordSchema, r.reference, 'conversation_refs', id),
    scope,
    ...(r.installed_by === null ? {} : { installedBy: r.installed_by }),
  };
};

/** Bot conversation references for proactive messages, one per (tenant, conversation). */
export class KyselyConversationStore implements ConversationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(ref: ConversationRef): Promise<void> {
    const row = { reference: JSON.stringify(ref.reference), scope: ref.scope, installed_by: ref.installedBy ?? null };
    await this.db
      .insertInto('conversation_refs')
      .values({ tenant_id: ref.tenantId, conversation_id: ref.conversationId, ...row })
      .onConflict((oc) => oc.columns(['tenant_id', 'conversation_id']).doUpdateSet(row))
      .execute();
  }

  async remove(tenantId: string, conversationId: string): Promise<void> {
    await this.db
      .deleteFrom('conversation_refs')
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .execute();
  }

  async list(tenantId: string): Promise<readonly ConversationRef[]> {
    const rows = await this.db
      .selectFrom('conversation_refs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('conversation_id')
      .execute();
    return rows.map(toRef);
  }
}
