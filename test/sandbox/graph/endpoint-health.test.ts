import { afterEach, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './graph-emulator-harness.js';
import { startSimpleWebhook, type SimpleWebhook } from './simple-webhook.js';

let h: Harness;
let hook: SimpleWebhook;
afterEach(async () => {
  await h?.close();
  await hook?.close();
});

const MIN = 60_000;

/** Subscribe all users, then make `n` separate changes, each delivered in its own POST. */
async function setup(thresholds: { slowMs: number; dropMs: number }): Promise<void> {
  h = await startHarness(14, { endpointThresholds: thresholds });
  hook = await startSimpleWebhook();
  const resource = `/communications/presences?$filter=id in (${h.tenant.users.map((u) => `'${u.id}'`).join(',')})`;
  const expirationDateTime = new Date(h.clock.now() + 59 * MIN).toISOString();
  const r = await h.call('POST', '/v1.0/subscriptions', {
    token: await h.userToken(0),
    json: { changeType: 'updated', notificationUrl: `${hook.url}/n`, resource, expirationDateTime, clientState: 'c' },
  });
  expect(r.status).toBe(201);
  hook.mode.delayMs = 40;
  for (let i = 0; i < 10; i += 1) {
    h.emulator.control.teams(h.tenant.users[i]!.id, 'call');
    await h.emulator.control.settle();
  }
  hook.mode.delayMs = 0;
}

describe('emulated slow / drop endpoint rules (reference §3.4)', () => {
  it('delays new notifications by 10 minutes once more than 10% of answers are slow', async () => {
    await setup({ slowMs: 20, dropMs: 5_000 });
    expect(h.emulator.control.endpointState(`${hook.url}/n`)).toBe('slow');
    h.emulator.control.teams(h.tenant.users[11]!.id, 'call');
    await h.emulator.control.settle();
    expect(hook.bodies).toHaveLength(10);
    h.emulator.control.advance(10 * MIN);
    await h.emulator.control.settle();
    expect(hook.bodies).toHaveLength(11);
  });

  it('drops new notifications for 10 minutes once more than 15% of answers are very slow', async () => {
    await setup({ slowMs: 10, dropMs: 20 });
    expect(h.emulator.control.endpointState(`${hook.url}/n`)).toBe('drop');
    h.emulator.control.teams(h.tenant.users[11]!.id, 'call');
    await h.emulator.control.settle();
    h.emulator.control.advance(10 * MIN);
    await h.emulator.control.settle();
    expect(hook.bodies).toHaveLength(10);
    h.emulator.control.teams(h.tenant.users[12]!.id, 'call');
    await h.emulator.control.settle();
    expect(hook.bodies).toHaveLength(11);
  });
});
