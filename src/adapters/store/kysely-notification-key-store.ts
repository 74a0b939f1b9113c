import type { Kysely, Selectable } from 'kysely';
import type { NotificationKey, NotificationKeyStore } from '../../application/ports.js';
import { CryptoBoxError, type CryptoBox } from './crypto-box.js';
import type { Database, NotificationKeysTable } from './kysely-schema.js';
import { StoreSecretError } from './store-errors.js';

const CURRENT = 'current';

/**
 * The rich-notification key pair, shared by every instance through the store. The private key is
 * sealed with the store's AES-256-GCM box bound to its certificate id (a sealed key copied onto
 * another row does not open); the certificate is public and kept as is.
 */
export class KyselyNotificationKeyStore implements NotificationKeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: CryptoBox,
  ) {}

  async currentOrAdd(candidate: NotificationKey): Promise<NotificationKey> {
    const row = {
      slot: CURRENT,
      certificate_id: candidate.certificateId,
      certificate: candidate.certificate,
      sealed_private_key: this.box.seal(candidate.privateKeyPem, aad(candidate.certificateId)),
      created_at: candidate.createdAt,
    };
    // Insert-or-nothing on the fixed slot, then read back: whoever inserted first defines the key for all.
    await this.db
      .insertInto('notification_keys')
      .values(row)
      .onConflict((oc) => oc.column('slot').doNothing())
      .execute();
    const stored = await this.db
      .selectFrom('notification_keys')
      .selectAll()
      .where('slot', '=', CURRENT)
      .executeTakeFirstOrThrow();
    return this.#open(stored);
  }

  async all(): Promise<readonly NotificationKey[]> {
    const rows = await this.db.selectFrom('notification_keys').selectAll().orderBy('created_at', 'desc').execute();
    const ordered = [...rows.filter((r) => r.slot === CURRENT), ...rows.filter((r) => r.slot !== CURRENT)];
    return ordered.map((r) => this.#open(r));
  }

  #open(r: Selectable<NotificationKeysTable>): NotificationKey {
    let privateKeyPem: string;
    try {
      privateKeyPem = this.box.open(r.sealed_private_key, aad(r.certificate_id));
    } catch (e) {
      if (e instanceof CryptoBoxError)
        throw new StoreSecretError(`Notification key ${r.certificate_id} cannot be decrypted: ${e.message}`, {
          cause: e,
        });
      throw e;
    }
    return {
      certificateId: r.certificate_id,
      certificate: r.certificate,
      privateKeyPem,
      createdAt: Number(r.created_at),
    };
  }
}

const aad = (certificateId: string): string => `notification_keys|${certificateId}`;
