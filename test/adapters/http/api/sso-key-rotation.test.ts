import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { createHttpTransport } from '../../../../src/adapters/shared/http-transport.js';
import { createSsoVerifier } from '../../../../src/adapters/http/api/sso-token-verifier.js';
import { startHarness, type Harness } from '../../../sandbox/graph/graph-emulator-harness.js';

let h: Harness;
let transport: ReturnType<typeof createHttpTransport>;
beforeAll(async () => {
  h = await startHarness(2);
  transport = createHttpTransport({ extraCaPem: h.emulator.caCertPem, timeoutMs: 5000 });
});
afterAll(async () => {
  await transport.close();
  await h.close();
});

describe('tab SSO tokens across an Entra signing-key rotation', () => {
  it('keeps accepting tokens of the old key while it is published, and takes the new key without a restart', async () => {
    const verify = createSsoVerifier({
      jwksUrl: h.emulator.jwksUrl,
      audiences: [h.tenant.apps[0]!.clientId],
      requiredScope: 'access_as_user',
      fetch: transport.fetch,
      clock: h.clock,
    });
    const sso = async () => (await h.emulator.control.tabSsoToken(h.tenant.id, h.tenant.users[0]!.id))!;
    const before = await sso();
    expect((await verify(`Bearer ${before}`)).ok).toBe(true);
    const { kid } = await h.emulator.control.rotateSigningKey(h.tenant.id, 3600_000);
    const after = await sso();
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect((await verify(`Bearer ${before}`)).ok).toBe(true);
    // jose refetches a JWKS for an unknown kid at most every 30 s (real time): past that, the new key is fetched.
    await new Promise((r) => setTimeout(r, 30_500));
    const r = await verify(`Bearer ${after}`);
    expect(r.ok ? 'ok' : r.error.detail).toBe('ok');
  }, 90_000);
});
