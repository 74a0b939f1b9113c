import { recordRecovery, stopwatch } from '../faults/recovery-report.js';
import { eventually, startSandboxRig, type SandboxRig } from './sandbox-harness.js';

/**
 * Issue 10: for a fault, the Health Check and the bot alert say what happened. The whole product
 * in sandbox mode: the alert goes through the Agents SDK to the Bot Connector emulator, into the
 * personal chat of the seeded sandbox admin (known as an admin from the tenant admins table).
 */
describe('a CXone outage reaches the admin as a bot alert, and so does the recovery', () => {
  let rig: SandboxRig;
  beforeAll(async () => {
    rig = await startSandboxRig();
  }, 60_000);
  afterAll(() => rig?.close());

  it('the tab API records each user with the role of their SSO token; a support user is no admin', async () => {
    const signIn = async (role: string) =>
      ((await (await fetch(`${rig.base}/sandbox/dev-token?role=${role}`)).json()) as { token: string }).token;
    for (const role of ['admin', 'support']) {
      const res = await fetch(`${rig.base}/api/v1/me`, { headers: { authorization: `Bearer ${await signIn(role)}` } });
      expect(res.status).toBe(200);
    }
    const { admin, support } = rig.app.sandbox!.world;
    await eventually(
      async () => (await rig.app.store.tenantAdmins.get(rig.tenantId, admin.id))?.source === 'sso',
      'the admin recorded from the tab API',
    );
    await eventually(
      async () => (await rig.app.store.tenantAdmins.get(rig.tenantId, support.id))?.source === 'sso',
      'the support user recorded from the tab API',
    );
    expect((await rig.app.store.tenantAdmins.get(rig.tenantId, support.id))?.role).toBe('support');
    expect((await rig.app.store.tenantAdmins.get(rig.tenantId, admin.id))?.role).toBe('admin');
  }, 60_000);

  const acd = async () => (await rig.health()).components.find((c) => c.component === 'acd.connection');

  it('Health Check down → "down" card naming acd.connection → faults cleared → health ok → "recovered" card', async () => {
    await eventually(async () => (await acd())?.status === 'ok', 'acd.connection ok', 30_000);
    expect(await rig.alerts()).toEqual([]);

    const outage = stopwatch();
    await rig.cxone('/faults', { rules: [{ status: 503, times: 1000 }] });
    await eventually(async () => (await acd())?.status === 'down', 'acd.connection down in the Health Check', 60_000);
    const down = await eventually(
      async () => (await rig.alerts()).find((a) => /acd\.connection\W+\w+ → down/.test(a.text)),
      'a down card',
      30_000,
    );
    const toDownCard = outage.stop();
    expect(down.text).toMatch(/needs attention/);

    const recovery = stopwatch();
    await rig.cxoneDelete('/faults');
    await eventually(async () => (await acd())?.status === 'ok', 'acd.connection ok again', 60_000);
    const recovered = await eventually(
      async () => (await rig.alerts()).find((a) => a.at >= down.at && /acd\.connection\W+\w+ → ok/.test(a.text)),
      'a recovery card',
      30_000,
    );
    expect(recovered.text).toMatch(/recovered/i);
    recordRecovery('health-alerts', {
      area: 'cxone',
      fault: 'API outage (503 on every call) seen by the admin',
      recoveryMs: recovery.stop(),
      detail: `faults cleared -> Health Check ok -> recovery card in the admin chat; the down card came ${Math.round(toDownCard)} ms after the outage began (debounce 300 ms, batch 200 ms)`,
    });
    expect((await rig.health()).components.find((c) => c.component === 'acd.connection')?.status).toBe('ok');
  }, 180_000);
});
