import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import {
  certificateThumbprint,
  createNotificationKey,
  decryptionKey,
} from '../../src/adapters/graph/graph-notification-keys.js';
import { GraphNotificationParser } from '../../src/adapters/graph/graph-notification-parser.js';
import { GraphSealedPresence } from '../../src/adapters/graph/graph-sealed-presence.js';
import { handleGraphWebhook } from '../../src/adapters/graph/graph-webhook-handler.js';
import { graphWebhookRoutes } from '../../src/adapters/http/restify-graph-webhook.js';
import { createRestifyServer, type HttpServer } from '../../src/adapters/http/restify-server.js';
import { HealthModel } from '../../src/application/health/health-model.js';
import type { Logger } from '../../src/application/ports.js';
import { SyncEngine } from '../../src/application/sync/sync-engine.js';
import { timerScheduler } from '../../src/compose/sync-runtime.js';
import { TraceRecorder } from '../../src/application/trace/trace-recorder.js';
import { decide } from '../../src/domain/decide.js';
import { resolveRule } from '../../src/domain/resolve.js';
import { EntraKeys } from '../../src/sandbox/graph/entra-keys.js';
import { CHANGE_TRACKING_APP_ID } from '../../src/sandbox/graph/notification-delivery.js';
import { encryptResource } from '../../src/sandbox/graph/rich-encryption.js';
import type { SubscriptionCertificate } from '../../src/sandbox/graph/subscription-model.js';
import { rule } from '../domain/builders.js';
import { FakeAcd } from '../application/fakes/fake-acd.js';
import { FakeGraph } from '../application/fakes/fake-graph.js';
import { SequentialIds } from '../application/fakes/fake-runtime.js';
import { MemoryStore } from '../application/fakes/memory-store.js';
import { RecordingMetrics } from '../application/fakes/recording-metrics.js';

/**
 * Issue 16, from the attacker's side: rich notifications are stored still encrypted and opened
 * after the 202. Whatever a stranger (or another tenant) posts must be refused before it is
 * stored, or — when only its resource data is bad — stored sealed and dropped unopened, never
 * trusted, counted and shown in the tenant's health.
 */
const silent: Logger = {
  child: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const clock = { now: () => Date.now() };
const APP_ID = 'app-rich-attacks';
const OURS = 'tenant-ours-0001';
const THEIRS = 'tenant-theirs-0002';
const SECRET = 'our-client-state';
const THEIR_SECRET = 'their-client-state';

describe('rich notifications posted by an attacker to POST /api/graph/notifications', () => {
  const store = new MemoryStore(clock);
  const metrics = new RecordingMetrics();
  const health = new HealthModel({ clock, scheduler: timerScheduler });
  const acd = new FakeAcd(OURS, clock);
  let trace: TraceRecorder;
  let engine: SyncEngine;
  let server: HttpServer;
  let base: string;
  let certificate: SubscriptionCertificate;
  let entra: EntraKeys;

  const token = (tid: string) =>
    entra.sign(
      { aud: APP_ID, tid, iss: `https://sts.windows.net/${tid}/`, appid: CHANGE_TRACKING_APP_ID, ver: '1.0' },
      3600,
    );
  const item = (userId: string, presence: Record<string, string>, o: { sub?: string; secret?: string } = {}) => {
    const resource = `communications/presences?$filter=id+in+('${userId}')`;
    return {
      subscriptionId: o.sub ?? 'sub-ours',
      clientState: o.secret ?? SECRET,
      changeType: 'updated',
      tenantId: OURS,
      resource,
      resourceData: { id: userId },
      encryptedContent: encryptResource({ id: userId, ...presence }, certificate) as Record<string, string>,
    };
  };
  const post = async (body: unknown): Promise<{ status: number; code?: string }> => {
    const res = await fetch(`${base}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, ...(text ? { code: (JSON.parse(text) as { code?: string }).code } : {}) };
  };
  // Rich notifications only (the engine's start-up reconciliation adds entries of its own).
  const stored = () => store.inbox.rows.filter((r) => r.event.eventId.includes(':sealed:')).length;
  const dnd = { availability: 'DoNotDisturb', activity: 'DoNotDisturb', sequenceNumber: '000000000002' };

  beforeAll(async () => {
    const key = await createNotificationKey(clock);
    const decryption = decryptionKey(key);
    certificate = {
      id: key.certificateId,
      publicKey: createPublicKey(decryption.privateKey),
      thumbprint: certificateThumbprint(key.certificate),
    };
    entra = await EntraKeys.create(clock, [OURS, THEIRS]);
    await store.tenants.upsert({
      id: OURS,
      name: OURS,
      acdBusinessUnitId: '1',
      entraTenantId: OURS,
      partnerPlatform: 'msteams',
      syncEnabled: true,
    });
    await store.rules.save({ ...rule({ direction: 'bidirectional' }), tenantId: OURS }, 'spec');
    await store.userLinks.put(
      ['1', '2'].map((n) => ({
        tenantId: OURS,
        agentId: `agent-${n}`,
        teamsUserId: `aad-${n}`,
        source: 'auto' as const,
      })),
      'spec',
    );
    const subscription = { ownerId: 'owner', resource: '/communications/presences', createdAt: 0 };
    const expiresAt = Date.now() + 3_600_000;
    await store.subscriptions.put({
      ...subscription,
      tenantId: OURS,
      subscriptionId: 'sub-ours',
      userIds: ['aad-1', 'aad-2'],
      clientState: SECRET,
      expiresAt,
    });
    // Another tenant's subscription, whose clientState the attacker learnt.
    await store.subscriptions.put({
      ...subscription,
      tenantId: THEIRS,
      subscriptionId: 'sub-theirs',
      userIds: ['aad-1'],
      clientState: THEIR_SECRET,
      expiresAt,
    });
    const graph = new FakeGraph(OURS, clock);
    for (const n of ['1', '2']) {
      acd.addAgent(`agent-${n}`, 'team-1');
      graph.addUser(`aad-${n}`);
    }
    const ids = new SequentialIds('s');
    const scheduler = timerScheduler;
    trace = new TraceRecorder({ store: store.traces, clock, ids, scheduler, logger: silent });
    engine = new SyncEngine(
      {
        store,
        policy: { decide, resolveRule },
        clock,
        scheduler,
        ids,
        logger: silent,
        metrics,
        trace,
        health,
        sealed: new GraphSealedPresence([decryption]),
      },
      { reconcileIntervalMs: 3_600_000 },
    );
    await engine.addTenant({
      tenantId: OURS,
      acd,
      acdFeed: acd,
      acdDirectory: acd,
      presence: graph,
      subscriptions: graph,
    });
    const parser = new GraphNotificationParser({
      subscriptions: store.subscriptions,
      decryptionKeys: [decryption],
      appId: APP_ID,
      jwks: createLocalJWKSet(entra.jwks()),
      clock,
    });
    server = createRestifyServer({
      name: 'rich-attacks',
      logger: silent,
      closeTimeoutMs: 500,
      registrars: [
        graphWebhookRoutes({
          handle: (q, body) => handleGraphWebhook(parser, q, body),
          ingress: engine,
          onLifecycle: async () => undefined,
          metrics,
          clock,
          logger: silent,
          maxBodyBytes: 64 * 1024,
        }),
      ],
    });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await server?.close();
    await engine?.stop();
    await trace?.flush();
  });

  it('refuses a wrong clientState, an unknown subscription, another tenant’s subscription and a foreign certificate before storing anything', async () => {
    const ours = await token(OURS);
    const foreign = item('aad-1', dnd);
    foreign.encryptedContent = {
      ...foreign.encryptedContent,
      encryptionCertificateId: 'x',
      encryptionCertificateThumbprint: 'AB',
    };
    const attempts = [
      { value: [item('aad-1', dnd, { secret: 'guessed' })], validationTokens: [ours] },
      { value: [item('aad-1', dnd, { sub: 'sub-made-up' })], validationTokens: [ours] },
      // Their subscription and leaked clientState, vouched for by a genuine token of our tenant.
      { value: [item('aad-1', dnd, { sub: 'sub-theirs', secret: THEIR_SECRET })], validationTokens: [ours] },
      { value: [foreign], validationTokens: [ours] },
      { value: [item('aad-1', dnd)] },
    ];
    const answers = [];
    for (const a of attempts) answers.push(await post(a));
    expect(answers).toEqual([
      { status: 403, code: 'WEBHOOK.CLIENT_STATE_MISMATCH' },
      { status: 403, code: 'WEBHOOK.UNKNOWN_SUBSCRIPTION' },
      { status: 403, code: 'WEBHOOK.VALIDATION_TOKEN_INVALID' },
      { status: 403, code: 'WEBHOOK.UNKNOWN_CERTIFICATE' },
      { status: 403, code: 'WEBHOOK.VALIDATION_TOKENS_MISSING' },
    ]);
    expect(stored()).toBe(0);
  });

  it('refuses a huge body unread (413) and stores nothing', async () => {
    const huge = { value: [item('aad-1', dnd)], validationTokens: [await token(OURS)], pad: 'x'.repeat(100 * 1024) };
    expect((await post(huge)).status).toBe(413);
    expect(stored()).toBe(0);
  });

  it('stores a replayed batch once, and acts on it once', async () => {
    const batch = JSON.stringify({ value: [item('aad-2', dnd)], validationTokens: [await token(OURS)] });
    expect((await post(batch)).status).toBe(202);
    expect((await post(batch)).status).toBe(202);
    expect(stored()).toBe(1);
    await waitFor(
      async () => (await store.agentStates.get(OURS, 'agent-2'))?.teams?.presence.availability === 'DoNotDisturb',
    );
    await engine.whenIdle();
    expect(store.inbox.processed(OURS).filter((e) => e.event.eventId.includes(':sealed:'))).toHaveLength(1);
  });

  it('acknowledges tampered resource data from an authenticated sender, then drops it unopened: never trusted, counted, in health and the trace', async () => {
    const before = stored();
    await engine.whenIdle();
    const stateBefore = await store.agentStates.get(OURS, 'agent-1');
    const writesBefore = acd.writes.length;
    const tampered = item('aad-1', dnd);
    const data = Buffer.from(tampered.encryptedContent['data']!, 'base64');
    data[0] = data[0]! ^ 0xff;
    tampered.encryptedContent = { ...tampered.encryptedContent, data: data.toString('base64') };
    expect(await post({ value: [tampered], validationTokens: [await token(OURS)] })).toEqual({ status: 202 });
    expect(stored()).toBe(before + 1);
    const sealedDone = () => store.inbox.processed(OURS).filter((e) => e.event.eventId.includes(':sealed:'));
    await waitFor(async () => sealedDone().length === before + 1);
    await engine.whenIdle();
    expect(await store.agentStates.get(OURS, 'agent-1')).toEqual(stateBefore);
    expect(acd.writes.slice(writesBefore)).toEqual([]);
    expect(metrics.count('notifications_unopened{code=WEBHOOK.BAD_SIGNATURE}')).toBe(1);
    expect(health.components(OURS).find((c) => c.component === 'webhook.decryption')).toMatchObject({
      status: 'degraded',
      detail: expect.stringContaining('WEBHOOK.BAD_SIGNATURE'),
    });
    await trace.flush();
    const lines = await store.traces.query({ tenantId: OURS, agentId: 'agent-1', limit: 100 });
    expect(
      lines.filter((l) => l.data['eventId'] === sealedDone().at(-1)!.event.eventId).map((l) => `${l.hop} ${l.summary}`),
    ).toEqual([
      expect.stringMatching(
        /^error Teams: notification dropped, its resource data could not be trusted \(WEBHOOK\.BAD_SIGNATURE/,
      ),
    ]);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
