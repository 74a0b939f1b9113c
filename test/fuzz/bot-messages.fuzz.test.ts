import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import {
  ADMIN,
  APP_ID,
  message,
  startBotHarness,
  teamsActivity,
  TENANT,
  type BotHarness,
} from '../adapters/bot/support/bot-harness.js';
import {
  FuzzTally,
  hostileJson,
  hostileText,
  httpCall,
  mutated,
  nastyString,
  prototypeClean,
  SEED,
} from './fuzz-support.js';

const INPUTS = 10_240;
const CONCURRENCY = 8;
const tally = new FuzzTally('bot-messages');
const keepAlive = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

let h: BotHarness;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // CloudAdapter console.errors every refused request; the assertions are on the answers.
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  h = await startBotHarness();
  tokens['valid'] = await h.issuer.token(APP_ID, h.connector.serviceUrl);
  tokens['otherBot'] = await h.issuer.token('some-other-bot', h.connector.serviceUrl);
  tokens['otherServiceUrl'] = await h.issuer.token(APP_ID, 'https://smba.trafficmanager.net/emea/');
  tokens['garbage'] = 'a.b.c';
});
afterAll(async () => {
  tally.print();
  keepAlive.destroy();
  await h?.close();
});

interface Spec {
  readonly token: string;
  readonly body: string;
  readonly contentType: string;
}

const activities = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc
      .constantFrom('help', 'health', 'status agent-1', 'trace agent-1', '', 'unknown')
      .map((t) => message(h.connector.serviceUrl, t)),
    fc.constant(null).map(() =>
      teamsActivity(h.connector.serviceUrl, {
        type: 'conversationUpdate',
        membersAdded: [{ id: `28:${APP_ID}` }, { id: ADMIN.id }],
      }),
    ),
    fc.constantFrom('invoke', 'messageReaction', 'installationUpdate', 'typing', 'event').map((type) =>
      teamsActivity(h.connector.serviceUrl, {
        type,
        name: 'adaptiveCard/action',
        value: { action: { verb: 'refresh' } },
      }),
    ),
    nastyString.map((text) => message(h.connector.serviceUrl, text)),
  );

const spec = (): fc.Arbitrary<Spec> =>
  fc.record({
    token: fc.oneof(
      { weight: 5, arbitrary: fc.constant('valid') },
      { weight: 5, arbitrary: fc.constantFrom('none', 'garbage', 'otherBot', 'otherServiceUrl') },
    ),
    body: fc.oneof(
      { weight: 6, arbitrary: mutated(activities()).map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 3, arbitrary: hostileText(activities()) },
      { weight: 1, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
    ),
    contentType: fc.oneof(
      { weight: 9, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') },
    ),
  });

function isInvoke(body: string): boolean {
  try {
    return (JSON.parse(body) as { type?: unknown }).type === 'invoke';
  } catch {
    return false;
  }
}

async function send(s: Spec): Promise<void> {
  const headers: Record<string, string> = { 'content-type': s.contentType };
  if (tokens[s.token]) headers['authorization'] = `Bearer ${tokens[s.token]}`;
  let res;
  try {
    res = await httpCall('POST', h.url, headers, s.body, keepAlive);
  } catch (e) {
    tally.crashes += 1;
    throw new Error(`no answer (${String(e)}) to token ${s.token} body ${s.body.slice(0, 300)}`);
  }
  // The SDK answers an invoke no handler claims with 501 (the Bot Framework protocol's answer,
  // which Teams expects); counted apart, and only for authenticated invokes.
  if (res.status === 501 && s.token === 'valid' && isInvoke(s.body))
    return void tally.count('auth:501-unhandled-invoke');
  tally.count(`${s.token === 'valid' ? 'auth' : 'unauth'}:${res.status}`);
  if (res.status >= 500) {
    tally.serverErrors += 1;
    throw new Error(`${res.status} for token ${s.token} body ${s.body.slice(0, 400)}: ${res.text.slice(0, 300)}`);
  }
  if (s.token !== 'valid') expect([400, 401, 403, 413]).toContain(res.status);
}

describe('fuzz: POST /api/messages (real Bot Framework auth against a local issuer)', () => {
  it(`answers ${INPUTS} hostile activities without a 5xx; nothing unauthenticated is answered or stored`, async () => {
    // Every fuzzed activity addresses TENANT: that is the tenant under attack whose store must not move.
    const stored = async (): Promise<string> =>
      JSON.stringify({ attacked: await h.conversations.list(TENANT), all: [...h.conversations.refs.entries()] });
    // An admin's chat is already known, so a forged uninstall (removal) would show as well as a forged install.
    await h.conversations.put({
      tenantId: TENANT,
      conversationId: `a:personal-${ADMIN.aadObjectId}`,
      reference: { conversation: { id: `a:personal-${ADMIN.aadObjectId}` }, serviceUrl: h.connector.serviceUrl },
      scope: 'personal',
      installedBy: ADMIN.aadObjectId,
    });
    const conversationsBefore = await stored();
    const specs = fc.sample(spec(), { seed: SEED, numRuns: INPUTS });
    const unauthenticated = specs.filter((s) => s.token !== 'valid');
    let next = 0;
    const run = async (list: readonly Spec[]): Promise<void> => {
      while (next < list.length) await send(list[next++]!);
    };
    // Unauthenticated first: the fake connector must not have been called by any of them.
    await Promise.all(Array.from({ length: CONCURRENCY }, () => run(unauthenticated)));
    expect(h.connector.posts).toHaveLength(0);
    expect(await stored()).toBe(conversationsBefore);
    next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, () => run(specs.filter((s) => s.token === 'valid'))));
    expect(prototypeClean()).toBe(true);
    // Neither the channel's bearer token nor the app password ever reaches a log line.
    const logged = JSON.stringify(h.logger.lines);
    expect(
      [tokens['valid']!, tokens['otherBot']!, 'not-used-offline'].filter((secret) => logged.includes(secret)),
    ).toEqual([]);
    expect(tally.inputs).toBe(INPUTS);
  }, 240_000);
});
