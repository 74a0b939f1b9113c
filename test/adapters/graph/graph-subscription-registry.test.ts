import { afterEach, describe, expect, it } from '@jest/globals';
import { startSubscriptionHarness, type SubscriptionHarness } from './subscription-harness.js';

let h: SubscriptionHarness;
afterEach(async () => h?.close());

const MIN = 60_000;

describe('GraphSubscriptionRegistry against the emulator', () => {
  it('snapshots, subscribes and receives decrypted notifications for 2,000 users across 4 owners', async () => {
    h = await startSubscriptionHarness(2000, 4);
    const ids = h.tenant.users.map((u) => u.id);
    const snapshot = await h.adapter.presence.read(ids);
    expect(snapshot.ok && snapshot.value.length).toBe(2000);
    const ensured = await h.registry().ensure(ids);
    expect(ensured.ok && ensured.value.map((s) => s.userCount)).toEqual([650, 650, 650, 50]);
    expect(new Set(h.emulator.control.subscriptions().map((s) => s.creatorId))).toEqual(new Set(h.owners));
    for (const id of ids) h.emulator.control.teams(id, 'call');
    await h.emulator.control.settle();
    // On a loaded machine a POST of 100 rich items can miss Graph's 3 s budget; Graph then retries (with backoff on its clock).
    for (let i = 0; i < 10 && new Set(h.receiver.notifications.map((n) => n.userId)).size < 2000; i += 1) {
      h.emulator.control.advance(60_000);
      await h.emulator.control.settle();
    }
    expect(h.receiver.rejected).toEqual([]);
    expect(new Set(h.receiver.notifications.map((n) => n.userId)).size).toBe(2000);
    expect(
      h.receiver.notifications.every(
        (n) => n.presence?.availability === 'Busy' && n.presence.activity === 'InACall' && n.sequenceNumber,
      ),
    ).toBe(true);
  });

  it('renews well before expiry, and a restarted registry resumes instead of duplicating', async () => {
    h = await startSubscriptionHarness(10, 1);
    const ids = h.tenant.users.map((u) => u.id);
    const first = await h.registry().ensure(ids);
    const subId = first.ok ? first.value[0]!.subscriptionId : '';
    const before = (await h.store.byId(subId))!.expiresAt;
    h.emulator.control.advance(40 * MIN);
    const again = await h.registry().ensure(ids);
    expect(again.ok && again.value[0]!.subscriptionId).toBe(subId);
    expect((await h.store.byId(subId))!.expiresAt).toBeGreaterThan(before);
    expect(h.emulator.control.subscriptions()).toHaveLength(1);
  });

  it('keeps a subscription whose renewal Graph refuses with 5xx until it expires, then recreates it once Graph answers again', async () => {
    h = await startSubscriptionHarness(10, 1);
    const ids = h.tenant.users.map((u) => u.id);
    const first = await h.registry().ensure(ids);
    const subId = first.ok ? first.value[0]!.subscriptionId : '';
    expect(first.ok && first.value[0]!.replaced?.reason).toBe('created');
    h.emulator.control.failRoute({
      path: String.raw`^/v1\.0/subscriptions`,
      method: 'PATCH',
      status: 503,
      untilMs: h.clock.now() + 60 * MIN,
    });
    h.emulator.control.failRoute({
      path: String.raw`^/v1\.0/subscriptions$`,
      method: 'POST',
      status: 503,
      untilMs: h.clock.now() + 60 * MIN,
    });
    h.emulator.control.advance(40 * MIN);
    const failing = await h.registry().ensure(ids);
    // The renewal failed, but the subscription still works for 15 minutes: it is not deleted.
    expect(failing.ok).toBe(false);
    expect(h.emulator.control.subscriptions().map((s) => s.id)).toEqual([subId]);
    h.emulator.control.advance(21 * MIN);
    const back = await h.registry().ensure(ids);
    expect(back.ok && back.value[0]!.replaced?.reason).toBe(`recreated: ${subId} had expired`);
    expect(h.emulator.control.subscriptions()).toHaveLength(1);
  });

  it('replaces a subscription made without resource data once rich notifications are on (and back when they are off)', async () => {
    h = await startSubscriptionHarness(10, 1, false);
    const ids = h.tenant.users.map((u) => u.id);
    const basic = await h.registry().ensure(ids);
    const basicId = basic.ok ? basic.value[0]!.subscriptionId : '';
    expect(h.emulator.control.subscriptions().map((s) => s.includeResourceData)).toEqual([false]);
    expect((await h.store.byId(basicId))!.encryptionCertificateId).toBeUndefined();

    const rich = await h.registry(true).ensure(ids);
    const richId = rich.ok ? rich.value[0]!.subscriptionId : '';
    expect(richId).not.toBe(basicId);
    expect(rich.ok && rich.value[0]!.replaced).toMatchObject({
      previousId: basicId,
      reason: `recreated: ${basicId} had no resource data encrypted to certificate notify-cert-1`,
    });
    expect(h.emulator.control.subscriptions().map((s) => [s.id, s.includeResourceData, s.certificate?.id])).toEqual([
      [richId, true, 'notify-cert-1'],
    ]);
    expect((await h.store.byId(richId))!.encryptionCertificateId).toBe('notify-cert-1');
    expect(await h.store.byId(basicId)).toBeUndefined();

    // Already as wanted: a restart keeps it.
    const kept = await h.registry(true).ensure(ids);
    expect(kept.ok && kept.value[0]!.subscriptionId).toBe(richId);
    expect(kept.ok && kept.value[0]!.replaced).toBeUndefined();

    const off = await h.registry(false).ensure(ids);
    expect(off.ok && off.value[0]!.replaced?.reason).toBe(`recreated: ${richId} carried resource data, now turned off`);
    expect(h.emulator.control.subscriptions().map((s) => s.includeResourceData)).toEqual([false]);
  });

  it('recreates only the subscription that gains a new user', async () => {
    h = await startSubscriptionHarness(700, 2, false);
    const ids = h.tenant.users.map((u) => u.id);
    const first = await h.registry().ensure(ids.slice(0, 690));
    const before = first.ok ? first.value.map((s) => s.subscriptionId) : [];
    const second = await h.registry().ensure(ids.slice(0, 691));
    const after = second.ok ? second.value.map((s) => s.subscriptionId) : [];
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(second.ok && second.value.map((s) => s.userCount)).toEqual([650, 41]);
  });

  it('renews on a reauthorizationRequired lifecycle event and delivery resumes', async () => {
    h = await startSubscriptionHarness(10, 1);
    const registry = h.registry();
    h.receiver.onLifecycle = (e) => registry.onLifecycle(e.subscriptionId, e.event);
    const ids = h.tenant.users.map((u) => u.id);
    await registry.ensure(ids);
    const sub = h.emulator.control.subscriptions()[0]!;
    h.emulator.control.requireReauthorization(sub.id);
    h.emulator.control.teams(ids[3]!, 'meeting');
    await h.emulator.control.settle();
    await h.receiver.idle();
    await h.emulator.control.settle();
    expect(h.receiver.lifecycle).toEqual([
      { subscriptionId: sub.id, tenantId: h.tenant.id, event: 'reauthorizationRequired' },
    ]);
    expect(h.receiver.notifications.map((n) => n.presence)).toEqual([{ availability: 'Busy', activity: 'InAMeeting' }]);
  });

  it('recovers a subscription Graph dropped silently', async () => {
    h = await startSubscriptionHarness(10, 1, false);
    const ids = h.tenant.users.map((u) => u.id);
    await h.registry().ensure(ids);
    expect(await h.registry().findDropped()).toEqual([]);
    const dropped = h.emulator.control.subscriptions()[0]!.id;
    h.emulator.control.dropSubscription(dropped);
    // Graph sends nothing about it: only asking for the subscription tells.
    expect(await h.registry().findDropped()).toEqual([
      { ownerId: expect.any(String), subscriptionId: dropped, userIds: expect.arrayContaining(ids) },
    ]);
    h.emulator.control.teams(ids[1]!, 'call');
    await h.emulator.control.settle();
    expect(h.receiver.notifications).toHaveLength(0);
    const r = await h.registry().ensure(ids);
    expect(r.ok && r.value[0]!.subscriptionId).not.toBe(dropped);
    expect(await h.registry().findDropped()).toEqual([]);
    h.emulator.control.teams(ids[1]!, 'signedIn');
    await h.emulator.control.settle();
    expect(h.receiver.notifications.map((n) => n.userId)).toEqual([ids[1]]);
    expect(h.receiver.notifications[0]!.presence).toBeUndefined();
  });

  it("keeps the other owners' subscriptions when one owner's sign-in breaks", async () => {
    h = await startSubscriptionHarness(1300, 2);
    const ids = h.tenant.users.map((u) => u.id);
    await h.registry().ensure(ids);
    h.emulator.control.revokeUser(h.owners[1]!);
    h.emulator.control.advance(56 * MIN);
    const r = await h.registry().ensure(ids);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.ok && r.value.map((s) => s.healthy)).toEqual([true, false]);
    expect(h.tokens.health().find((o) => o.ownerId === h.owners[1])).toMatchObject({ healthy: false });
    expect(h.emulator.control.subscriptions().map((s) => s.creatorId)).toEqual([h.owners[0]]);
  });
});
