import { GraphConsentVerifier } from '../../../src/adapters/graph/graph-consent-verifier.js';
import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { startHarness, type Harness } from '../../sandbox/graph/graph-emulator-harness.js';

/** Over HTTP against the emulated Entra: an app-only token exists only where the app is consented. */
describe('GraphConsentVerifier', () => {
  let h: Harness;
  let transport: ReturnType<typeof createHttpTransport>;
  let verifier: GraphConsentVerifier;

  beforeAll(async () => {
    h = await startHarness(1);
    transport = createHttpTransport({ timeoutMs: 5_000, extraCaPem: h.emulator.caCertPem });
    const app = h.tenant.apps[0]!;
    verifier = new GraphConsentVerifier(
      { clientId: app.clientId, clientSecret: app.clientSecret, authorityHost: h.emulator.authorityUrl },
      transport.fetch,
    );
  });
  afterAll(async () => {
    await transport.close();
    await h.close();
  });

  it("reads the application permissions granted in a consented tenant from Entra's app-only token", async () => {
    const r = await verifier.grantedRoles(h.tenant.id);
    expect(r).toEqual({ ok: true, value: expect.arrayContaining(['Presence.ReadWrite.All', 'User.Read.All']) });
  });

  it('fails, not transiently, for a tenant where the app has no service principal', async () => {
    const r = await verifier.grantedRoles('0c0c0c0c-0000-4000-8000-000000000000');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ system: 'entra', transient: false });
  });
});
