import { jest } from '@jest/globals';
import { generateKeyPair } from 'jose';
import {
  ADMIN,
  APP_ID,
  MEMBER,
  OTHER_TENANT,
  SUPPORT,
  TEAMS_APP_ID,
  TENANT,
  message,
  startBotHarness,
  teamsActivity,
  type BotHarness,
} from './support/bot-harness.js';
import { formatTime } from '../../../src/adapters/bot/bot-cards.js';
import { cardProblems, cardText } from './support/validate-card.js';

/** The one card of the last reply, checked with the adaptivecards library. */
function lastCard(h: BotHarness): string {
  const post = h.connector.posts.at(-1);
  const attachment = post?.activity.attachments?.[0];
  expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  expect(cardProblems(attachment?.content)).toEqual([]);
  return cardText(attachment?.content);
}
const lastText = (h: BotHarness) => h.connector.posts.at(-1)?.activity.text ?? '';

describe('the Teams bot over HTTP, with Bot Framework authentication', () => {
  let h: BotHarness;
  beforeAll(async () => {
    // CloudAdapter console.errors every rejected request; the assertions are on the status codes.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => h.connector.clear());

  describe('inbound authentication', () => {
    it('accepts an activity signed by the channel for this bot', async () => {
      expect((await h.post(message(h.connector.serviceUrl, 'help'))).status).toBe(200);
      expect(h.connector.posts).toHaveLength(1);
    });

    it('rejects an unsigned activity with 401 and does not answer', async () => {
      expect((await h.post(message(h.connector.serviceUrl, 'health'), null)).status).toBe(401);
      expect(h.connector.posts).toHaveLength(0);
    });

    it('rejects a token signed by another key under the same key id', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await h.issuer.token(APP_ID, h.connector.serviceUrl, { key: privateKey });
      expect((await h.post(message(h.connector.serviceUrl, 'health'), forged)).status).toBe(401);
    });

    it('rejects a token for another bot (wrong audience)', async () => {
      const token = await h.issuer.token('some-other-bot', h.connector.serviceUrl);
      expect((await h.post(message(h.connector.serviceUrl, 'health'), token)).status).toBe(401);
    });

    it('rejects a token from another issuer', async () => {
      const token = await h.issuer.token(APP_ID, h.connector.serviceUrl, { issuer: 'https://evil.example' });
      expect((await h.post(message(h.connector.serviceUrl, 'health'), token)).status).toBe(401);
    });

    it('rejects a token whose serviceurl claim is not the activity serviceUrl', async () => {
      const token = await h.issuer.token(APP_ID, 'https://smba.trafficmanager.net/emea/');
      expect((await h.post(message(h.connector.serviceUrl, 'health'), token)).status).toBe(401);
      expect(h.connector.posts).toHaveLength(0);
    });

    it('answers 400 to a body that is not an activity object', async () => {
      const res = await fetch(h.url, {
        method: 'POST',
        body: '[1,2]',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
    });
  });

  describe('install and uninstall', () => {
    it('greets the installer with a card that explains the app and links to the tab, and stores the conversation', async () => {
      const install = teamsActivity(h.connector.serviceUrl, {
        type: 'conversationUpdate',
        membersAdded: [{ id: `28:${APP_ID}` }, { id: ADMIN.id }],
      });
      expect((await h.post(install)).status).toBe(200);
      const text = lastCard(h);
      expect(text).toContain('Presence Sync is installed');
      expect(text).toContain(`https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/rules`);
      expect(h.connector.posts[0]?.conversationId).toBe(`a:personal-${ADMIN.aadObjectId}`);
      const [stored] = await h.conversations.list(TENANT);
      expect(stored).toMatchObject({
        conversationId: `a:personal-${ADMIN.aadObjectId}`,
        scope: 'personal',
        installedBy: ADMIN.aadObjectId,
      });
      expect(stored?.reference).toMatchObject({
        serviceUrl: h.connector.serviceUrl,
        conversation: { id: `a:personal-${ADMIN.aadObjectId}` },
      });
    });

    it('does not greet when someone else joins a conversation', async () => {
      await h.post(
        teamsActivity(h.connector.serviceUrl, { type: 'conversationUpdate', membersAdded: [{ id: '29:newcomer' }] }),
      );
      expect(h.connector.posts).toHaveLength(0);
    });

    it('stores a team installation and forgets it on uninstall', async () => {
      const team = { id: '19:general@thread.tacv2', conversationType: 'channel', tenantId: TENANT };
      await h.post(
        teamsActivity(h.connector.serviceUrl, { type: 'installationUpdate', action: 'add', conversation: team }),
      );
      expect((await h.conversations.list(TENANT)).map((r) => [r.conversationId, r.scope])).toContainEqual([
        team.id,
        'team',
      ]);
      await h.post(
        teamsActivity(h.connector.serviceUrl, { type: 'installationUpdate', action: 'remove', conversation: team }),
      );
      expect((await h.conversations.list(TENANT)).map((r) => r.conversationId)).not.toContain(team.id);
    });

    it('forgets a conversation when the bot is removed from it', async () => {
      const chat = { id: 'a:personal-gone', conversationType: 'personal', tenantId: TENANT };
      await h.post(
        teamsActivity(h.connector.serviceUrl, { type: 'installationUpdate', action: 'add', conversation: chat }),
      );
      await h.post(
        teamsActivity(h.connector.serviceUrl, {
          type: 'conversationUpdate',
          membersRemoved: [{ id: `28:${APP_ID}` }],
          conversation: chat,
        }),
      );
      expect((await h.conversations.list(TENANT)).map((r) => r.conversationId)).not.toContain('a:personal-gone');
    });
  });

  describe('commands', () => {
    const say = async (text: string, from = ADMIN, tenantId = TENANT) => {
      expect((await h.post(message(h.connector.serviceUrl, text, from, tenantId))).status).toBe(200);
    };

    it('help lists every command', async () => {
      await say('help');
      const text = lastCard(h);
      for (const usage of ['help', 'health', 'status <agent id | e-mail>', 'trace <agent id | e-mail>', 'rules'])
        expect(text).toContain(usage);
    });

    it('health shows every component with its status', async () => {
      await say('health');
      const text = lastCard(h);
      expect(text).toContain('Health Check: ✅ ok');
      expect(text).toContain('**CXone connection (acd.connection)**: ok');
      expect(text).toContain('**Microsoft sign-in (graph.auth)**: ok');
    });

    it.each([['1001'], ['ann@contoso.test']])(
      'status %s shows both sides, the rule and why, and the last sync',
      async (who) => {
        await say(`status ${who}`);
        const text = lastCard(h);
        expect(text).toContain('Agent 1001 (Ann Agent · ann@contoso.test)');
        expect(text).toContain('Inbound call with a customer');
        expect(text).toContain('Busy – In a call');
        expect(text).toContain('Voice calls show In a call (rule-1)');
        expect(text).toContain('team rule of team-7');
        expect(text).toContain(
          `${formatTime(h.time.clock.now() - 5_000)}: Teams set to Busy – In a call (CXone → Teams)`,
        );
      },
    );

    it('status of an unknown agent says so', async () => {
      await say('status 4242');
      expect(lastText(h)).toContain('I do not know an agent "4242"');
    });

    it('trace shows the last hops with a link into the Log Reader', async () => {
      await say('trace 1001');
      const text = lastCard(h);
      expect(text).toContain('**acd.event**');
      expect(text).toContain('**graph.response**');
      expect(text).toContain('+120 ms');
      const link = new URL(text.split('\n').find((l) => l.startsWith('https://teams.microsoft.com/')) ?? '');
      expect(link.pathname).toBe(`/l/entity/${TEAMS_APP_ID}/logreader`);
      expect(JSON.parse(link.searchParams.get('context') ?? '{}')).toEqual({ subEntityId: 'agent:1001' });
    });

    it('trace of an unknown agent says so, like status, instead of an empty card', async () => {
      await say('trace 4242');
      expect(lastText(h)).toContain('I do not know an agent "4242"');
    });

    it('rules summarises the rules, the direction in words', async () => {
      await say('rules');
      expect(lastCard(h)).toContain('enabled · CXone → Teams · teams team-7 · 1 mapping');
    });

    it('answers unknown input with help, not silence', async () => {
      await say('what is the weather');
      expect(lastCard(h)).toContain('I did not understand "what is the weather"');
    });

    it('tells how to use a command that needs an argument', async () => {
      await say('status');
      expect(lastText(h)).toBe('Usage: `status <agent id | e-mail>`');
    });

    it('understands a command that @mentions the bot in a channel', async () => {
      const channel = { id: '19:general@thread.tacv2', conversationType: 'channel', tenantId: TENANT };
      await h.post(
        teamsActivity(h.connector.serviceUrl, {
          type: 'message',
          text: '<at>Presence Sync</at> health',
          conversation: channel,
          entities: [
            {
              type: 'mention',
              mentioned: { id: `28:${APP_ID}`, name: 'Presence Sync' },
              text: '<at>Presence Sync</at>',
            },
          ],
        }),
      );
      expect(lastCard(h)).toContain('Health Check');
      expect(h.connector.posts.at(-1)?.conversationId).toBe(channel.id);
    });
  });

  describe('who may see what', () => {
    it.each(['health', 'rules', 'status 1001', 'trace 1001'])(
      'a member of the tenant without a Presence Sync role gets no tenant data from "%s" (as in the tab)',
      async (command) => {
        await h.post(message(h.connector.serviceUrl, command, MEMBER));
        expect(lastText(h)).toContain('Your account has no Presence Sync role');
        expect(h.connector.posts.at(-1)?.activity.attachments ?? []).toEqual([]);
      },
    );

    it.each([
      ['health', 'Health Check'],
      ['status 1001', 'Agent 1001'],
      ['trace 1001', 'Last hops of agent 1001'],
    ])('the Support role gets "%s", as the tab gives it Health Check and the Log Reader', async (command, heading) => {
      await h.post(message(h.connector.serviceUrl, command, SUPPORT));
      expect(lastCard(h)).toContain(heading);
    });

    it('rules are for admins only, as in the tab', async () => {
      await h.post(message(h.connector.serviceUrl, 'rules', SUPPORT));
      expect(lastText(h)).toContain('Only Presence Sync admins can use `rules`');
    });

    it('a user of another tenant gets no tenant data', async () => {
      await h.post(message(h.connector.serviceUrl, 'health', { ...ADMIN }, OTHER_TENANT));
      expect(lastText(h)).toContain('not connected for your organisation');
    });

    it('an activity whose tenant ids disagree gets no tenant data', async () => {
      const activity = { ...message(h.connector.serviceUrl, 'rules'), channelData: { tenant: { id: OTHER_TENANT } } };
      await h.post(activity);
      expect(lastText(h)).toContain('not connected for your organisation');
    });
  });

  describe('when a turn fails', () => {
    it('tells the user (message) with the trace id that is in the log', async () => {
      const original = h.queries.health.bind(h.queries);
      h.queries.health = async () => {
        throw new Error('store unreachable');
      };
      try {
        await h.post(message(h.connector.serviceUrl, 'health'));
      } finally {
        h.queries.health = original;
      }
      const traceId = /trace id (\S+)\.$/.exec(lastText(h))?.[1];
      expect(traceId).toBeDefined();
      expect(h.logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'bot turn failed',
          obj: expect.objectContaining({ traceId, err: 'store unreachable' }),
        }),
      );
    });

    it('stays silent for a failed non-message activity', async () => {
      const original = h.conversations.put.bind(h.conversations);
      h.conversations.put = async () => {
        throw new Error('store unreachable');
      };
      try {
        expect(
          (await h.post(teamsActivity(h.connector.serviceUrl, { type: 'installationUpdate', action: 'add' }))).status,
        ).toBe(200);
      } finally {
        h.conversations.put = original;
      }
      expect(h.connector.posts).toHaveLength(0);
      expect(h.logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          obj: expect.objectContaining({ activityType: 'installationUpdate' }),
        }),
      );
    });
  });
});
