import { afterEach, describe, expect, it } from '@jest/globals';
import { GraphOwnerTokens } from '../../../src/adapters/graph/graph-owner-tokens.js';
import { startAdapterHarness, type AdapterHarness } from './graph-adapter-harness.js';
import { InMemoryConnections } from './fakes.js';

let h: AdapterHarness;
afterEach(async () => h?.close());

async function connectedOwner(): Promise<{
  tokens: GraphOwnerTokens;
  connections: InMemoryConnections;
  ownerId: string;
}> {
  h = await startAdapterHarness(2);
  const app = h.tenant.apps[0]!;
  const connections = new InMemoryConnections();
  const opts = {
    tenantId: h.tenant.id,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    authorityHost: h.emulator.authorityUrl,
    graphBaseUrl: h.emulator.url,
    caPem: h.emulator.caCertPem,
  };
  const tokens = new GraphOwnerTokens(opts, h.adapter.transport.fetch, connections, 'tenant-a', h.clock);
  const ownerId = h.tenant.users[1]!.id;
  const r = await tokens.connectWithSsoToken(
    ownerId,
    await h.userToken(1, `api://contoso.test/${app.clientId}/access_as_user`),
  );
  expect(r.ok).toBe(true);
  return { tokens, connections, ownerId };
}

describe('GraphOwnerTokens (delegated tokens of subscription owners)', () => {
  it("keeps MSAL's own token cache in the tenant connection, and MSAL refreshes from it before expiry", async () => {
    const { tokens, connections, ownerId } = await connectedOwner();
    const stored = await connections.getConnection('tenant-a', `owner:${ownerId}`);
    expect(Object.keys(stored ?? {})).toEqual(['msalCache']);
    expect(JSON.parse(stored!['msalCache']!)).toHaveProperty('RefreshToken');
    const first = await tokens.token(ownerId);
    h.emulator.control.advance(56 * 60_000);
    const second = await tokens.token(ownerId);
    expect(second.ok && first.ok && second.value !== first.value).toBe(true);
    expect((await connections.getConnection('tenant-a', `owner:${ownerId}`))?.['msalCache']).not.toBe(
      stored?.['msalCache'],
    );
  });

  it('hands a refresh token stored before MSAL kept the cache to MSAL once, then keeps only its cache', async () => {
    const { tokens, connections, ownerId } = await connectedOwner();
    const legacy = JSON.parse((await connections.getConnection('tenant-a', `owner:${ownerId}`))!['msalCache']!) as {
      RefreshToken: Record<string, { secret: string }>;
    };
    const fresh = new GraphOwnerTokens(
      tokens['options' as never],
      h.adapter.transport.fetch,
      connections,
      'tenant-a',
      h.clock,
    );
    await fresh.connectWithRefreshToken(ownerId, Object.values(legacy.RefreshToken)[0]!.secret);
    expect(await fresh.token(ownerId)).toMatchObject({ ok: true });
    expect(Object.keys((await connections.getConnection('tenant-a', `owner:${ownerId}`)) ?? {})).toEqual(['msalCache']);
  });

  it('reports a revoked sign-in as an unhealthy owner with the Entra reason', async () => {
    const { tokens, ownerId } = await connectedOwner();
    h.emulator.control.revokeUser(ownerId);
    const r = await tokens.token(ownerId, true);
    expect(r).toMatchObject({ ok: false, error: { system: 'entra', code: 'invalid_grant', transient: false } });
    expect(tokens.health()).toEqual([{ ownerId, healthy: false, detail: expect.stringContaining('invalid_grant') }]);
    // What the Health Check's owner component and the bot's alert card show: the owner must sign in again.
    expect(!r.ok && r.error.message).toContain('must sign in again');
  });

  it('reports an owner who never signed in', async () => {
    const { tokens } = await connectedOwner();
    expect(await tokens.token('nobody')).toMatchObject({ ok: false, error: { code: 'OWNER_NOT_CONNECTED' } });
  });
});
