import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { PUBLISHER_TEAM, SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE } from '../../../src/sandbox/sandbox-world.js';
import { PG_URL, testDialects } from '../../adapters/store/store-harness.js';
import { startStoreRig, startTcpProxy, until, type StoreRig, type TcpProxy } from './process-fault-kit.js';
import { recordRecovery, stopwatch } from './recovery-report.js';

/**
 * PostgreSQL briefly unavailable under a running product: the product talks to PostgreSQL through a
 * TCP proxy the test cuts (every connection dropped, new ones refused) and restores, and whose
 * server-side sessions it ends with pg_terminate_backend. Meanwhile agents take calls (the ACD feed
 * must not move its cursor past changes it could not store) and Teams users change presence (the
 * webhook must answer 5xx so Graph redelivers). The Health Check must say `store` down, then ok,
 * and every change must arrive exactly once.
 */
const pgUp = (await testDialects()).includes('postgres');
const describePg = pgUp ? describe : describe.skip;
const TIMEOUT = 90_000;

describePg('PostgreSQL briefly unavailable', () => {
  const schema = `fault_store_${randomBytes(4).toString('hex')}`;
  let proxy: TcpProxy;
  let rig: StoreRig;
  let admin: pg.Client;

  beforeAll(async () => {
    const target = new URL(PG_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_URL);
    viaProxy.port = String(proxy.port);
    viaProxy.hostname = '127.0.0.1';
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    rig = await startStoreRig({ DATABASE_URL: viaProxy.toString(), DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: '4' });
    await until(
      async () =>
        (await rig.app.store.subscriptions.list(rig.tenantId)).reduce((n, s) => n + s.userIds.length, 0) >= 50,
      'subscriptions stored',
    );
  }, TIMEOUT);

  afterAll(async () => {
    await rig?.close();
    await proxy?.close();
    await admin?.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await admin?.end();
  }, 30_000);

  const pending = async (): Promise<number> =>
    Number((await admin.query(`select count(*) as n from ${schema}.inbox where processed = 0`)).rows[0].n);
  const drained = async (what: string): Promise<void> => {
    await until(async () => (await pending()) === 0 && (await delay(800), (await pending()) === 0), what, 30_000, 200);
  };
  const writes = (agentId: string, from: number): string[] =>
    rig.world.graph.control.writeLog
      .slice(from)
      .filter((w) => w.userId === rig.world.userOfAgent.get(agentId)!.id)
      .map((w) => w.route);
  const acdState = (agentId: string) => rig.world.cxone.model.stateOf(Number(agentId));

  it(
    'cut for a few seconds: store down in the Health Check, webhooks answered 5xx and redelivered, nothing lost, nothing twice',
    async () => {
      const callers = rig.agentsOf(PUBLISHER_TEAM).slice(1, 7);
      const teamsUser = rig.agentsOf(SUBSCRIBER_TEAM)[1]!;
      for (const a of [...callers, teamsUser]) await rig.cxone(`/agents/${a}/login`, { state: 'Available' });
      await drained('logins processed');
      await until(() => rig.storeHealth()?.status === 'ok', 'store ok before the fault');
      const from = rig.world.graph.control.writeLog.length;
      const deliveriesFrom = rig.world.graph.control.deliveries.length;
      const alertsFrom = rig.alerts().length;

      proxy.cut();
      const cut = stopwatch();
      for (const a of callers)
        await rig.cxone('/contacts', { type: 'customer', agentId: Number(a), skillId: FIRST_SKILL_ID + 1 });
      rig.world.graph.control.teams(rig.world.userOfAgent.get(teamsUser)!.id, 'call');
      await until(() => rig.storeHealth()?.status === 'down', 'the Health Check says store down', 15_000, 50);
      const refused = await until(
        () => rig.world.graph.control.deliveries.slice(deliveriesFrom).find((d) => d.status >= 500),
        'a webhook delivery answered 5xx',
        15_000,
        50,
      );
      // Keep it down a little longer: the ACD feed keeps failing to store its poll meanwhile.
      await delay(Math.max(0, 3_000 - cut.stop()));
      const downMs = cut.stop();
      proxy.restore();

      const clock = stopwatch();
      await until(
        () => callers.every((a) => rig.teamsOf(a).activity === 'InACall'),
        'every call on Teams after the store is back',
        45_000,
        50,
      );
      await until(
        () => acdState(teamsUser).state === 'Unavailable' && String(acdState(teamsUser).outStateId) === TEAMS_CALL_CODE,
        'the Teams call stops ACD routing',
        45_000,
        50,
      );
      const recoveryMs = clock.stop();
      await drained('every inbox entry processed');
      await until(() => rig.storeHealth()?.status === 'ok', 'store ok again', 20_000);

      // Graph got a 5xx and redelivered: a later delivery of the same URL succeeded.
      // 503 (a problem, not a crash of the route): validation itself needs the store's subscriptions.
      expect(refused.status).toBe(503);
      expect(
        rig.world.graph.control.deliveries
          .slice(deliveriesFrom)
          .some((d) => d.url === refused.url && d.status >= 200 && d.status < 300 && d.attempt > 0),
      ).toBe(true);
      // Each call written to Teams once; the Teams call written to the ACD once.
      for (const a of callers)
        expect({ agent: a, writes: writes(a, from) }).toEqual({ agent: a, writes: ['setPresence'] });
      const teamsSide = await rig.traceOf(teamsUser);
      expect(teamsSide.filter((l) => l.startsWith('acd.request'))).toHaveLength(1);
      // The Log Reader: the call's ACD event once in the inbox, one Graph write (a redelivered poll is not a second event).
      const lines = await rig.traceOf(callers[0]!);
      expect(lines.filter((l) => l.startsWith('graph.request') && l.includes('InACall'))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith('acd.event') && l.includes('Inbound')).length).toBeGreaterThanOrEqual(1);
      // The bot: a card naming the store and its outage. The admins' conversations are kept in the store
      // itself, so the card cannot go out while it is down: it arrives once the store is back, telling
      // the whole path (down → ok). The CXone connection worked throughout and is named in no card.
      const cards = await until(
        () => {
          const all = rig.alerts().slice(alertsFrom);
          const c = all.filter(
            // The card names the component as "Database (store)".
            (t) =>
              /\*\*Database \(store\)\*\*: (ok → )?down/.test(t) ||
              /\*\*Database \(store\)\*\*:[^"]*down[^"]*→ ok/.test(t),
          );
          if (c.length === 0) throw new Error(`alert cards so far: ${all.map((t) => t.slice(0, 400)).join(' | ')}`);
          return all;
        },
        'an alert card about the store outage',
        20_000,
        100,
      );
      expect(cards.filter((t) => t.includes('acd.connection'))).toEqual([]);
      const detail = `cut ${Math.round(downMs)} ms while ${callers.length} calls started and 1 Teams call; webhook answered ${refused.status} and Graph redelivered; store down in the Health Check, bot card store down → ok after the restore; one write per change`;
      process.stdout.write(`store-postgres: converged ${Math.round(recoveryMs)} ms after the restore; ${detail}\n`);
      recordRecovery('store-postgres-unavailable', {
        area: 'store',
        fault: 'PostgreSQL unreachable for a few seconds',
        recoveryMs,
        detail,
      });
    },
    TIMEOUT,
  );

  it(
    'its sessions killed (pg_terminate_backend): the pool reconnects, nothing lost, nothing twice',
    async () => {
      const callers = rig.agentsOf(PUBLISHER_TEAM).slice(1, 7);
      const from = rig.world.graph.control.writeLog.length;
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and client_port = any($1::int[])`,
        [proxy.upstreamPorts()],
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      const clock = stopwatch();
      for (const a of callers) await rig.cxone(`/contacts/${acdState(a).contactId}/end`);
      await until(
        () => callers.every((a) => rig.teamsOf(a).activity !== 'InACall'),
        'every call end on Teams',
        45_000,
        50,
      );
      const recoveryMs = clock.stop();
      await drained('every inbox entry processed');
      for (const a of callers)
        expect({ agent: a, writes: writes(a, from) }).toEqual({ agent: a, writes: ['clearPresence'] });
      expect(rig.storeHealth()?.status).toBe('ok');
      const detail = `${killed.rowCount} backend(s) of the product terminated, then ${callers.length} call ends; one write each`;
      process.stdout.write(`store-postgres: sessions killed, converged in ${Math.round(recoveryMs)} ms; ${detail}\n`);
      recordRecovery('store-postgres-unavailable', {
        area: 'store',
        fault: 'PostgreSQL sessions terminated (pg_terminate_backend)',
        recoveryMs,
        detail,
      });
    },
    TIMEOUT,
  );
});
