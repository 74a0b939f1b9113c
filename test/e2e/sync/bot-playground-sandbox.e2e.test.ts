import { resolve } from 'node:path';
import { AgentsPlayground, eventually, freePort } from '../../adapters/bot/support/agents-playground.js';
import { cardText } from '../../adapters/bot/support/validate-card.js';
import { startSandboxRig, type SandboxRig } from './sandbox-harness.js';

/** The Playground's users as the shipped config names them (.m365agentsplayground.yml). */
const ADMIN = 'user-id-0';
const CHAT = 'presence-sync-personal-chat';

/**
 * `npm start` then `npm run playground`, as the README says: the Playground, with the config file the
 * repository ships, talks to the composed sandbox; the chat's tenant is the sandbox's tenant, so
 * the bot answers with its data instead of "not connected for your organisation".
 */
describe('the Agents Playground with the shipped config, against the sandbox', () => {
  let rig: SandboxRig;
  let pg: AgentsPlayground;
  let seen = 0;

  async function ask(userId: string, text: string): Promise<string> {
    await pg.say(CHAT, userId, text);
    const reply = await eventually(() => pg.botMessages(ADMIN)[seen], `the bot's answer to "${text}"`);
    seen++;
    return reply.text ?? reply.attachments.map((a) => cardText(a.content)).join('\n');
  }

  beforeAll(async () => {
    // `npm run playground` listens on 56150, which the sandbox trusts; a test takes a free port and trusts that.
    const port = await freePort();
    rig = await startSandboxRig({ BOT_TRUSTED_SERVICE_URLS: `http://localhost:${port}` });
    pg = await AgentsPlayground.start(
      `${rig.base}/api/messages`,
      CHAT,
      { M365_AGENTS_PLAYGROUND_CONFIG_PATH: resolve('.m365agentsplayground.yml') },
      port,
    );
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
    await rig?.close();
  });

  it('names the sandbox tenant: the admin gets the Health Check and the rules', async () => {
    expect(await ask(ADMIN, 'health')).toContain('Health Check');
    expect(await ask(ADMIN, 'rules')).toContain('Presence rules');
  });
});
