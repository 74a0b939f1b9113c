import { afterEach, describe, expect, it } from '@jest/globals';
import { startAdapterHarness, type AdapterHarness } from './graph-adapter-harness.js';

const BUSY = { availability: 'Busy', activity: 'InACall' } as const;
let h: AdapterHarness;
afterEach(async () => h?.close());

describe('GraphPresenceGateway against the emulator over HTTPS', () => {
  it('writes our app session with MSAL app-only tokens and reads it back', async () => {
    h = await startAdapterHarness(3);
    const user = h.tenant.users[0]!;
    const r = await h.adapter.presence.write({ userId: user.id, presence: BUSY, preferred: false, traceId: 't1' });
    expect(r).toMatchObject({ ok: true, value: { status: 'written', httpStatus: 200 } });
    expect(h.emulator.control.presence(user.id)).toMatchObject(BUSY);
    const read = await h.adapter.presence.read([user.id]);
    expect(read).toMatchObject({ ok: true, value: [{ userId: user.id, presence: BUSY }] });
  });
});
