import { afterEach, describe, expect, it } from '@jest/globals';
import { startAdapterHarness, type AdapterHarness } from './graph-adapter-harness.js';

let h: AdapterHarness;
afterEach(async () => h?.close());

describe('GraphUserDirectory', () => {
  it('lists every user (id, UPN, mail) across pages for auto-matching', async () => {
    h = await startAdapterHarness(2100);
    const r = await h.adapter.users.listUsers();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toHaveLength(2100);
    expect(r.value[2099]).toEqual({
      id: h.tenant.users[2099]!.id,
      userPrincipalName: 'agent2099@contoso.test',
      mail: 'agent2099@contoso.test',
      displayName: 'Agent 2099',
    });
  });
});

describe('GraphUserDirectory.lookup', () => {
  it('finds a user by UPN or id and answers undefined for an unknown one', async () => {
    h = await startAdapterHarness(3);
    const u = h.tenant.users[2]!;
    expect(await h.adapter.users.lookup('agent2@contoso.test')).toMatchObject({
      ok: true,
      value: { id: u.id, mail: 'agent2@contoso.test' },
    });
    expect(await h.adapter.users.lookup(u.id)).toMatchObject({
      ok: true,
      value: { userPrincipalName: 'agent2@contoso.test' },
    });
    expect(await h.adapter.users.lookup('nobody@contoso.test')).toEqual({ ok: true, value: undefined });
  });
});

describe('Graph auth middleware', () => {
  it('fetches a fresh app token once when Graph answers 401 (token expired on the service clock)', async () => {
    h = await startAdapterHarness(1);
    const user = h.tenant.users[0]!.id;
    expect((await h.adapter.presence.read([user])).ok).toBe(true);
    h.emulator.control.advance(2 * 3600_000);
    expect(await h.adapter.presence.read([user])).toMatchObject({ ok: true, value: [{ userId: user }] });
  });

  it('reports a broken app credential as an Entra failure, not a crash', async () => {
    h = await startAdapterHarness(1);
    const { createGraphAdapter } = await import('../../../src/adapters/graph/graph-adapter.js');
    const app = h.tenant.apps[0]!;
    const broken = createGraphAdapter(
      {
        tenantId: h.tenant.id,
        clientId: app.clientId,
        clientSecret: 'wrong',
        authorityHost: h.emulator.authorityUrl,
        graphBaseUrl: h.emulator.url,
        caPem: h.emulator.caCertPem,
      },
      { clock: h.clock },
    );
    const r = await broken.presence.read([h.tenant.users[0]!.id]);
    await broken.close();
    expect(r).toMatchObject({ ok: false, error: { system: 'entra', code: 'invalid_client', transient: false } });
  });
});
