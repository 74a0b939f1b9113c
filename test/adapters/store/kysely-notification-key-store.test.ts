import type { NotificationKey, StoredSubscription } from '../../../src/application/ports.js';
import { loadNotificationEncryption } from '../../../src/adapters/graph/graph-notification-keys.js';
import { StoreSecretError } from '../../../src/adapters/store/store-errors.js';
import { freshTenant, openTestStore, testDialects, testKey, TestClock, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

const PEM = (n: string) => `-----BEGIN PRIVATE KEY-----\nsecret-${n}\n-----END PRIVATE KEY-----\n`;
const key = (n: string, createdAt = 1_000): NotificationKey => ({
  certificateId: `cert-${n}`,
  certificate: Buffer.from(`der-${n}`).toString('base64'),
  privateKeyPem: PEM(n),
  createdAt,
});

for (const dialect of DIALECTS) {
  describe(`[${dialect}] rich-notification keys`, () => {
    let t: TestStore;
    beforeEach(async () => {
      t = await openTestStore(dialect);
    });
    afterEach(async () => {
      await t?.close();
    });

    it('keeps the first key offered; later candidates get that one back', async () => {
      expect(await t.store.notificationKeys.all()).toEqual([]);
      expect(await t.store.notificationKeys.currentOrAdd(key('a'))).toEqual(key('a'));
      expect(await t.store.notificationKeys.currentOrAdd(key('b', 2_000))).toEqual(key('a'));
      expect(await t.store.notificationKeys.all()).toEqual([key('a')]);
    });

    it('seals the private key at rest (AES-256-GCM envelope, no PEM in the row)', async () => {
      await t.store.notificationKeys.currentOrAdd(key('a'));
      const rows = await t.raw('select certificate_id, certificate, sealed_private_key from notification_keys');
      expect(rows).toHaveLength(1);
      expect(String(rows[0]!['sealed_private_key'])).toMatch(/^v1\./);
      expect(String(rows[0]!['sealed_private_key'])).not.toContain('secret-a');
      expect(rows[0]!['certificate']).toBe(key('a').certificate);
    });

    it('survives a restart with the same secret key, and refuses to open under another one', async () => {
      await t.store.notificationKeys.currentOrAdd(key('a'));
      // A new process on the same database (the first one keeps running: as good as closed for this).
      const reopened = await t.handle.open(t.keys, new TestClock());
      expect(await reopened.notificationKeys.all()).toEqual([key('a')]);
      await reopened.close();
      const wrong = await t.handle.open([testKey()], new TestClock());
      await expect(wrong.notificationKeys.all()).rejects.toBeInstanceOf(StoreSecretError);
      await wrong.close();
    });

    it('instances starting together end up with one key: the first writer wins', async () => {
      const other = await t.handle.open(t.keys, new TestClock());
      const [a, b] = await Promise.all([
        t.store.notificationKeys.currentOrAdd(key('a')),
        other.notificationKeys.currentOrAdd(key('b')),
      ]);
      expect(a).toEqual(b);
      expect(await other.notificationKeys.all()).toHaveLength(1);
      await other.close();
    });

    it('generates a real key pair on first need only, and the stored one decrypts on a second instance', async () => {
      const clock = new TestClock();
      const first = await loadNotificationEncryption(t.store.notificationKeys, { rich: true, clock });
      expect(first.certificate?.certificateId).toMatch(/^presence-sync-/);
      expect(first.keys).toHaveLength(1);
      const other = await t.handle.open(t.keys, clock);
      const second = await loadNotificationEncryption(other.notificationKeys, { rich: true, clock });
      expect(second.certificate).toEqual(first.certificate);
      expect(second.keys[0]!.thumbprint).toBe(first.keys[0]!.thumbprint);
      expect(second.keys[0]!.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      // Off: nothing new is generated, but the stored key still decrypts what is on its way.
      const off = await loadNotificationEncryption(other.notificationKeys, { rich: false, clock });
      expect(off.certificate).toBeUndefined();
      expect(off.keys.map((k) => k.certificateId)).toEqual([first.certificate!.certificateId]);
      await other.close();
    }, 20_000);

    it('off on an empty store generates nothing', async () => {
      const off = await loadNotificationEncryption(t.store.notificationKeys, { rich: false, clock: new TestClock() });
      expect(off).toEqual({ keys: [] });
      expect(await t.store.notificationKeys.all()).toEqual([]);
    });

    it('remembers which certificate a subscription was created with (none for a basic one)', async () => {
      const tenantId = freshTenant();
      const base: StoredSubscription = {
        tenantId,
        subscriptionId: `${tenantId}-s1`,
        ownerId: 'o1',
        resource: 'r',
        userIds: ['u1'],
        clientState: 'cs',
        expiresAt: 5_000,
        createdAt: 1_000,
      };
      await t.store.subscriptions.put(base);
      expect(await t.store.subscriptions.byId(base.subscriptionId)).toEqual(base);
      await t.store.subscriptions.put({ ...base, encryptionCertificateId: 'cert-a' });
      expect(await t.store.subscriptions.byId(base.subscriptionId)).toEqual({
        ...base,
        encryptionCertificateId: 'cert-a',
      });
      expect((await t.store.subscriptions.list(tenantId))[0]?.encryptionCertificateId).toBe('cert-a');
    });
  });
}
