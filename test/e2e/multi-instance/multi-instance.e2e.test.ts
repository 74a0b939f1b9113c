import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { LUNCH_CODE, PUBLISHER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { isolatedLocation, testDialects, type TestStoreHandle } from '../../adapters/store/store-harness.js';
import { eventually } from '../sync/sandbox-harness.js';
import { cxoneControl, tabClient, type TabClient } from '../faults/process-fault-kit.js';
import { clusterEnv, instanceOf, leaseHolder, seedClusterStore } from './cluster.js';
import { recordRecovery } from '../faults/recovery-report.js';
import { exitOf, killAll, spawnInstance, type ProductInstance } from './product-instances.js';
import { startSharedWorld, type SharedWorld } from './shared-world.js';
import { tourEveryRoute, wrongAnswers } from '../../compose/tab-api-tour.js';
import { caFetch, disagreements, labelled, readsDiffering, ROTATED_BASE, rotatingFetch } from './route-agreement.js';

/**
 * Several instances on one PostgreSQL: three product processes share a fresh schema and the
 * emulators; Graph calls them back through a round-robin balancer. The tenant's lease holder is
 * SIGKILLed in the middle of a burst of ACD changes; another instance must take the tenant over,
 * and every change must end up written to Teams exactly once (no loss, no duplicate writes),
 * with every inbox entry processed.
 */
const pg = (await testDialects()).includes('postgres');
const describePg = pg ? describe : describe.skip;
const AGENTS = 8;
const TIMEOUT = 110_000;

describePg('three instances on PostgreSQL, the tenant owner SIGKILLed mid-burst', () => {
  let dir: string;
  let world: SharedWorld;
  let db: TestStoreHandle;
  let tenantId: string;
  let instances: ProductInstance[] = [];
  const dispatcher = (): Agent => new Agent({ connect: { ca: world.cxone.caCertPem } });
  let cxoneAgent: Agent;
  let tab: TabClient;
  let env: Record<string, string>;

  let cxone: (path: string, body?: unknown) => Promise<unknown>;
  const holder = (): Promise<string | undefined> => leaseHolder(db, tenantId);
  const ownerInstance = async (): Promise<ProductInstance | undefined> => instanceOf(instances, await holder());
  const unprocessed = async (): Promise<number> =>
    Number(
      (await db.raw('select count(*) as n from inbox where tenant_id = ? and processed = 0', [tenantId]))[0]?.['n'],
    );
  const teams = (agentId: string) => world.graph.control.presence(world.userOfAgent.get(agentId)!.id);
  const writesOf = (agentId: string, from: number): string[] =>
    world.graph.control.writeLog
      .slice(from)
      .filter((w) => w.userId === world.userOfAgent.get(agentId)!.id)
      .map((w) => w.route);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'presence-multi-'));
    world = await startSharedWorld(dir);
    cxoneAgent = dispatcher();
    cxone = cxoneControl(world.cxone.url, cxoneAgent);
    db = isolatedLocation('postgres');
    const seeded = await seedClusterStore(db, world);
    tenantId = seeded.tenantId;
    env = clusterEnv(world, db, dir, seeded.key);
    instances = await Promise.all(['a', 'b', 'c'].map((n) => spawnInstance(`instance-${n}`, env)));
    world.balancer.setBackends(instances.map((i) => i.port));
    await eventually(ownerInstance, 'one instance holds the tenant lease', 30_000, 200);
    tab = await tabClient(world);
  }, TIMEOUT);

  afterAll(async () => {
    await killAll(instances);
    await tab?.close();
    await cxoneAgent?.close();
    await world?.close();
    await db?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  /** Graph's webhook POSTs as the balancer saw them: instance → status → count. */
  const webhookAnswers = (): Record<string, Record<number, number>> => {
    const out: Record<string, Record<number, number>> = {};
    for (const s of world.balancer.served.filter((x) => x.path.startsWith('/api/graph/'))) {
      const name = instances.find((i) => i.port === s.port)?.name ?? String(s.port);
      const byStatus = (out[name] ??= {});
      byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    }
    return out;
  };

  /** Waits until the owner has drained the inbox and stayed drained for a moment. */
  const settled = async (what: string): Promise<void> => {
    await eventually(
      async () => (await unprocessed()) === 0 && (await delay(1_000), (await unprocessed()) === 0),
      what,
      60_000,
      200,
    );
  };

  it(
    'moves ownership within seconds and writes every change to Teams exactly once',
    async () => {
      const model = world.cxone.model;
      const team = [...model.agents.values()]
        .filter((a) => String(a.teamId) === PUBLISHER_TEAM)
        .map((a) => String(a.agentId));
      // The first agent of the team has its own user rule (sandbox seed); the others follow the team rule.
      const agents = team.slice(1, 1 + AGENTS);
      expect(agents).toHaveLength(AGENTS);
      for (const a of agents) await cxone(`/agents/${a}/login`, { state: 'Available' });
      await settled('logins processed');
      const from = world.graph.control.writeLog.length;

      // Round 1: every agent takes a voice call.
      const contacts = new Map<string, number>();
      for (const a of agents)
        contacts.set(
          a,
          (
            (await cxone('/contacts', { type: 'customer', agentId: Number(a), skillId: FIRST_SKILL_ID + 1 })) as {
              contactId: number;
            }
          ).contactId,
        );
      await eventually(
        () => agents.every((a) => teams(a).activity === 'InACall'),
        'Teams shows In a call for every agent',
        30_000,
      );

      // Round 2: calls end; the owner dies after the first half has started to show.
      const owner = (await ownerInstance())!;
      const half = agents.slice(0, AGENTS / 2);
      for (const a of half) await cxone(`/contacts/${contacts.get(a)}/end`);
      await eventually(
        () => half.some((a) => teams(a).activity !== 'InACall'),
        'the owner is working on the burst',
        20_000,
        20,
      );
      owner.kill();
      const killedAt = Date.now();
      const doneBeforeKill = half.filter((a) => teams(a).activity !== 'InACall').length;
      // A witness: a Teams-side change while nobody owns the tenant (a survivor accepts the webhook into
      // the shared inbox; only an owner processes it), so the new owner must announce it as resumed.
      const witness = team[1 + AGENTS]!;
      const witnessEntries = async (): Promise<number> =>
        Number(
          (
            await db.raw('select count(*) as n from inbox where tenant_id = ? and agent_id = ?', [tenantId, witness])
          )[0]?.['n'],
        );
      const witnessEntriesBefore = await witnessEntries();
      world.graph.control.teams(world.userOfAgent.get(witness)!.id, 'meeting');
      // A commit the owner sent just before it died still lands in PostgreSQL after the kill (seen in
      // CI: an entry read as pending here was then marked processed by the dead owner). Let those land
      // first; the lease (TTL 6 s, renewed every 1 s) keeps the others from taking over meanwhile.
      await exitOf(owner);
      await delay(500);
      // Agents whose changes the dead owner left in the inbox: the takeover must show in their Log Reader.
      const pendingRows = (
        await db.raw('select seq, agent_id from inbox where tenant_id = ? and processed = 0', [tenantId])
      ).map((r) => ({ seq: Number(r['seq']), agentId: String(r['agent_id']) }));
      const pendingAtKill = [...new Set(pendingRows.map((r) => r.agentId))];
      // The witness's entry is in the inbox; whether that happened before a survivor took the lease is a
      // fact of this run, not a given: on a loaded machine Graph's delivery and the survivor's webhook
      // can take longer than the lease's remaining TTL (CI once saw the takeover first, and then there
      // is rightly nothing to announce for the witness). Read it, and expect the announcement only then.
      await eventually(
        async () => (await witnessEntries()) > witnessEntriesBefore,
        "the witness's Teams change is in the shared inbox",
        30_000,
        50,
      );
      const holderWhenWitnessQueued = await holder();
      const witnessWaitedForNewOwner =
        holderWhenWitnessQueued === undefined || holderWhenWitnessQueued.split(':')[1] === String(owner.pid);
      for (const a of agents.slice(AGENTS / 2)) await cxone(`/contacts/${contacts.get(a)}/end`);
      // eventually() resolves only with a truthy value.
      const next = (await eventually(
        async () => {
          const o = await ownerInstance();
          return o && o !== owner ? o : undefined;
        },
        'another instance takes the tenant over',
        60_000,
        100,
      ))!;
      const takeoverMs = Date.now() - killedAt;
      await eventually(
        () => agents.every((a) => teams(a).activity !== 'InACall'),
        'every call end reached Teams',
        30_000,
      );
      const convergedMs = Date.now() - killedAt;

      // Round 3, on the new owner: everyone goes to lunch.
      for (const a of agents)
        await cxone(`/agents/${a}/state`, { state: 'Unavailable', outStateId: Number(LUNCH_CODE) });
      await eventually(
        () => agents.every((a) => teams(a).availability === 'Away'),
        'Teams shows Away for every agent',
        30_000,
      );
      await settled('every inbox entry processed');

      process.stdout.write(
        `multi-instance: takeover ${takeoverMs} ms after SIGKILL of ${owner.name} (${doneBeforeKill}/${AGENTS} call ends shown before); new owner ${next.name}; webhook answers ${JSON.stringify(webhookAnswers())}\n`,
      );
      expect(owner.alive()).toBe(false);
      expect(next.alive()).toBe(true);
      expect(takeoverMs).toBeLessThan(15_000);
      for (const a of agents)
        expect({ agent: a, presence: teams(a) }).toMatchObject({
          agent: a,
          presence: { availability: 'Away', activity: 'Away' },
        });
      for (const a of agents)
        expect({ agent: a, writes: writesOf(a, from) }).toEqual({
          agent: a,
          writes: ['setPresence', 'clearPresence', 'setPresence'],
        });
      expect(await unprocessed()).toBe(0);
      // One owner at a time: the first holder, then the instance that took over; nobody else, no overlap.
      const takeovers = instances.flatMap((i) =>
        i.logs
          .filter((l) => l['msg'] === 'took over tenant sync')
          .map((l) => ({ name: i.name, time: Number(l['time']) })),
      );
      expect(takeovers.sort((x, y) => x.time - y.time).map((x) => x.name)).toEqual([owner.name, next.name]);
      expect(takeovers[1]!.time).toBeGreaterThanOrEqual(killedAt);

      // The Health Check of each survivor says the sync moved to the new owner (the dead one is named nowhere).
      const nextId = (await holder())!;
      expect(nextId.split(':')[1]).toBe(String(next.pid));
      for (const survivor of instances.filter((i) => i.alive())) {
        const health = await tab.health(`http://127.0.0.1:${survivor.port}`);
        expect({ instance: survivor.name, ownership: health.ownership, syncActive: health.syncActive }).toEqual({
          instance: survivor.name,
          ownership: expect.objectContaining({ holder: nextId, here: survivor === next }),
          syncActive: true,
        });
        if (survivor === next) expect(health.ownership!.since).toBeGreaterThanOrEqual(killedAt);
        else expect(health.syncDetail).toContain(nextId);
        expect(JSON.stringify(health)).not.toContain(`:${owner.pid}:`);
      }
      // The Log Reader (read through another survivor) of the agents whose work was pending shows the takeover.
      const reader = instances.find((i) => i.alive() && i !== next) ?? next;
      const takeoverLine = `Sync of this tenant taken up by instance ${nextId};`;
      // An entry the dead owner still completed after it was read as pending (its last commit reached
      // PostgreSQL after the kill) was not resumed by the new owner, which had nothing to announce for it.
      const tookOverAt = takeovers[1]!.time;
      const resumed = new Set<string>();
      const completedByDead: string[] = [];
      for (const r of pendingRows) {
        const [row] = await db.raw('select processed_at from inbox where seq = ?', [r.seq]);
        if (Number(row?.['processed_at']) >= tookOverAt) resumed.add(r.agentId);
        else
          completedByDead.push(
            `${r.agentId} (seq ${r.seq}, ${Number(row?.['processed_at']) - killedAt} ms after the kill)`,
          );
      }
      if (completedByDead.length > 0)
        process.stdout.write(
          `multi-instance: completed by the dead owner after it was read as pending: ${completedByDead.join(', ')}\n`,
        );
      if (!witnessWaitedForNewOwner)
        process.stdout.write(
          `multi-instance: the witness's change reached the inbox after ${holderWhenWitnessQueued} took over; its announcement is not expected\n`,
        );
      const announced = [
        ...(witnessWaitedForNewOwner ? [witness] : []),
        ...[...resumed].filter((x) => agents.includes(x)),
      ];
      for (const a of announced) {
        const lines = await tab.trace(`http://127.0.0.1:${reader.port}`, a);
        expect({
          agent: a,
          takeover: lines.filter((l) => l.startsWith('ownership')).map((l) => l.includes(takeoverLine)),
        }).toEqual({ agent: a, takeover: [true] });
      }
      if (witnessWaitedForNewOwner) {
        const witnessLines = await tab.trace(`http://127.0.0.1:${reader.port}`, witness);
        expect(witnessLines.findIndex((l) => l.startsWith('teams.notification'))).toBeLessThan(
          witnessLines.findIndex((l) => l.startsWith('ownership')),
        );
      }

      recordRecovery('multi-instance.e2e', {
        area: 'process',
        fault: 'PostgreSQL, 3 instances, tenant owner SIGKILLed mid-burst',
        recoveryMs: convergedMs,
        detail: `takeover ${takeoverMs} ms after the kill (lease TTL 6 s, renew 1 s), every call end on Teams ${convergedMs} ms after it; ${doneBeforeKill}/${AGENTS / 2} shown before the kill; ${pendingAtKill.length} agent(s) with pending inbox entries resumed by ${next.name}`,
      });
    },
    TIMEOUT,
  );

  /*
   * Behind a round-robin balancer every instance gets Graph's notifications; each validates them
   * against the shared store's subscriptions and puts them in the shared inbox (the owner polls it),
   * so no instance refuses them because it does not run the tenant.
   */
  it('any instance accepts Graph webhooks (no 503 from instances that do not own the tenant)', async () => {
    // Teams calls of the linked users: Graph notifies, round-robin over the surviving instances.
    const users = [...world.userOfAgent.values()].slice(0, 6);
    for (const u of users) world.graph.control.teams(u.id, 'call');
    await world.graph.control.settle();
    const accepted = (): number =>
      new Set(
        world.balancer.served.filter((s) => s.path.startsWith('/api/graph/') && s.status === 202).map((s) => s.port),
      ).size;
    await eventually(() => accepted() >= 2, 'two instances acknowledge notifications', 20_000, 100);
    const webhooks = world.balancer.served.filter((s) => s.path.startsWith('/api/graph/'));
    process.stdout.write(`multi-instance: webhook answers after Teams calls ${JSON.stringify(webhookAnswers())}\n`);
    expect(webhooks.filter((s) => s.status >= 500)).toEqual([]);
    // Not only the owner: at least two instances acknowledged notifications.
    expect(accepted()).toBeGreaterThanOrEqual(2);
  }, 30_000);

  /*
   * Behind the balancer any instance answers the tab; only the tenant's lease holder runs its sync.
   * Every tab API route (from the deployment's own OpenAPI document) is sent once through the
   * balancer and then three times round robin, so each route is answered once by every instance:
   * rule saves, dry runs, the editor's lookups and user linking must not answer "CXone not
   * connected" on the instances that do not run the tenant, and no two instances may answer a
   * route differently. A killed instance is replaced first: three instances again.
   */
  it('answers every tab API route alike on every instance, owner or not', async () => {
    // After the SIGKILL test two survive; an orchestrator would start a replacement.
    if (instances.filter((i) => i.alive()).length < 3) instances.push(await spawnInstance('instance-d', env));
    const live = instances.filter((i) => i.alive());
    world.balancer.setBackends(live.map((i) => i.port));
    const owner = await eventually(ownerInstance, 'a live instance holds the tenant lease', 30_000, 200);
    expect(live).toHaveLength(3);
    const backends = live.map((i) => ({
      name: i === owner ? `${i.name} (owner)` : i.name,
      base: `http://127.0.0.1:${i.port}`,
    }));
    // The Settings page saves a 60 s reconciliation period through an instance that does not run the tenant.
    const ownerBase = backends[live.indexOf(owner)]!.base;
    const lastReconciled = async () =>
      (await tab.health(ownerBase)).components.find((c) => c.component === 'reconciliation')?.lastSuccess ?? 0;
    const reconciledBefore = await lastReconciled();
    const savedAt = Date.now();
    const save = await undiciFetch(`${backends.find((b) => b.base !== ownerBase)!.base}/api/v1/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tab.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reconciliationPeriodSec: 60, traceRetentionDays: 14 }),
    });
    expect(save.status).toBe(200);
    const https = caFetch(world.cxone.caCertPem);
    const tour = (base: string, f: typeof fetch) =>
      tourEveryRoute({ base, token: tab.token, cxoneIssuerUrl: world.cxone.url, fetch: f });
    try {
      const viaBalancer = await tour(world.balancer.url, https.fetch);
      const rotated: ReturnType<typeof labelled>[] = [];
      for (let offset = 0; offset < backends.length; offset += 1) {
        const rr = rotatingFetch(backends, offset);
        rotated.push(labelled(await tour(ROTATED_BASE, rr.fetch), rr.answeredBy));
      }
      const ruleId = ((await tab.get<{ items: { id: string }[] }>(backends[0]!.base, '/rules')).body.items[0] ?? {}).id;
      const agentId = [...world.userOfAgent.keys()][0]!;
      const reads = await readsDiffering(backends, tab.token, {
        params: { ruleId: ruleId ?? 'none' },
        query: {
          queryTrace: `agent=${agentId}&limit=50`,
          getTraceAgent: `agent=${agentId}`,
          searchDirectoryUsers: 'search=a',
          listAudit: 'limit=5',
        },
      });
      const served = new Set(rotated.flat().map((a) => `${a.operationId}@${a.instance}`));
      expect(served.size).toBe(rotated[0]!.length * backends.length);
      // The owner applies it within one period (60 s, plus the engine's 5 s look and slack); under the
      // deployment's 300 s it would not run again before ~4 minutes after the takeover.
      const reconciledAt = await eventually(
        async () => ((await lastReconciled()) > savedAt ? lastReconciled() : undefined),
        'the owner reconciles at the period saved on another instance',
        savedAt + 75_000 - Date.now(),
        1_000,
      );
      process.stdout.write(
        `multi-instance: period saved through a non-owner; the owner reconciled ${reconciledAt - savedAt} ms later (previous run ${savedAt - reconciledBefore} ms before the save)\n`,
      );
      expect({
        viaBalancer: wrongAnswers(viaBalancer),
        rotated: rotated.flat().flatMap((a) => wrongAnswers([a]).map((w) => `${a.instance}: ${w}`)),
        disagreements: disagreements(rotated),
        reads,
      }).toEqual({ viaBalancer: [], rotated: [], disagreements: [], reads: [] });
    } finally {
      await https.close();
    }
  }, 150_000);
});
