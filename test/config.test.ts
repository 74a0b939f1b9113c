import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, configReference, loadConfig } from '../src/config.js';

describe('configuration', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'presence-config-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const key = () => randomBytes(32).toString('base64');
  const load = (env: Record<string, string> = {}) => loadConfig({ env, cwd });
  const problems = (env: Record<string, string>): readonly string[] => {
    try {
      load(env);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('starts in sandbox on its defaults: port 3978, SQLite under ./data, 1 s polling', () => {
    const c = load();
    expect(c.mode).toBe('sandbox');
    expect(c.http.port).toBe(3978);
    expect(c.store).toEqual({ kind: 'sqlite', path: join(cwd, 'data/presence-sync.sqlite') });
    expect(c.sync.pollIntervalMs).toBe(1000);
    expect(c.logLevel).toBe('info');
    expect(c.microsoft.graphBaseUrl).toBe('https://graph.microsoft.com/v1.0');
  });

  it('generates a sandbox encryption key file once (0600) and reuses it', () => {
    const first = load().encryptionKeys[0];
    const file = join(cwd, 'data/encryption.key');
    expect(Buffer.from(first ?? '', 'base64')).toHaveLength(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(load().encryptionKeys[0]).toBe(first);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(load({ DATABASE_URL: 'postgres://app@db:5432/presence', DATABASE_POOL_SIZE: '4' }).store).toEqual({
      kind: 'postgres',
      url: 'postgres://app@db:5432/presence',
      poolSize: 4,
    });
  });

  it('passes a PostgreSQL schema through, and refuses one that is not a plain identifier', () => {
    expect(load({ DATABASE_URL: 'postgres://app@db/p', DATABASE_SCHEMA: 'presence' }).store).toMatchObject({
      schema: 'presence',
    });
    expect(problems({ DATABASE_SCHEMA: 'x; drop table y' })).toEqual([
      expect.stringMatching(/^DATABASE_SCHEMA: expected a lower-case SQL identifier/),
    ]);
  });

  it('takes the process environment over env/.env.<name>.user over env/.env.<name>', () => {
    mkdirSync(join(cwd, 'env'));
    writeFileSync(join(cwd, 'env/.env.dev'), 'PORT=4000\nLOG_LEVEL=debug\nPOLL_INTERVAL_MS=2000\n');
    writeFileSync(join(cwd, 'env/.env.dev.user'), 'LOG_LEVEL=warn\nPOLL_INTERVAL_MS=3000\n');
    const c = load({ PRESENCE_SYNC_ENV: 'dev', POLL_INTERVAL_MS: '4000' });
    expect([c.http.port, c.logLevel, c.sync.pollIntervalMs]).toEqual([4000, 'warn', 4000]);
  });

  it.each([
    ['PORT', 'abc', /^PORT: expected an integer 0–65535, got "abc"$/],
    ['PORT', '70000', /^PORT: expected an integer 0–65535/],
    ['PRESENCE_SYNC_MODE', 'prod', /^PRESENCE_SYNC_MODE: expected sandbox or production, got "prod"$/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: expected fatal, error, warn, info/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/],
    ['POLL_INTERVAL_MS', '5', /^POLL_INTERVAL_MS: expected an integer 100–60000/],
    ['MICROSOFT_APP_ID', 'not-a-guid', /^MICROSOFT_APP_ID: expected a GUID/],
  ])('names %s and what it expects when it is %j', (name, value, message) => {
    expect(problems({ [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('gives the CXone poll, the engine tick, the inbox re-read and the Graph budget one setting each', () => {
    const d = load();
    expect([d.sync.pollIntervalMs, d.sync.engineTickMs, d.sync.inboxFullRereadMs]).toEqual([1000, 1000, 1000]);
    expect(d.graph).toEqual({ presenceBudget: 1500, writeAttempts: 8, writeConcurrency: 32, sessionDuration: 'PT1H' });
    const c = load({
      POLL_INTERVAL_MS: '2000',
      ENGINE_TICK_MS: '250',
      INBOX_FULL_REREAD_MS: '5000',
      GRAPH_PRESENCE_BUDGET: '1200',
      GRAPH_WRITE_ATTEMPTS: '3',
      GRAPH_WRITE_CONCURRENCY: '8',
      GRAPH_PRESENCE_SESSION_DURATION: 'PT2H30M',
    });
    expect([c.sync.pollIntervalMs, c.sync.engineTickMs, c.sync.inboxFullRereadMs]).toEqual([2000, 250, 5000]);
    expect(c.graph).toEqual({
      presenceBudget: 1200,
      writeAttempts: 3,
      writeConcurrency: 8,
      sessionDuration: 'PT2H30M',
    });
    for (const bad of ['PT4M', 'PT4H1M', 'P1D', '60', 'PT'])
      expect(problems({ GRAPH_PRESENCE_SESSION_DURATION: bad })).toEqual([
        expect.stringMatching(/^GRAPH_PRESENCE_SESSION_DURATION: expected an ISO-8601 duration PT5M–PT4H/),
      ]);
    expect(problems({ GRAPH_PRESENCE_BUDGET: '2000' })).toEqual([
      expect.stringMatching(/^GRAPH_PRESENCE_BUDGET: expected an integer 1–1500/),
    ]);
    expect(problems({ GRAPH_WRITE_CONCURRENCY: '0' })).toEqual([
      expect.stringMatching(/^GRAPH_WRITE_CONCURRENCY: expected an integer 1–64/),
    ]);
    expect(problems({ ENGINE_TICK_MS: '10' })).toEqual([expect.stringMatching(/^ENGINE_TICK_MS: expected an integer/)]);
  });

  it('turns rich Graph notifications on by default; GRAPH_RICH_NOTIFICATIONS=off turns them off, anything else is refused', () => {
    expect(load().microsoft.richNotifications).toBe(true);
    expect(load({ GRAPH_RICH_NOTIFICATIONS: 'on' }).microsoft.richNotifications).toBe(true);
    expect(load({ GRAPH_RICH_NOTIFICATIONS: 'off' }).microsoft.richNotifications).toBe(false);
    expect(problems({ GRAPH_RICH_NOTIFICATIONS: 'yes' }).join('\n')).toMatch(/GRAPH_RICH_NOTIFICATIONS/);
  });

  it('paces health alerts: 60 s debounce, 5 s batches, at most one card per 5 min by default', () => {
    expect(load().alerts).toEqual({ healthDebounceMs: 60_000, batchWindowMs: 5_000, minIntervalMs: 300_000 });
    expect(
      load({ HEALTH_ALERT_DEBOUNCE_MS: '300', BOT_ALERT_BATCH_MS: '200', BOT_ALERT_MIN_INTERVAL_MS: '0' }).alerts,
    ).toEqual({ healthDebounceMs: 300, batchWindowMs: 200, minIntervalMs: 0 });
  });

  it('refuses alert pacing that is not a whole number of ms in range, naming the variable', () => {
    expect(
      problems({ HEALTH_ALERT_DEBOUNCE_MS: '-1', BOT_ALERT_BATCH_MS: '1.5', BOT_ALERT_MIN_INTERVAL_MS: 'soon' }),
    ).toEqual([
      'HEALTH_ALERT_DEBOUNCE_MS: expected an integer 0–3600000 (ms), got "-1"',
      'BOT_ALERT_BATCH_MS: expected an integer 0–600000 (ms), got "1.5"',
      'BOT_ALERT_MIN_INTERVAL_MS: expected an integer 0–86400000 (ms), got "soon"',
    ]);
    expect(problems({ HEALTH_ALERT_DEBOUNCE_MS: '3600001' })).toHaveLength(1);
    expect(problems({ BOT_ALERT_MIN_INTERVAL_MS: String(86_400_001) })).toHaveLength(1);
  });

  it('never echoes a bad secret', () => {
    const [p] = problems({ SECRET_ENCRYPTION_KEY: 'hunter2-not-a-key' });
    expect(p).toBe('SECRET_ENCRYPTION_KEY: expected base64 of exactly 32 bytes, got an invalid value (not shown)');
  });

  it('lists every problem at once', () => {
    expect(problems({ PORT: 'x', LOG_LEVEL: 'y' })).toHaveLength(2);
  });

  const APP_ID = '11111111-2222-3333-4444-555555555555';
  const production = (): Record<string, string> => ({
    PRESENCE_SYNC_MODE: 'production',
    SECRET_ENCRYPTION_KEY: key(),
    PUBLIC_BASE_URL: 'https://sync.contoso.com',
    MICROSOFT_APP_ID: APP_ID,
    SECRET_GRAPH_CLIENT_SECRET: 'gs',
  });

  it('refuses to start production without what the tab, the bot and Graph need, naming each variable', () => {
    expect(problems({ PRESENCE_SYNC_MODE: 'production' })).toEqual([
      expect.stringMatching(/^SECRET_ENCRYPTION_KEY: .* in production, got nothing$/),
      expect.stringMatching(/^PUBLIC_BASE_URL: .* in production, got nothing$/),
      expect.stringMatching(/^MICROSOFT_APP_ID: .*the tab's SSO audience, the bot's identity, Graph.* got nothing$/),
      expect.stringMatching(/^SECRET_GRAPH_CLIENT_SECRET: .* in production, got nothing$/),
    ]);
    expect(problems({ ...production(), PUBLIC_BASE_URL: 'http://x.example' })).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL: expected an https URL/),
    ]);
    expect(problems({ ...production(), MICROSOFT_APP_TYPE: 'SingleTenant' })).toEqual([
      expect.stringMatching(/^MICROSOFT_APP_TENANT_ID: expected the home tenant id of a SingleTenant app/),
    ]);
    expect(problems({ ...production(), BOT_AUTH: 'disabled-for-playground' })).toEqual([
      expect.stringMatching(/^BOT_AUTH: expected bot-framework in production/),
    ]);
  });

  describe('production never reads the sandbox settings', () => {
    const sandboxFile = [
      'PRESENCE_SYNC_MODE=sandbox',
      'GRAPH_BASE_URL=https://127.0.0.1:3980/v1.0',
      'ENTRA_LOGIN_BASE_URL=https://127.0.0.1:3980',
      'BOT_AUTH=disabled-for-playground',
    ].join('\n');
    beforeEach(() => {
      mkdirSync(join(cwd, 'env'));
      writeFileSync(join(cwd, 'env/.env.sandbox'), sandboxFile);
    });

    it('loads env/.env.production, not env/.env.sandbox, when the process says production', () => {
      writeFileSync(join(cwd, 'env/.env.production'), 'LOG_LEVEL=warn\n');
      const c = load(production());
      expect(c.env).toBe('production');
      expect(c.logLevel).toBe('warn');
      expect(c.microsoft.graphBaseUrl).toBe('https://graph.microsoft.com/v1.0');
      expect(c.microsoft.loginBaseUrl).toBe('https://login.microsoftonline.com');
      expect(c.bot.auth).toBe('bot-framework');
    });

    it('takes its mode from env/.env.production too', () => {
      writeFileSync(join(cwd, 'env/.env.production'), 'PRESENCE_SYNC_MODE=production\n');
      const { PRESENCE_SYNC_MODE: _mode, ...rest } = production();
      expect(load({ ...rest, PRESENCE_SYNC_ENV: 'production' }).mode).toBe('production');
    });

    it('refuses PRESENCE_SYNC_ENV=sandbox in production mode', () => {
      expect(problems({ ...production(), PRESENCE_SYNC_ENV: 'sandbox' })).toContainEqual(
        expect.stringMatching(/^PRESENCE_SYNC_ENV: production mode never reads env\/\.env\.sandbox/),
      );
    });

    it('still loads env/.env.sandbox by default in the sandbox', () => {
      expect(load().bot.auth).toBe('disabled-for-playground');
    });
  });

  it('lets any tenant onboard by default, only the listed ones with ONBOARDING_ALLOWED_TENANTS, only the home tenant of a SingleTenant app', () => {
    const home = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const other = 'AAAAAAAA-0000-4000-8000-000000000001';
    expect(load(production()).onboarding).toEqual({});
    expect(load({ ...production(), ONBOARDING_ALLOWED_TENANTS: ` ${home} ,${other}` }).onboarding).toEqual({
      allowedTenants: [home, other.toLowerCase()],
    });
    expect(
      load({ ...production(), MICROSOFT_APP_TYPE: 'SingleTenant', MICROSOFT_APP_TENANT_ID: home }).onboarding,
    ).toEqual({ allowedTenants: [home] });
    expect(problems({ ONBOARDING_ALLOWED_TENANTS: 'contoso.com' })).toEqual([
      expect.stringMatching(/^ONBOARDING_ALLOWED_TENANTS: expected comma-separated GUIDs/),
    ]);
  });

  it('trusts one more channel-token issuer only when both its metadata and its issuer are set, never in place of Bot Framework', () => {
    const authority = {
      BOT_CHANNEL_OPENID_METADATA: 'http://127.0.0.1:3981/v1/.well-known/openidconfiguration',
      BOT_CHANNEL_ISSUER: 'http://127.0.0.1:3981',
    };
    expect(load(production()).bot.channelAuthority).toBeUndefined();
    expect(load({ ...production(), ...authority }).bot.channelAuthority).toEqual({
      openIdMetadataUrl: authority.BOT_CHANNEL_OPENID_METADATA,
      issuer: authority.BOT_CHANNEL_ISSUER,
    });
    expect(problems({ ...production(), BOT_CHANNEL_ISSUER: authority.BOT_CHANNEL_ISSUER })).toEqual([
      expect.stringMatching(/^BOT_CHANNEL_OPENID_METADATA \/ BOT_CHANNEL_ISSUER: expected both/),
    ]);
    // Keys fetched in the clear from another machine could be anyone's.
    expect(
      problems({ ...production(), ...authority, BOT_CHANNEL_OPENID_METADATA: 'http://connector.example/v1/x' }),
    ).toEqual([expect.stringMatching(/^BOT_CHANNEL_OPENID_METADATA: expected an https URL \(http only on/)]);
    // Bot Framework's issuer stays bound to login.botframework.com's keys.
    for (const issuer of [
      'https://api.botframework.com',
      'https://API.botframework.com/',
      'https://api.botframework.us',
    ])
      expect(problems({ ...production(), ...authority, BOT_CHANNEL_ISSUER: issuer })).toEqual([
        expect.stringMatching(/^BOT_CHANNEL_ISSUER: expected a URL/),
      ]);
  });

  it('documents every variable in env/.env.production.example, and sets no secret there', () => {
    const example = readFileSync(join(import.meta.dirname, '../env/.env.production.example'), 'utf8');
    for (const x of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^#? ?${x.name}=`, 'm'));
    expect(example).not.toMatch(/^SECRET_/m);
    expect(example).toMatch(/^PRESENCE_SYNC_MODE=production$/m);
  });

  it('reads production secrets and rotation keys, and writes no key file', () => {
    const [k1, k2] = [key(), key()];
    const c = load({ ...production(), SECRET_ENCRYPTION_KEY: k1, SECRET_ENCRYPTION_KEY_PREVIOUS: ` ${k2} ` });
    expect(c.encryptionKeys).toEqual([k1, k2]);
    expect(c.microsoft).toMatchObject({
      clientSecret: 'gs',
      appId: '11111111-2222-3333-4444-555555555555',
      appType: 'MultiTenant',
    });
    expect(() => statSync(join(cwd, 'data/encryption.key'))).toThrow();
  });

  it('is deeply frozen', () => {
    const c = load();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.http)).toBe(true);
    expect(Object.isFrozen(c.encryptionKeys)).toBe(true);
  });

  it('documents every variable with a meaning, and only SECRET_* ones hold secrets', () => {
    const names = CONFIG_VARIABLES.map((x) => x.name);
    expect(new Set(names).size).toBe(names.length);
    for (const x of CONFIG_VARIABLES) expect(x.meaning.length).toBeGreaterThan(10);
    expect(names.filter((n) => /SECRET|PASSWORD/.test(n) && !n.startsWith('SECRET_'))).toEqual([]);
  });

  it('times how the instances keep each other current, each setting validated', () => {
    expect(load().sharedState).toEqual({
      healthPublishMs: 2_000,
      healthStaleMs: 10_000,
      lifecyclePollMs: 1_000,
      configSignalPollMs: 1_000,
      traceTailPollMs: 500,
      alertSweepMs: 5_000,
    });
    // Tests set them short.
    expect(
      load({ HEALTH_PUBLISH_MS: '200', HEALTH_STALE_MS: '1000', CONFIG_SIGNAL_POLL_MS: '100' }).sharedState,
    ).toMatchObject({ healthPublishMs: 200, healthStaleMs: 1_000, configSignalPollMs: 100 });
    expect(problems({ HEALTH_PUBLISH_MS: '5000', HEALTH_STALE_MS: '10000' })).toEqual([
      'HEALTH_STALE_MS: expected above 2 × HEALTH_PUBLISH_MS (10000 ms), got 10000',
    ]);
    expect(problems({ TRACE_TAIL_POLL_MS: '0', ALERT_SWEEP_MS: 'soon' })).toEqual([
      expect.stringMatching(/^TRACE_TAIL_POLL_MS: /),
      expect.stringMatching(/^ALERT_SWEEP_MS: /),
    ]);
  });

  it("agrees with the README's timing table: every row a variable, with its default", () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Timing settings'));
    const rows = [
      ...section
        .slice(0, section.indexOf('\n\n', section.indexOf('| setting')))
        .matchAll(/^\| `(\w+)` +\|.*\| (\S+) +\|$/gm),
    ];
    const documented = new Map(rows.map((r) => [r[1]!, r[2]!]));
    for (const name of [
      'HEALTH_PUBLISH_MS',
      'HEALTH_STALE_MS',
      'LIFECYCLE_POLL_MS',
      'CONFIG_SIGNAL_POLL_MS',
      'TRACE_TAIL_POLL_MS',
      'ALERT_SWEEP_MS',
    ])
      expect(documented.has(name)).toBe(true);
    const defaults = new Map(CONFIG_VARIABLES.map((x) => [x.name, x.default]));
    expect([...documented].filter(([name, value]) => defaults.get(name) !== value)).toEqual([]);
  });

  it('renders the variable table as Markdown, one row per variable', () => {
    const table = configReference().split('\n');
    expect(table).toHaveLength(CONFIG_VARIABLES.length + 2);
    expect(table).toContainEqual(expect.stringMatching(/^\| `PORT` \| .* \| `3978` \|$/));
  });
});
