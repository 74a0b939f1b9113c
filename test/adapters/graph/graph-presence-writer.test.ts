import { afterEach, describe, expect, it } from '@jest/globals';
import type { PresenceDesire } from '../../../src/application/ports.js';
import { RecordingLogger } from './fakes.js';
import { startAdapterHarness, type AdapterHarness } from './graph-adapter-harness.js';

const BUSY = { availability: 'Busy', activity: 'InACall' } as const;
const AVAILABLE = { availability: 'Available', activity: 'Available' } as const;
const AWAY = { availability: 'Away', activity: 'Away' } as const;
const desire = (userId: string, presence: PresenceDesire['presence'], preferred = false): PresenceDesire => ({
  userId,
  presence,
  preferred,
  traceId: `t-${userId}`,
});

let h: AdapterHarness;
afterEach(async () => h?.close());

describe('GraphPresenceWriter (budgeted $batch writes against the emulator)', () => {
  it('coalesces a burst of 10 changes for one agent into 1 write of the latest desire', async () => {
    h = await startAdapterHarness(2);
    const user = h.tenant.users[0]!.id;
    const burst = [BUSY, AWAY, BUSY, AVAILABLE, AWAY, BUSY, AWAY, AVAILABLE, AWAY, BUSY].map((p) =>
      h.adapter.presence.write(desire(user, p)),
    );
    const outcomes = await Promise.all(burst);
    expect(outcomes.filter((o) => o.ok && o.value.status === 'superseded')).toHaveLength(9);
    expect(outcomes[9]).toMatchObject({ ok: true, value: { status: 'written' } });
    expect(h.emulator.control.writeLog.filter((w) => w.userId === user)).toHaveLength(1);
    expect(h.emulator.control.presence(user)).toMatchObject(BUSY);
  });

  it('does not write what our session already shows', async () => {
    h = await startAdapterHarness(1);
    const user = h.tenant.users[0]!.id;
    await h.adapter.presence.write(desire(user, BUSY));
    expect(await h.adapter.presence.write(desire(user, BUSY))).toEqual({ ok: true, value: { status: 'unchanged' } });
    expect(h.emulator.control.writeLog).toHaveLength(1);
    // A Busy session lives an hour (PT1H) and is written again 10 minutes before its end.
    h.emulator.control.advance(49 * 60_000);
    expect(await h.adapter.presence.write(desire(user, BUSY))).toEqual({ ok: true, value: { status: 'unchanged' } });
    h.emulator.control.advance(60_000);
    expect(await h.adapter.presence.write(desire(user, BUSY))).toMatchObject({
      ok: true,
      value: { status: 'written' },
    });
  });

  it('rejects pairs setPresence cannot carry, without calling Graph', async () => {
    h = await startAdapterHarness(1);
    const r = await h.adapter.presence.write(
      desire(h.tenant.users[0]!.id, { availability: 'Busy', activity: 'InAMeeting' }),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PRESENCE_PAIR', transient: false } });
    expect(h.emulator.control.writeLog).toHaveLength(0);
  });

  it('clears our session at call end and tolerates 404 when it is already gone', async () => {
    h = await startAdapterHarness(2);
    const [a, b] = h.tenant.users.map((u) => u.id);
    h.emulator.control.teams(a!, 'signedIn');
    await h.adapter.presence.write(desire(a!, BUSY));
    expect(await h.adapter.presence.write(desire(a!, null))).toMatchObject({
      ok: true,
      value: { status: 'written', httpStatus: 200 },
    });
    expect(h.emulator.control.presence(a!)).toMatchObject(AVAILABLE);
    expect(await h.adapter.presence.write(desire(b!, null))).toMatchObject({
      ok: true,
      value: { status: 'written', httpStatus: 404 },
    });
  });

  it('writes the preferred layer only when asked (manual-status override policy)', async () => {
    h = await startAdapterHarness(1);
    const user = h.tenant.users[0]!.id;
    h.emulator.control.teams(user, 'signedIn');
    await h.adapter.presence.write(desire(user, { availability: 'DoNotDisturb', activity: 'DoNotDisturb' }, true));
    expect(h.emulator.control.presence(user)).toMatchObject({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    expect(h.emulator.control.writeLog.map((w) => w.route)).toEqual(['setUserPreferredPresence']);
  });

  it('adds an expiring status message to call writes when configured', async () => {
    h = await startAdapterHarness(1, {
      writer: { statusMessage: (d) => (d.presence?.activity === 'InACall' ? 'On a customer call' : undefined) },
    });
    const user = h.tenant.users[0]!.id;
    await h.adapter.presence.write(desire(user, BUSY));
    await h.adapter.presence.write(desire(user, AWAY));
    expect(h.emulator.control.writeLog.map((w) => w.route)).toEqual(['setPresence', 'setStatusMessage', 'setPresence']);
    const read = await h.adapter.appGraph.request('GET', `/users/${user}/presence`);
    expect(read.ok && read.value.body).toMatchObject({
      statusMessage: { message: { content: 'On a customer call', contentType: 'text' } },
    });
  });

  it('refreshes a held session before it lapses, so the state holds for an hour', async () => {
    h = await startAdapterHarness(1);
    const user = h.tenant.users[0]!.id;
    await h.adapter.presence.write(desire(user, AVAILABLE));
    for (let minute = 1; minute <= 60; minute += 1) {
      h.emulator.control.advance(60_000);
      h.adapter.presence.refreshDue();
      await h.adapter.writer.idle();
      expect(h.emulator.control.presence(user)).toMatchObject(AVAILABLE);
    }
    expect(h.emulator.control.writeLog.length).toBeGreaterThanOrEqual(15);
  });

  it('keeps a session that does not decay with one write per 50 minutes, and says how long it lives', async () => {
    h = await startAdapterHarness(2);
    const [busy, away] = h.tenant.users.map((u) => u.id) as [string, string];
    await h.adapter.presence.write(desire(busy, BUSY));
    await h.adapter.presence.write(desire(away, AWAY));
    for (let minute = 1; minute <= 120; minute += 1) {
      h.emulator.control.advance(60_000);
      h.adapter.presence.refreshDue();
      await h.adapter.writer.idle();
      expect(h.emulator.control.presence(busy)).toMatchObject(BUSY);
      expect(h.emulator.control.presence(away)).toMatchObject(AWAY);
    }
    // The first write and refreshes at 50 and 100 minutes, for each user.
    expect(h.emulator.control.writeLog.filter((w) => w.userId === busy)).toHaveLength(3);
    expect(h.emulator.control.writeLog.filter((w) => w.userId === away)).toHaveLength(3);
    expect(h.adapter.writer.stats.keepalives).toBe(4);
  });

  it('lets a session that nobody refreshes lapse after the configured duration (what a crashed instance leaves)', async () => {
    h = await startAdapterHarness(1, { writer: { sessionDuration: 'PT30M' } });
    const user = h.tenant.users[0]!.id;
    await h.adapter.presence.write(desire(user, BUSY));
    h.emulator.control.advance(29 * 60_000);
    expect(h.emulator.control.presence(user)).toMatchObject(BUSY);
    h.emulator.control.advance(60_000);
    expect(h.emulator.control.presence(user)).toMatchObject({ availability: 'Offline' });
  });

  it('absorbs a 429 storm (items and envelope) with nothing dropped', async () => {
    const logger = new RecordingLogger();
    h = await startAdapterHarness(100, { logger });
    h.emulator.control.failNext(60, 429, 2.5);
    h.emulator.control.failNextBatch(2, 429, 4);
    h.emulator.control.failNextBatch(1, 503);
    const users = h.tenant.users.map((u) => u.id);
    const outcomes = await Promise.all(users.map((u) => h.adapter.presence.write(desire(u, BUSY))));
    expect(outcomes.every((o) => o.ok && o.value.status === 'written')).toBe(true);
    expect(users.every((u) => h.emulator.control.presence(u).activity === 'InACall')).toBe(true);
    expect(h.sleeps.some((ms) => ms >= 2500)).toBe(true);
    expect(h.emulator.control.writeLog).toHaveLength(100);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg?.includes('throttled'))).toBe(true);
  });

  it('never sends more presence requests than the budget in any 30 s window', async () => {
    h = await startAdapterHarness(450, { presenceBudget: 100 }, { presenceLimit: 100 });
    const app = h.tenant.apps[0]!;
    const users = h.tenant.users.map((u) => u.id);
    const outcomes = await Promise.all(users.map((u) => h.adapter.presence.write(desire(u, AWAY))));
    expect(outcomes.every((o) => o.ok && o.value.status === 'written')).toBe(true);
    expect(h.emulator.control.maxPresenceRequestsInWindow(app.clientId, h.tenant.id)).toBeLessThanOrEqual(100);
    expect(h.emulator.control.writeLog).toHaveLength(450);
  });
});
