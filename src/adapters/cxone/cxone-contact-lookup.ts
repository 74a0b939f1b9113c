import type { ExternalFailure } from '../../application/ports.js';
import type { AcdContact } from '../../domain/agent-state.js';
import { ok, type Result } from '../../domain/result.js';
import type { CxoneApiClient } from './cxone-api-client.js';
import { classifyContact } from './cxone-contact-classifier.js';
import { activeContactsPageSchema, skillSchema, type ActiveContact, type ActiveContactsPage, type RtdAgentState } from './cxone-schemas.js';

const MAX_CACHED_CONTACTS = 50_000;
const PAGE_SIZE = '1000';

/**
 * Joins agent states with `GET /contacts/active` (and `GET /skills/{id}` when a record carries no
 * media type) to classify contacts (reference §3.4). Contacts are read by delta (`updatedSince`)
 * and only when a poll shows a contact id not seen yet, so a quiet contact centre costs nothing.
 */
export class CxoneContactLookup {
  private readonly contacts = new Map<string, ActiveContact>();
  private readonly skillMedia = new Map<string, number>();
  private cursor: string | undefined;

  constructor(private readonly api: CxoneApiClient) {}

  /** Domain contacts by contact id for the given records; a failed read degrades to state-only classification. */
  async classify(records: readonly RtdAgentState[]): Promise<Result<Map<string, AcdContact>, ExternalFailure>> {
    const unknown = records.some((r) => r.contactId !== undefined && !this.contacts.has(r.contactId));
    if (unknown) {
      const fetched = await this.fetchContacts();
      if (!fetched.ok) return fetched;
    }
    const out = new Map<string, AcdContact>();
    for (const r of records) {
      if (r.contactId === undefined) continue;
      const contact = this.contacts.get(r.contactId);
      const skillMedia = !r.mediaTypeId && !contact?.mediaTypeId ? await this.mediaOfSkill(r.skillId) : undefined;
      const c = classifyContact(r, contact, skillMedia);
      if (c) out.set(r.contactId, c);
    }
    return ok(out);
  }

  private async fetchContacts(): Promise<Result<void, ExternalFailure>> {
    let next: string | undefined = '/contacts/active';
    let query: Record<string, string> = { top: PAGE_SIZE, ...(this.cursor ? { updatedSince: this.cursor } : {}) };
    let pollTime: string | undefined;
    while (next) {
      const page: Result<ActiveContactsPage | undefined, ExternalFailure> = await this.api.get(next, activeContactsPageSchema, query);
      if (!page.ok) return page;
      for (const c of page.value?.activeContacts ?? []) this.remember(c);
      pollTime ??= page.value?.lastPollTime;
      next = page.value?._links?.next ?? undefined;
      query = {};
    }
    if (pollTime) this.cursor = pollTime;
    return ok(undefined);
  }

  private remember(c: ActiveContact): void {
    this.contacts.delete(c.contactId);
    this.contacts.set(c.contactId, c);
    // Oldest first out: Map iteration order is insertion order.
    while (this.contacts.size > MAX_CACHED_CONTACTS) this.contacts.delete(this.contacts.keys().next().value!);
  }

  private async mediaOfSkill(skillId: string | undefined): Promise<number | undefined> {
    if (skillId === undefined) return undefined;
    if (!this.skillMedia.has(skillId)) {
      const r = await this.api.get(`/skills/${encodeURIComponent(skillId)}`, skillSchema);
      if (!r.ok || !r.value) return undefined;
      this.skillMedia.set(skillId, r.value.mediaTypeId);
    }
    return this.skillMedia.get(skillId);
  }
}
