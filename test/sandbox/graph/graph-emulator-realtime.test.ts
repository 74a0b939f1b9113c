import { describe, expect, it } from '@jest/globals';
import { Agent, fetch } from 'undici';
import { seedTenant } from '../../../src/sandbox/graph/emulator-model.js';
import { startGraphEmulator } from '../../../src/sandbox/graph/graph-emulator.js';

describe('Graph emulator on real time (the sandbox mode)', () => {
  it('serves tokens and presence over HTTPS trusted through its CA only, and ticks on its own', async () => {
    const tenant = seedTenant({ userCount: 2 });
    const emulator = await startGraphEmulator({ tenants: [tenant], tickIntervalMs: 20 });
    const dispatcher = new Agent({ connect: { ca: emulator.caCertPem } });
    try {
      await expect(fetch(`${emulator.url}/common/discovery/v2.0/keys`)).rejects.toThrow();
      const app = tenant.apps[0]!;
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      });
      const tokenRes = await fetch(`${emulator.authorityUrl}/${tenant.id}/oauth2/v2.0/token`, {
        method: 'POST',
        body: form,
        dispatcher,
      });
      const { access_token } = (await tokenRes.json()) as { access_token: string };
      emulator.control.teams(tenant.users[0]!.id, 'call');
      const r = await fetch(`${emulator.url}/v1.0/users/${tenant.users[0]!.id}/presence`, {
        headers: { authorization: `Bearer ${access_token}` },
        dispatcher,
      });
      expect(await r.json()).toMatchObject({ availability: 'Busy', activity: 'InACall' });
      // Real time by default, and still movable: the sandbox and fault tests compress time with it.
      const before = emulator.control.clock.now();
      emulator.control.advance(60_000);
      expect(emulator.control.clock.now()).toBeGreaterThanOrEqual(before + 60_000);
    } finally {
      await emulator.close();
      await dispatcher.close();
    }
  });
});
