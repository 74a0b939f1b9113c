import type { Logger, PresenceNotification, WebhookVerdict } from '../../../src/application/ports.js';
import { graphWebhookRoutes } from '../../../src/adapters/http/restify-graph-webhook.js';
import { createRestifyServer, type HttpServer } from '../../../src/adapters/http/restify-server.js';

const silent: Logger = {
  child: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const note: PresenceNotification = { subscriptionId: 's1', tenantId: 't1', userId: 'u1', receivedAt: 1 };
type Accepted = Extract<WebhookVerdict, { kind: 'accepted' }>;
const accepted = (over: Partial<Accepted> = {}): Accepted => ({
  kind: 'accepted',
  notifications: [note],
  lifecycle: [],
  rejected: [],
  ...over,
});

describe('Graph webhook routes (POST /api/graph/notifications, /api/graph/lifecycle)', () => {
  let server: HttpServer;
  let base: string;
  let verdict: WebhookVerdict;
  let inboxDown = false;
  const stored: PresenceNotification[][] = [];
  const lifecycle: string[] = [];
  const acks: number[] = [];
  const bodies: string[] = [];
  beforeAll(async () => {
    server = createRestifyServer({
      name: 'test',
      logger: silent,
      closeTimeoutMs: 500,
      registrars: [
        graphWebhookRoutes({
          handle: async (_q, body) => (bodies.push(body), verdict),
          ingress: {
            acceptPresenceNotifications: async (n) => {
              if (inboxDown) throw new Error('db down');
              stored.push([...n]);
              return n.length;
            },
          },
          onLifecycle: async (events) => void lifecycle.push(...events.map((e) => e.event)),
          metrics: { webhookAck: (ms) => void acks.push(ms) },
          clock: { now: () => Date.now() },
          logger: silent,
          maxBodyBytes: 1000,
        }),
      ],
    });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());
  const post = (path: string, body: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('echoes the validation handshake as text/plain, not sniffable as HTML, and stores nothing', async () => {
    const count = stored.length;
    verdict = { kind: 'handshake', validationToken: 'abc <script>' };
    const res = await fetch(`${base}/api/graph/notifications?validationToken=x`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('abc <script>');
    expect(stored.length).toBe(count);
  });

  it('stores valid notifications durably, then acknowledges 202 and measures the ack', async () => {
    verdict = accepted();
    const res = await post('/api/graph/notifications', '{"value":[{}]}');
    expect(res.status).toBe(202);
    expect(stored.at(-1)).toEqual([note]);
    expect(bodies.at(-1)).toBe('{"value":[{}]}');
    expect(acks.length).toBeGreaterThan(0);
  });

  it('refuses forged or malformed payloads with problem+json and the reason; nothing reaches the engine', async () => {
    const count = stored.length;
    verdict = {
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.CLIENT_STATE_MISMATCH', message: 'clientState does not match' }],
    };
    const res = await post('/api/graph/notifications', '{"value":[{}]}');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 403,
      code: 'WEBHOOK.CLIENT_STATE_MISMATCH',
      detail: 'clientState does not match',
    });
    expect(stored.length).toBe(count);
  });

  it.each([
    ['malformed', 400],
    ['unavailable', 503],
  ] as const)('answers a %s payload with %i and its code', async (reason, status) => {
    verdict = { kind: 'rejected', reason, rejected: [{ code: 'WEBHOOK.X', message: 'why' }] };
    const res = await post('/api/graph/notifications', '{"value":[{}]}');
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ status, code: 'WEBHOOK.X', detail: 'why' });
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await post('/api/graph/notifications', 'x'.repeat(5000));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'WEBHOOK.TOO_LARGE' });
  });

  it('answers 503 (Graph redelivers) when the inbox cannot store the notifications', async () => {
    verdict = accepted();
    inboxDown = true;
    const res = await post('/api/graph/notifications', '{"value":[{}]}');
    inboxDown = false;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'WEBHOOK.INBOX_UNAVAILABLE' });
  });

  it('hands lifecycle events on after acknowledging them', async () => {
    verdict = accepted({
      notifications: [],
      lifecycle: [{ subscriptionId: 's1', tenantId: 't1', event: 'reauthorizationRequired' }],
    });
    const res = await post('/api/graph/lifecycle', '{"value":[{}]}');
    expect(res.status).toBe(202);
    for (let i = 0; i < 50 && lifecycle.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(lifecycle).toEqual(['reauthorizationRequired']);
  });
});
