import type { Clock, ExternalFailure } from '../../application/ports.js';
import type { AcdContact } from '../../domain/agent-state.js';
import { ok, type Result } from '../../domain/result.js';
import type { CxoneApiClient } from './cxone-api-client.js';
import { classifyContact } from './cxone-contact-classifier.js';
import {
  activeContactsPageSchema,
  skillSchema,
  type ActiveContact,
  type ActiveContactsPage,
  type RtdAgentState,
} from './cxone-schemas.js';

/** A backstop (~470 bytes a contact: ~24 MB); the idle rule below keeps the cache far smaller. */
const MAX_CACHED_CONTACTS = 50_000;
/**
 * A contact no agent's latest record names any more is forgotten after this. The wait covers a
 * contact passing between agents across two polls (transfer, consult); the delta read would not
 * return an unchanged contact again.
 */
const IDLE_CONTACT_MS = 5 * 60_000;
const PAGE_SIZE = '1000';

/**
 * Joins agent states with `GET /contacts/active` (and `GET /skills/{id}` when a record carries no
 * media type) to classify contacts (reference §3.4). Contacts are read by delta (`updatedSince`)
 * and only when a poll shows a contact id not seen yet, so a quiet contact centre costs nothing.
 *
 * A contact is kept while an agent's latest record names it (a two-hour call, then its after-call
 * work, still needs it), and for IDLE_CONTACT_MS after that: the cache holds about one contact
 * per busy agent plus those of the last minutes, not every contact since start, which grew at
 * the rate contacts end until the backstop (the soak: ~200 contacts/min per tenant).
 */
export class CxoneContactLookup {
  private readonly contacts = new Map<string, ActiveContact>();
  /** Cached contacts no agent's latest record names, since when (oldest first). */
  private readonly idle = new Map<string, number>();
  /** How many agents' latest records name each contact. */
  private readonly holders = new Map<string, number>();
  /** Each agent's latest record: the contact it names and its lastUpdateTime (a replayed older record changes nothing). */
  private readonly agentContact = new Map<string, { readonly contactId: string | undefined; readonly at: number }>();
  private readonly skillMedia = new Map<string, number>();
  private cursor: string | undefined;

  constructor(
    private readonly api: CxoneApiClient,
    private readonly clock: Clock,
  ) {}

  /** Contacts cached (for tests and the soak's memory report). */
  get size(): number {
    return this.contacts.size;
  }

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
    for (const r of records) this.hold(r.agentId, r.contactId, Date.parse(r.lastUpdateTime));
    this.forgetIdle();
    return ok(out);
  }

  private hold(agentId: string, contactId: string | undefined, at: number): void {
    const before = this.agentContact.get(agentId);
    if (before && (at < before.at || Number.isNaN(at))) return;
    this.agentContact.set(agentId, { contactId, at });
    if (before?.contactId === contactId) return;
    if (contactId !== undefined) {
      this.holders.set(contactId, (this.holders.get(contactId) ?? 0) + 1);
      this.idle.delete(contactId);
    }
    if (before?.contactId === undefined) return;
    const left = (this.holders.get(before.contactId) ?? 1) - 1;
    if (left > 0) return void this.holders.set(before.contactId, left);
    this.holders.delete(before.contactId);
    if (this.contacts.has(before.contactId)) this.idle.set(before.contactId, this.clock.now());
  }

  private forgetIdle(): void {
    const before = this.clock.now() - IDLE_CONTACT_MS;
    for (const [contactId, since] of this.idle) {
      if (since > before) break;
      this.idle.delete(contactId);
      this.contacts.delete(contactId);
    }
  }

  private async fetchContacts(): Promise<Result<void, ExternalFailure>> {
    let next: string | undefined = '/contacts/active';
    let query: Record<string, string> = { top: PAGE_SIZE, ...(this.cursor ? { updatedSince: this.cursor } : {}) };
    let pollTime: string | undefined;
    while (next) {
      const page: Result<ActiveContactsPage | undefined, ExternalFailure> = await this.api.get(
        next,
        activeContactsPageSchema,
        query,
      );
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
    // Idle until a record names it (usually in the same poll): a contact no agent takes is forgotten.
    if (!this.holders.has(c.contactId)) {
      this.idle.delete(c.contactId);
      this.idle.set(c.contactId, this.clock.now());
    }
    // Oldest first out: Map iteration order is insertion order.
    while (this.contacts.size > MAX_CACHED_CONTACTS) {
      const oldest = this.contacts.keys().next().value!;
      this.contacts.delete(oldest);
      this.idle.delete(oldest);
    }
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
