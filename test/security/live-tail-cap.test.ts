import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness, TENANT_A } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';

/*
 * Issue 15 item 7, from the attacker's side: one signed-in user opened 400 live-tail streams in 24 s,
 * each holding a socket, a subscription and a timer. Now a user holds at most 5 at once; the 6th
 * is refused with 429 while a colleague still gets theirs, and closing one frees its slot.
 */
describe('live-tail streams per user', () => {
  let entra: LocalEntra;
  let api: ApiHarness;
  const open: AbortController[] = [];
  beforeAll(async () => {
    entra = await LocalEntra.start();
    api = await new ApiHarness(entra).start();
  });
  afterAll(async () => {
    for (const c of open) c.abort();
    await api.close();
    await entra.close();
  });

  const tail = async (token: string): Promise<{ status: number; stop: () => Promise<void> }> => {
    const c = new AbortController();
    open.push(c);
    const res = await fetch(`${api.base}/api/v1/trace/live?agent=agent-a1`, {
      headers: { authorization: `Bearer ${token}` },
      signal: c.signal,
    });
    return {
      status: res.status,
      stop: async () => {
        c.abort();
        await res.body?.cancel().catch(() => undefined);
      },
    };
  };

  it('refuses the sixth concurrent stream of one user, not a colleague, and frees a slot on close', async () => {
    const mallory = await entra.token({ tid: TENANT_A, oid: 'mallory' });
    const streams = [];
    for (let i = 0; i < 5; i += 1) streams.push(await tail(mallory));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await tail(mallory);
    expect(sixth.status).toBe(429);
    expect((await tail(await entra.token({ tid: TENANT_A, oid: 'colleague' }))).status).toBe(200);
    await streams[0]!.stop();
    // The server notices the closed socket on its own schedule; the slot comes back shortly.
    let again = 429;
    for (let i = 0; i < 50 && again === 429; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      again = (await tail(mallory)).status;
    }
    expect(again).toBe(200);
  });
});
