import { AdminSightings } from '../../../../src/adapters/http/api/admin-sightings.js';
import { err, ok } from '../../../../src/domain/result.js';
import type { Caller, SsoVerifier } from '../../../../src/adapters/http/api/sso-token-verifier.js';
import type { TenantAdmin, TenantAdminStore } from '../../../../src/application/ports.js';
import { tenantAdminRole } from '../../../../src/compose/bot.js';
import { problem } from '../../../../src/adapters/http/api/api-problem.js';
import { ManualTime } from '../../../application/fakes/manual-time.js';
import { MemoryStore } from '../../../application/fakes/memory-store.js';
import { RecordingLogger } from '../../bot/support/bot-fakes.js';

const DAY = 24 * 3600 * 1000;
const adele: Caller = { tenantId: 't1', userId: 'aad-adele', name: 'Adele Admin', access: 'admin', token: 'sso' };
const sam: Caller = { tenantId: 't1', userId: 'aad-sam', name: 'Sam Support', access: 'support', token: 'sso' };
const nobody: Caller = { tenantId: 't1', userId: 'aad-nobody', name: 'No Role', access: 'none', token: 'sso' };

/** Counts writes, so "cheap" is a checked property and not a comment. */
class CountingAdmins implements TenantAdminStore {
  writes = 0;
  constructor(private readonly inner: TenantAdminStore) {}
  async record(a: TenantAdmin) {
    this.writes++;
    await this.inner.record(a);
  }
  async remove(t: string, id: string) {
    this.writes++;
    await this.inner.remove(t, id);
  }
  get(t: string, id: string) {
    return this.inner.get(t, id);
  }
  list(t: string) {
    return this.inner.list(t);
  }
}

describe("tenant admins learnt from the tab API's SSO callers (the bot's alert recipients)", () => {
  let time: ManualTime;
  let admins: CountingAdmins;
  let logger: RecordingLogger;
  let sightings: AdminSightings;
  beforeEach(() => {
    time = new ManualTime();
    admins = new CountingAdmins(new MemoryStore(time).tenantAdmins);
    logger = new RecordingLogger();
    sightings = new AdminSightings({ admins, clock: time, logger });
  });
  const verifierFor =
    (caller: Caller | undefined): SsoVerifier =>
    async () =>
      caller ? ok(caller) : err(problem(401, 'AUTH.INVALID_TOKEN', 'Unauthorized', 'bad token'));
  const roleOf = (c: Caller) => tenantAdminRole(admins)(c.tenantId, c.userId);

  it('an admin calling the tab API becomes an admin for the bot, a support user support; no role stays a member', async () => {
    expect(await roleOf(adele)).toBe('member');
    const verify = sightings.wrap(verifierFor(adele));
    expect(await verify('Bearer x')).toEqual(ok(adele));
    await sightings.seen(sam);
    await sightings.seen(nobody);
    expect(await roleOf(adele)).toBe('admin');
    expect(await roleOf(sam)).toBe('support');
    expect(await roleOf(nobody)).toBe('member');
    expect(await admins.get('t1', adele.userId)).toEqual({
      tenantId: 't1',
      aadObjectId: adele.userId,
      name: 'Adele Admin',
      source: 'sso',
      role: 'admin',
      lastSeen: time.now(),
    });
  });

  it('is cheap: one write on first sight, the next only after a day', async () => {
    await sightings.seen(adele);
    for (let i = 0; i < 50; i++) await sightings.seen(adele);
    await time.advance(DAY - 1);
    await sightings.seen(adele);
    expect(admins.writes).toBe(1);
    await time.advance(1);
    await sightings.seen(adele);
    expect(admins.writes).toBe(2);
    expect((await admins.get('t1', adele.userId))?.lastSeen).toBe(time.now());
  });

  it('an admin who comes back as support (admin role unassigned in Entra) stops being an alert recipient at once', async () => {
    await sightings.seen(adele);
    await sightings.seen({ ...adele, access: 'support' });
    expect(await roleOf(adele)).toBe('support');
  });

  it('a user who comes back without any role is forgotten at once', async () => {
    await sightings.seen(adele);
    await sightings.seen({ ...adele, access: 'none' });
    expect(await roleOf(adele)).toBe('member');
  });

  it('a refused token records nothing, and a failing store never fails the request', async () => {
    expect((await sightings.wrap(verifierFor(undefined))('Bearer forged')).ok).toBe(false);
    expect(admins.writes).toBe(0);
    const locked: TenantAdminStore = {
      record: async () => {
        throw new Error('database is locked');
      },
      remove: async () => undefined,
      get: async () => undefined,
      list: async () => [],
    };
    const broken = new AdminSightings({ admins: locked, clock: time, logger });
    await expect(broken.seen(adele)).resolves.toBeUndefined();
    expect(logger.lines.find((l) => l.msg === 'could not record a tenant admin sighting')?.obj).toMatchObject({
      tenantId: 't1',
      err: 'database is locked',
    });
  });

  it('a subscription owner who connects is recorded as an admin (source owner)', async () => {
    await sightings.seen({ tenantId: 't1', userId: 'aad-owner', name: 'owner@contoso', access: 'admin' }, 'owner');
    expect(await admins.get('t1', 'aad-owner')).toMatchObject({ source: 'owner' });
  });

  it('keeps tenants apart, and an activity without aadObjectId is never an admin', async () => {
    await sightings.seen(adele);
    expect(await tenantAdminRole(admins)('t2', adele.userId)).toBe('member');
    expect(await tenantAdminRole(admins)('t1', '')).toBe('member');
  });
});
