import { activityText } from '../../../src/sandbox/bot-connector/bot-connector-model.js';
import {
  startBotConnectorEmulator,
  type BotConnectorEmulator,
} from '../../../src/sandbox/bot-connector/bot-connector-emulator.js';

const TENANT = 'tenant-1';
const CHAT = 'a:1xyz/personal chat';

/** The emulator over the wire, as the Agents SDK's ConnectorClient and a test driver see it. */
describe('Bot Connector emulator', () => {
  let c: BotConnectorEmulator;
  const activities = (conversationId = CHAT, replyTo?: string) =>
    `${c.serviceUrl}v3/conversations/${encodeURIComponent(conversationId)}/activities${replyTo ? `/${encodeURIComponent(replyTo)}` : ''}`;
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.serviceUrl}_control${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  describe('without bot auth (BOT_AUTH=disabled-for-playground: no token is sent)', () => {
    beforeEach(async () => {
      c = await startBotConnectorEmulator();
      c.model.addConversation({ id: CHAT, tenantId: TENANT });
    });
    afterEach(() => c.close());

    it('answers a new message like the Connector, { id }, and records it with its tenant', async () => {
      const r = await post(activities(), { type: 'message', text: 'hello' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ id: expect.any(String) });
      expect(c.model.activities(TENANT)).toEqual([
        expect.objectContaining({
          id: r.body['id'],
          conversationId: CHAT,
          tenantId: TENANT,
          activity: { type: 'message', text: 'hello' },
        }),
      ]);
      expect(c.model.activities(TENANT)[0]?.replyToId).toBeUndefined();
      expect(c.model.activities('other-tenant')).toEqual([]);
    });

    it('records a reply with the id it replies to', async () => {
      expect((await post(activities(CHAT, 'act-7'), { type: 'message', text: 'pong' })).status).toBe(200);
      expect(c.model.activities(TENANT)[0]).toMatchObject({ replyToId: 'act-7' });
    });

    it('answers 404 ConversationNotFound for a conversation it does not know', async () => {
      const r = await post(activities('a:unknown'), { type: 'message' });
      expect(r).toMatchObject({ status: 404, body: { error: { code: 'ConversationNotFound' } } });
      expect(c.model.activities()).toEqual([]);
    });

    it('refuses a body that is not an activity (400) or too large (413)', async () => {
      expect((await post(activities(), '{not json')).status).toBe(400);
      expect((await post(activities(), { text: 'no type' })).body).toEqual({
        error: { code: 'BadArgument', message: 'An activity needs a type' },
      });
      expect((await post(activities(), { type: 'message', text: 'x'.repeat(300 * 1024) })).status).toBe(413);
      expect(c.model.activities()).toEqual([]);
    });

    it('throttles on demand: 429 with Retry-After for the next n posts, then accepts again', async () => {
      c.model.injectFault({ status: 429, times: 2, retryAfterSec: 3 });
      for (let i = 0; i < 2; i++)
        expect(await post(activities(), { type: 'message' })).toMatchObject({
          status: 429,
          retryAfter: '3',
          body: { error: { code: 'Throttled' } },
        });
      expect((await post(activities(), { type: 'message' })).status).toBe(200);
      expect(c.model.activities()).toHaveLength(1);
    });

    it('flattens the text of an Adaptive Card for readers', () => {
      const card = {
        type: 'AdaptiveCard',
        body: [
          { type: 'TextBlock', text: 'Presence Sync: recovered' },
          { type: 'FactSet', facts: [{ title: 'acd.connection', value: 'down → ok' }] },
        ],
        actions: [{ type: 'Action.OpenUrl', title: 'Open Health Check', url: 'https://x' }],
      };
      expect(
        activityText({
          type: 'message',
          attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
        }),
      ).toBe('Presence Sync: recovered\nacd.connection\ndown → ok\nOpen Health Check');
    });

    it('is driven over /_control: conversations, faults, list and clear', async () => {
      expect((await control('POST', '/conversations', { id: 'a:2', tenantId: 'tenant-2' })).status).toBe(201);
      expect((await control('POST', '/conversations', { id: '' })).status).toBe(400);
      expect((await post(activities('a:2'), { type: 'message', text: 'two' })).status).toBe(200);
      expect((await control('POST', '/faults', { status: 503, times: 1 })).status).toBe(204);
      expect((await post(activities('a:2'), { type: 'message' })).status).toBe(503);
      await control('POST', '/faults', { status: 429, times: 5 });
      await control('DELETE', '/faults');
      expect((await post(activities('a:2'), { type: 'message', text: 'three' })).status).toBe(200);
      const listed = await control('GET', '/activities?tenantId=tenant-2');
      expect((listed.body?.['activities'] as { activity: { text: string } }[]).map((a) => a.activity.text)).toEqual([
        'two',
        'three',
      ]);
      expect((await control('DELETE', '/activities')).status).toBe(204);
      expect((await control('GET', '/activities')).body).toEqual({ activities: [] });
      expect((await control('GET', '/nothing')).status).toBe(404);
    });
  });

  describe('with bot auth on', () => {
    beforeEach(async () => {
      c = await startBotConnectorEmulator({ verifyToken: (t) => t === 'good-token' });
      c.model.addConversation({ id: CHAT, tenantId: TENANT });
    });
    afterEach(() => c.close());

    it('answers 401 to a post without a token or with a wrong one, and records nothing', async () => {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer bad-token' },
        { authorization: 'Basic good-token' },
      ];
      for (const headers of attempts) {
        expect(await post(activities(), { type: 'message' }, headers)).toMatchObject({
          status: 401,
          body: { message: 'Authorization has been denied for this request.' },
        });
      }
      expect(c.model.activities()).toEqual([]);
    });

    it('checks the token before anything else: an unknown conversation with a bad token is 401, not 404', async () => {
      expect((await post(activities('a:unknown'), { type: 'message' })).status).toBe(401);
    });

    it('accepts a post with the right token and records its Authorization header', async () => {
      expect((await post(activities(), { type: 'message' }, { authorization: 'Bearer good-token' })).status).toBe(200);
      expect(c.model.activities()[0]?.authorization).toBe('Bearer good-token');
    });
  });
});
