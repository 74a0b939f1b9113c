import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { isHttpsOrLoopback } from './adapters/bot/bot-channel-authority.js';
import { CxoneHostPolicy, NICE_CXONE_DOMAINS } from './adapters/cxone/cxone-host-policy.js';
import { isSessionDuration } from './adapters/graph/presence-session-policy.js';

/**
 * Every setting of the process, read once: from the process environment, over
 * `env/.env.<PRESENCE_SYNC_ENV>.user`, over `env/.env.<PRESENCE_SYNC_ENV>` (first one wins).
 * Secrets are only SECRET_* variables and are never echoed in an error. A bad value stops the
 * process with a message naming the variable and what it expects.
 */

/** One documented variable (name, meaning, default); CONFIG_VARIABLES is the single table of them. */
export interface ConfigVariable {
  readonly name: string;
  readonly meaning: string;
  /** The default as it would be written in an env file; undefined = no default. */
  readonly default?: string;
  /** What a valid value looks like (used in error messages). */
  readonly expects: string;
  readonly schema: z.ZodType;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.url({ protocol: /^https?$/ });
const optionalText = z.string().min(1).optional();
const base64Key = z.string().refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32);
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const v = (name: string, meaning: string, expects: string, schema: z.ZodType, dflt?: string): ConfigVariable =>
  Object.freeze({ name, meaning, expects, schema, ...(dflt === undefined ? {} : { default: dflt }) });

export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze([
  v(
    'PRESENCE_SYNC_ENV',
    'Which env/.env.<name> (and .user) file is loaded; default sandbox, or production when PRESENCE_SYNC_MODE=production (production never reads env/.env.sandbox)',
    'a file suffix such as sandbox, production, local, dev',
    z.string().regex(/^[a-z0-9-]+$/),
    'sandbox',
  ),
  v(
    'PRESENCE_SYNC_MODE',
    'sandbox: emulators + simulated workload + generated key; production: real CXone and Microsoft',
    'sandbox or production',
    z.enum(['sandbox', 'production']),
    'sandbox',
  ),
  v('PORT', 'HTTP port of the server (bot, webhooks, tab API, health)', 'an integer 0–65535', int(0, 65535), '3978'),
  v(
    'HOST',
    'Interface the server binds to; unset: 127.0.0.1 (loopback only) in the sandbox, whose dev-token hands out admin tokens, and 0.0.0.0 in production',
    'a host name or IP address',
    optionalText,
  ),
  v(
    'TRUSTED_PROXY_HOPS',
    'How many proxies (load balancer, ingress) in front of this service append to X-Forwarded-For; the client address for rate limits is read from there (0: the socket peer)',
    'an integer 0–10',
    int(0, 10),
    '0',
  ),
  v(
    'PUBLIC_BASE_URL',
    'Public HTTPS URL of this service (Graph notification URLs, tab); required in production',
    'an http(s) URL',
    url.optional(),
  ),
  v('LOG_LEVEL', 'pino log level', LOG_LEVELS.join(', '), z.enum(LOG_LEVELS), 'info'),
  v(
    'DATA_DIR',
    'Folder for local state: SQLite file, sandbox key file, sandbox CA',
    'a folder path',
    z.string().min(1),
    './data',
  ),
  v(
    'DATABASE_URL',
    'PostgreSQL connection URL; when set, PostgreSQL is used instead of SQLite',
    'a postgres:// or postgresql:// URL',
    z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  ),
  v(
    'DATABASE_SCHEMA',
    "PostgreSQL schema for the tables (created if absent); default: the server's search_path",
    'a lower-case SQL identifier',
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional(),
  ),
  v('DATABASE_POOL_SIZE', 'PostgreSQL connections per instance', 'an integer 1–100', int(1, 100), '10'),
  v(
    'SQLITE_PATH',
    'SQLite database file when DATABASE_URL is not set (":memory:" for a throwaway store)',
    'a file path',
    z.string().min(1),
    './data/presence-sync.sqlite',
  ),
  v(
    'SECRET_ENCRYPTION_KEY',
    'AES-256-GCM key for secrets at rest; required in production (sandbox: generated into DATA_DIR/encryption.key)',
    'base64 of exactly 32 bytes',
    base64Key.optional(),
  ),
  v(
    'SECRET_ENCRYPTION_KEY_PREVIOUS',
    'Older keys still accepted for reading during a key rotation',
    'comma-separated base64 32-byte keys',
    z
      .string()
      .refine((s) => s.split(',').every((k) => base64Key.safeParse(k.trim()).success))
      .optional(),
  ),
  v(
    'CXONE_AUTH_BASE_URL',
    'CXone global identity provider (OIDC discovery, /auth/token)',
    'an http(s) URL',
    url,
    'https://cxone.niceincontact.com',
  ),
  v(
    'CXONE_API_BASE_URL',
    'CXone ACD API base; normally discovered (api_endpoint), set to pin it',
    'an http(s) URL',
    url.optional(),
  ),
  v(
    'CXONE_ALLOWED_HOSTS',
    "Hosts CXone credentials may be sent to (connection tests, sign-in, discovered API): `domain` allows it and its subdomains, `host:port` exactly that; in the sandbox only its emulator's host:port is allowed",
    'comma-separated host names (optionally host:port)',
    z.string().regex(/^\s*[A-Za-z0-9.:[\]-]+(\s*,\s*[A-Za-z0-9.:[\]-]+)*\s*$/),
    NICE_CXONE_DOMAINS.join(','),
  ),
  v('CXONE_CLIENT_ID', 'CXone back-end application client id', 'text', optionalText),
  v('SECRET_CXONE_CLIENT_SECRET', 'CXone back-end application client secret', 'text', optionalText),
  v('CXONE_ACCESS_KEY_ID', 'CXone access key id of the integration user (default connection)', 'text', optionalText),
  v('SECRET_CXONE_ACCESS_KEY_SECRET', 'CXone access key secret of the integration user', 'text', optionalText),
  v('GRAPH_BASE_URL', 'Microsoft Graph base URL', 'an http(s) URL', url, 'https://graph.microsoft.com/v1.0'),
  v(
    'ENTRA_LOGIN_BASE_URL',
    "Entra (Azure AD) login base URL for tokens and keys: Graph, owner sign-in, and the bot's Bot Connector tokens (<base>/botframework.com, or the app tenant of a SingleTenant bot)",
    'an http(s) URL',
    url,
    'https://login.microsoftonline.com',
  ),
  v(
    'MICROSOFT_APP_ID',
    "Entra application (client) id of the app and bot: the tab's SSO audience, the bot's identity, the Graph client; required in production",
    'a GUID',
    z.guid().optional(),
  ),
  v(
    'MICROSOFT_APP_TENANT_ID',
    'Home tenant of the Entra app; required when MICROSOFT_APP_TYPE=SingleTenant',
    'a GUID',
    z.guid().optional(),
  ),
  v(
    'MICROSOFT_APP_TYPE',
    'Bot app type',
    'MultiTenant or SingleTenant',
    z.enum(['MultiTenant', 'SingleTenant']),
    'MultiTenant',
  ),
  v(
    'SECRET_GRAPH_CLIENT_SECRET',
    'Client secret of the Entra app (Graph app-only and on-behalf-of tokens, owner sign-in, bot); required in production',
    'text',
    optionalText,
  ),
  v(
    'SECRET_METRICS_TOKEN',
    'Bearer token Prometheus sends to scrape /metrics (the metrics name every tenant); without it /metrics is open in the sandbox and not served in production',
    'text of at least 16 characters',
    z.string().min(16).optional(),
  ),
  v(
    'ONBOARDING_ALLOWED_TENANTS',
    'Entra tenant ids that may onboard (admin consent, first sign-in); empty = any tenant, or only MICROSOFT_APP_TENANT_ID when MICROSOFT_APP_TYPE=SingleTenant',
    'comma-separated GUIDs',
    z
      .string()
      .refine((s) => s.split(',').every((t) => z.guid().safeParse(t.trim()).success))
      .optional(),
  ),
  v(
    'GRAPH_RICH_NOTIFICATIONS',
    'on: presence subscriptions carry the presence itself, encrypted to a key pair kept sealed in the store (no Graph read per change); off: notifications name the user only and each one costs a presence read',
    'on or off',
    z.enum(['on', 'off']),
    'on',
  ),
  v(
    'POLL_INTERVAL_MS',
    'How often CXone agent states are polled',
    'an integer 100–60000 (ms)',
    int(100, 60_000),
    '1000',
  ),
  v(
    'ENGINE_TICK_MS',
    "How often the sync engine's housekeeping runs per tenant: inbox pump, presence keep-alive refreshes, throttle report, store health",
    'an integer 100–60000 (ms)',
    int(100, 60_000),
    '1000',
  ),
  v(
    'INBOX_FULL_REREAD_MS',
    'How often the inbox is read from its start (entries due for a retry, entries another instance stored out of order); in between only new entries are read',
    'an integer 100–600000 (ms)',
    int(100, 600_000),
    '1000',
  ),
  v(
    'GRAPH_PRESENCE_BUDGET',
    "Graph presence requests per tenant per 30 s the writer allows itself (Graph's published limit: 1,500 per app per tenant); lower it to leave room for other apps of the same registration",
    'an integer 1–1500 (requests per 30 s)',
    int(1, 1_500),
    '1500',
  ),
  v(
    'GRAPH_PRESENCE_SESSION_DURATION',
    "How long a presence session we set in Teams lives (Graph's setPresence expirationDuration) unless refreshed; refreshed 10 min before its end while the ACD state holds. Longer: fewer keep-alive writes (at PT1H about 6.7 % of the budget for 10,000 agents in held states), but a session that an instance which crashed (and that no other instance takes over) can no longer clear shows that long. Available sessions fade after 5 min in Teams whatever this says: they are re-written every 4 min and live 15 min at most",
    'an ISO-8601 duration PT5M–PT4H (e.g. PT1H, PT90M, PT2H30M)',
    z.string().refine(isSessionDuration),
    'PT1H',
  ),
  v(
    'GRAPH_WRITE_ATTEMPTS',
    'Attempts of one Graph presence write on 5xx or network failures, 0.5 s doubling to 60 s apart, before it is reported failed (429s wait for Retry-After and never count); the engine owns these retries, each one a Log Reader line',
    'an integer 1–20',
    int(1, 20),
    '8',
  ),
  v(
    'GRAPH_WRITE_CONCURRENCY',
    "Presence $batch requests (20 writes each) a tenant's writer keeps in flight at once. What it can send is bounded by the budget whatever this says; this bounds how fast: 20 × this ÷ Graph's round trip (at 32 and 300 ms, about 2,100 writes a second, a whole window's 1,500 in 0.7 s; at 4, 5.6 s, and the storm's next window opened that much later). Graph publishes no concurrency limit for presence (its only published one is Outlook's 4 per mailbox); lower it if Graph ever answers 429 while the budget has room",
    'an integer 1–64',
    int(1, 64),
    '32',
  ),
  v(
    'RECONCILE_INTERVAL_MS',
    'How often both sides are read and compared (drift correction)',
    'an integer 10000–86400000 (ms)',
    int(10_000, 86_400_000),
    '300000',
  ),
  v(
    'SUBSCRIPTION_CHECK_MS',
    'How often Graph is asked whether the presence subscriptions still exist (one GET per subscription owner); one Graph removed without notice is recreated and alerted within this, not at the next reconciliation; 0 turns the check off',
    'an integer 0 or 5000–3600000 (ms)',
    z.coerce
      .number()
      .int()
      .refine((n) => n === 0 || (n >= 5_000 && n <= 3_600_000), 'expected 0 or 5000–3600000'),
    '30000',
  ),
  v(
    'LEASE_TTL_MS',
    'How long a tenant lease lasts without renewal: an instance that dies is replaced by another after about this long',
    'an integer 1000–600000 (ms)',
    int(1_000, 600_000),
    '10000',
  ),
  v(
    'LEASE_TAKEOVER_LOCAL',
    'on: a crashed instance of this host (its process no longer runs) gives up its tenant leases at once instead of after LEASE_TTL_MS; off: always wait for the TTL',
    'on or off',
    z.enum(['on', 'off']),
    'on',
  ),
  v(
    'LEASE_RENEW_MS',
    'How often the lease holder renews its tenant leases (and other instances look for free ones); must be below LEASE_TTL_MS / 2',
    'an integer 100–300000 (ms), below LEASE_TTL_MS / 2',
    int(100, 300_000),
    '3000',
  ),
  v(
    'HEALTH_PUBLISH_MS',
    "How often the instance running a tenant's sync reports its Health Check to the store for the other instances: the whole snapshot when what it says changed, else only its time (the heartbeat)",
    'an integer 200–60000 (ms)',
    int(200, 60_000),
    '2000',
  ),
  v(
    'HEALTH_STALE_MS',
    'A Health Check snapshot older than this tells every other instance that its writer stopped: they answer Sync stopped; must be above 2 × HEALTH_PUBLISH_MS so one late heartbeat does not',
    'an integer 1000–600000 (ms), above 2 × HEALTH_PUBLISH_MS',
    int(1_000, 600_000),
    '10000',
  ),
  v(
    'LIFECYCLE_POLL_MS',
    'How often the instance running a tenant reads the Graph lifecycle events other instances received for it (reauthorizationRequired, subscriptionRemoved, missed) and acts on them',
    'an integer 100–60000 (ms)',
    int(100, 60_000),
    '1000',
  ),
  v(
    'CONFIG_SIGNAL_POLL_MS',
    'How often changes saved through another instance are looked for: the instance running a tenant re-plans its Graph subscriptions after rules, links or the sync switch changed; every instance drops its CXone directory copy after an agent moved team',
    'an integer 100–60000 (ms)',
    int(100, 60_000),
    '1000',
  ),
  v(
    'TRACE_TAIL_POLL_MS',
    "How often a Log Reader live tail reads the agent's new lines from the store (lines written by the instance running the tenant, when another instance serves the tail)",
    'an integer 100–10000 (ms)',
    int(100, 10_000),
    '500',
  ),
  v(
    'ALERT_SWEEP_MS',
    'How often each instance looks in the store for bot alerts that are due (alerts batched or paced by an instance that since stopped)',
    'an integer 500–300000 (ms)',
    int(500, 300_000),
    '5000',
  ),
  v(
    'TRACE_RETENTION_MS',
    'Log Reader events older than this are pruned',
    'an integer ≥ 60000 (ms)',
    int(60_000, Number.MAX_SAFE_INTEGER),
    String(7 * 24 * 3600 * 1000),
  ),
  v(
    'TRACE_MAX_PER_TENANT',
    'At most this many Log Reader events are kept per tenant',
    'an integer 100–10000000',
    int(100, 10_000_000),
    '200000',
  ),
  v(
    'EXTRA_CA_FILE',
    'PEM file of an extra CA to trust for outgoing HTTPS (the sandbox CA)',
    'a file path',
    optionalText,
  ),
  v(
    'HTTP_TIMEOUT_MS',
    'Timeout of one outgoing HTTP request',
    'an integer 100–120000 (ms)',
    int(100, 120_000),
    '10000',
  ),
  v(
    'BOT_AUTH',
    'How the bot authenticates inbound activities; disabled-for-playground (unsigned, Agents Playground) only in the sandbox',
    'bot-framework or disabled-for-playground',
    z.enum(['bot-framework', 'disabled-for-playground']),
    'bot-framework',
  ),
  v(
    'BOT_TRUSTED_SERVICE_URLS',
    'Extra Bot Connector origins the bot may call (scheme://host:port, exact); always trusted: the Bot Framework channel hosts over HTTPS in production, the Bot Connector emulator and the Agents Playground (http://localhost:56150) in the sandbox',
    'comma-separated URLs',
    z
      .string()
      .refine((s) => s.split(',').every((u) => u.trim() === '' || URL.canParse(u.trim())))
      .optional(),
  ),
  v(
    'BOT_CHANNEL_OPENID_METADATA',
    "OpenID metadata document of one more Bot Connector whose channel tokens the bot accepts (like login.botframework.com/v1/.well-known/openidconfiguration), e.g. the emulated Connector of npm run emulators; set together with BOT_CHANNEL_ISSUER. Bot Framework's own tokens are always verified against login.botframework.com; unset, no other issuer is trusted",
    'an https URL (http only on 127.0.0.1 / localhost)',
    z.string().refine(isHttpsOrLoopback).optional(),
  ),
  v(
    'BOT_CHANNEL_ISSUER',
    "The iss of that Connector's channel tokens; its metadata document must name the same, and it cannot be Bot Framework's own (https://api.botframework.com)",
    'a URL, e.g. http://127.0.0.1:3981',
    z
      .url()
      .refine((u) => !/^https:\/\/api\.botframework\.(com|us)\/?$/i.test(u))
      .optional(),
  ),
  v(
    'TEAMS_APP_ID',
    "The Teams app id (manifest id); the bot's deep links into the tab use it",
    'a GUID',
    z.guid(),
    '6f1e3f4c-5a0b-4c35-9a57-7d2f0c1b2a90',
  ),
  v(
    'HEALTH_ALERT_DEBOUNCE_MS',
    'A component status must hold this long before it counts as a change to alert on (a shorter flap is no alert)',
    'an integer 0–3600000 (ms)',
    int(0, 3_600_000),
    '60000',
  ),
  v(
    'BOT_ALERT_BATCH_MS',
    'Health changes of a tenant arriving within this window go out as one bot alert card',
    'an integer 0–600000 (ms)',
    int(0, 600_000),
    '5000',
  ),
  v(
    'BOT_ALERT_MIN_INTERVAL_MS',
    'At most one bot alert card per tenant per interval; later changes wait and are merged into the next card',
    'an integer 0–86400000 (ms)',
    int(0, 86_400_000),
    '300000',
  ),
  v(
    'SANDBOX_WORKLOAD_RATE',
    'Sandbox only: simulated call-centre events per second across all agents (0 = no workload)',
    'a number 0–1000',
    z.coerce.number().min(0).max(1000),
    '2',
  ),
  v(
    'SANDBOX_GRAPH_NOTIFICATION_LATENCY',
    'Sandbox only: how late the Graph emulator sends presence notifications (Microsoft: under 10 s on average, at most 1 min). realistic = log-normal, median 3 s, capped at 60 s; off = at once; a number = that many ms; median:<ms> = realistic around another median',
    'realistic, off, an integer (ms) or median:<ms>',
    z.string().regex(/^(realistic|off|\d+|median:\d+)$/i, 'must be realistic, off, a number of ms or median:<ms>'),
    'realistic',
  ),
  v(
    'CXONE_REALISM',
    'Sandbox only: on = the CXone emulator reports agent-state changes late and throttles like production (2 s lag, 15 requests/s, burst 30; src/sandbox/cxone/README.md); off = at once and unthrottled, for tests that need speed',
    'on or off',
    z.enum(['on', 'off']),
    'on',
  ),
  v(
    'SANDBOX_WORKLOAD_SEED',
    "Sandbox only: seed of the workload's pseudo-random choices (same seed, same story)",
    'an integer',
    z.coerce.number().int(),
    '42',
  ),
  v(
    'SHUTDOWN_TIMEOUT_MS',
    'Grace period for in-flight work on SIGTERM/SIGINT',
    'an integer 0–120000 (ms)',
    int(0, 120_000),
    '10000',
  ),
]);

/** CONFIG_VARIABLES as a Markdown table (for the README and `--help`-style output). */
export function configReference(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = CONFIG_VARIABLES.map(
    (x) =>
      `| \`${x.name}\` | ${cell(x.meaning)} | ${cell(x.expects)} | ${x.default === undefined ? '—' : `\`${x.default}\``} |`,
  );
  return ['| Variable | Meaning | Expects | Default |', '|---|---|---|---|', ...rows].join('\n');
}

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The typed, deeply frozen configuration. */
export interface Config {
  readonly env: string;
  readonly mode: 'sandbox' | 'production';
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicBaseUrl: string;
    /** Proxies in front that append to X-Forwarded-For (rate limits key on the client behind them). */
    readonly trustedProxyHops: number;
  };
  readonly logLevel: LogLevel;
  readonly dataDir: string;
  readonly store:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number; readonly schema?: string };
  /** base64 AES-256 keys: the first seals, all open. */
  readonly encryptionKeys: readonly string[];
  readonly cxone: {
    readonly authBaseUrl: string;
    /** CXONE_ALLOWED_HOSTS, split: where CXone credentials may go (CxoneHostPolicy). */
    readonly allowedHosts: readonly string[];
    readonly apiBaseUrl?: string;
    readonly clientId?: string;
    readonly clientSecret?: string;
    readonly accessKeyId?: string;
    readonly accessKeySecret?: string;
  };
  readonly microsoft: {
    readonly graphBaseUrl: string;
    readonly loginBaseUrl: string;
    readonly appId?: string;
    readonly appTenantId?: string;
    readonly appType: 'MultiTenant' | 'SingleTenant';
    readonly clientSecret?: string;
    /** Rich notifications: presence carried (encrypted) in Graph change notifications. */
    readonly richNotifications: boolean;
  };
  readonly sync: {
    /** CXone agent-state poll (the feed's). */
    readonly pollIntervalMs: number;
    /** The engine's tick per tenant (pump, keep-alives, throttle report, store health). */
    readonly engineTickMs: number;
    /** Full inbox re-read period. */
    readonly inboxFullRereadMs: number;
    readonly reconcileIntervalMs: number;
    /** Presence subscription existence check (0: off). */
    readonly subscriptionCheckMs: number;
  };
  readonly graph: {
    /** Presence requests per tenant per 30 s. */
    readonly presenceBudget: number;
    /** Attempts of one presence write on 5xx / network failures (429s do not count). */
    readonly writeAttempts: number;
    /** $batch requests in flight at once per tenant. */
    readonly writeConcurrency: number;
    /** expirationDuration of our presence sessions that do not decay (PT5M..PT4H). */
    readonly sessionDuration: string;
  };
  /** Tenant leases (one owner per tenant across instances): TTL and renewal period. */
  readonly lease: { readonly ttlMs: number; readonly renewMs: number; readonly takeoverLocal: boolean };
  /** How the instances behind one load balancer keep each other current through the store. */
  readonly sharedState: {
    readonly healthPublishMs: number;
    readonly healthStaleMs: number;
    readonly lifecyclePollMs: number;
    readonly configSignalPollMs: number;
    readonly traceTailPollMs: number;
    readonly alertSweepMs: number;
  };
  readonly trace: { readonly retentionMs: number; readonly maxPerTenant: number };
  /** Who may scrape /metrics: a bearer token, open (sandbox only), or nobody (production without a token). */
  readonly metrics: { readonly access: 'token'; readonly token: string } | { readonly access: 'open' | 'off' };
  readonly extraCaFile?: string;
  readonly httpTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly sandbox: {
    readonly workloadRate: number;
    readonly workloadSeed: number;
    /** SANDBOX_GRAPH_NOTIFICATION_LATENCY as written (parsed by the sandbox). */
    readonly graphNotificationLatency: string;
    /** CXONE_REALISM: the CXone emulator's reporting lag and rate limit on. */
    readonly cxoneRealism: boolean;
  };
  /** Which Entra tenants may onboard; undefined = any. */
  readonly onboarding: { readonly allowedTenants?: readonly string[] };
  readonly bot: {
    readonly auth: 'bot-framework' | 'disabled-for-playground';
    readonly teamsAppId: string;
    /** BOT_TRUSTED_SERVICE_URLS, split. */
    readonly trustedServiceUrls: readonly string[];
    /** BOT_CHANNEL_OPENID_METADATA + BOT_CHANNEL_ISSUER: one more channel-token issuer the bot trusts. */
    readonly channelAuthority?: { readonly openIdMetadataUrl: string; readonly issuer: string };
  };
  /** Health debounce and proactive alert pacing. */
  readonly alerts: {
    readonly healthDebounceMs: number;
    readonly batchWindowMs: number;
    readonly minIntervalMs: number;
  };
}

/** A configuration the process cannot start with; `problems` name each variable and what it expects. */
export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** The process environment (tests pass their own). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where env/ and relative paths are resolved from. */
  readonly cwd?: string;
}

/** Reads, validates and freezes the configuration; throws ConfigError on a bad or missing value. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const source = mergedEnvironment(options.env ?? process.env, cwd);
  const { values, problems } = parseVariables(source);
  // Every problem at once: what is missing for production is named next to what is malformed.
  problems.push(...crossChecks(values));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(buildConfig(values, cwd));
}

/**
 * Process environment over the .user file over the committed env file. The file set defaults to
 * the mode's own: production must never pick up the sandbox's emulator URLs and Playground bot.
 */
function mergedEnvironment(env: Readonly<Record<string, string | undefined>>, cwd: string): Record<string, string> {
  const name = env['PRESENCE_SYNC_ENV'] || (env['PRESENCE_SYNC_MODE'] === 'production' ? 'production' : 'sandbox');
  const read = (file: string): Record<string, string> => {
    const path = join(cwd, 'env', file);
    if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) return {};
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  };
  const fromProcess = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return { ...read(`.env.${name}`), ...read(`.env.${name}.user`), ...fromProcess, PRESENCE_SYNC_ENV: name };
}

type Values = Record<string, unknown>;

function parseVariables(source: Record<string, string>): { values: Values; problems: string[] } {
  const values: Values = {};
  const problems: string[] = [];
  for (const variable of CONFIG_VARIABLES) {
    const raw = source[variable.name];
    const input = raw === undefined || raw.trim() === '' ? variable.default : raw.trim();
    const parsed = variable.schema.safeParse(input);
    if (parsed.success) values[variable.name] = parsed.data;
    else problems.push(`${variable.name}: expected ${variable.expects}, got ${describe(variable.name, raw)}`);
  }
  return { values, problems };
}

const describe = (name: string, raw: string | undefined): string =>
  raw === undefined || raw.trim() === ''
    ? 'nothing'
    : name.startsWith('SECRET_')
      ? 'an invalid value (not shown)'
      : JSON.stringify(redactCredentials(raw));

/**
 * A URL's password (`postgres://user:password@host`) never reaches an error message or a log:
 * every `//user:password@` is shown as `//user:***@`.
 */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/[^/@:\s]*:)[^@\s]*@/g, '$1***@');
}

/** `text` (an error message) with the configuration's secrets and URL passwords taken out. */
export function redactConfigSecrets(text: string, config: Config): string {
  const secrets = [
    ...config.encryptionKeys,
    config.cxone.clientSecret,
    config.cxone.accessKeySecret,
    config.microsoft.clientSecret,
    config.store.kind === 'postgres' ? passwordOf(config.store.url) : undefined,
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return secrets.reduce((t, s) => t.split(s).join('***'), redactCredentials(text));
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function crossChecks(values: Values): string[] {
  const problems: string[] = [];
  // A malformed one is already named by its own problem.
  const parsed = 'BOT_CHANNEL_OPENID_METADATA' in values && 'BOT_CHANNEL_ISSUER' in values;
  if (parsed && (values['BOT_CHANNEL_OPENID_METADATA'] === undefined) !== (values['BOT_CHANNEL_ISSUER'] === undefined))
    problems.push(
      'BOT_CHANNEL_OPENID_METADATA / BOT_CHANNEL_ISSUER: expected both (a channel authority is its metadata and its issuer) or neither',
    );
  const ttl = values['LEASE_TTL_MS'] as number | undefined;
  const renew = values['LEASE_RENEW_MS'] as number | undefined;
  // A renewal missed once must still leave the lease alive.
  if (ttl !== undefined && renew !== undefined && renew * 2 >= ttl)
    problems.push(`LEASE_RENEW_MS: expected below LEASE_TTL_MS / 2 (${ttl / 2} ms), got ${renew}`);
  const publish = values['HEALTH_PUBLISH_MS'] as number | undefined;
  const stale = values['HEALTH_STALE_MS'] as number | undefined;
  // One heartbeat late (a slow store, a GC pause) must not tell every other instance that the sync stopped.
  if (publish !== undefined && stale !== undefined && stale <= publish * 2)
    problems.push(`HEALTH_STALE_MS: expected above 2 × HEALTH_PUBLISH_MS (${publish * 2} ms), got ${stale}`);
  if (values['PRESENCE_SYNC_MODE'] !== 'production') return problems;
  return [...problems, ...productionChecks(values)];
}

/** What the tab, the bot and Graph cannot work without: missing, production refuses to start (no silent 404s). */
function productionChecks(values: Values): string[] {
  const problems: string[] = [];
  const policy = new CxoneHostPolicy(allowedHosts(values));
  for (const name of ['CXONE_AUTH_BASE_URL', 'CXONE_API_BASE_URL']) {
    const value = str(values, name);
    if (value !== undefined && !policy.allows(value))
      problems.push(`${name}: expected an https URL on CXONE_ALLOWED_HOSTS (${policy.describe()}), got ${value}`);
  }
  // A malformed value is already named by its own problem; only what is absent is reported here.
  const missing = (name: string, what: string) => {
    if (!(name in values)) return;
    if (values[name] === undefined) problems.push(`${name}: expected ${what} in production, got nothing`);
  };
  if (values['PRESENCE_SYNC_ENV'] === 'sandbox')
    problems.push(
      'PRESENCE_SYNC_ENV: production mode never reads env/.env.sandbox (emulator URLs, Playground bot); use production (env/.env.production, see env/.env.production.example)',
    );
  missing('SECRET_ENCRYPTION_KEY', 'base64 of exactly 32 bytes (secrets at rest)');
  missing('PUBLIC_BASE_URL', 'the public https URL of this service (tab, bot, Graph webhooks)');
  if (typeof values['PUBLIC_BASE_URL'] === 'string' && !values['PUBLIC_BASE_URL'].startsWith('https://'))
    problems.push('PUBLIC_BASE_URL: expected an https URL in production (Graph only calls HTTPS webhooks)');
  missing('MICROSOFT_APP_ID', "the Entra app (client) id (the tab's SSO audience, the bot's identity, Graph)");
  missing('SECRET_GRAPH_CLIENT_SECRET', 'the Entra app client secret (Graph tokens, owner sign-in, the bot)');
  if (values['MICROSOFT_APP_TYPE'] === 'SingleTenant')
    missing('MICROSOFT_APP_TENANT_ID', 'the home tenant id of a SingleTenant app');
  if (values['BOT_AUTH'] === 'disabled-for-playground')
    problems.push(
      'BOT_AUTH: expected bot-framework in production (unsigned activities are for the sandbox Playground)',
    );
  return problems;
}

const str = (values: Values, name: string): string | undefined => values[name] as string | undefined;
const num = (values: Values, name: string): number => values[name] as number;
const opt = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };

const cxoneSettings = (values: Values): Config['cxone'] => ({
  authBaseUrl: str(values, 'CXONE_AUTH_BASE_URL') ?? '',
  allowedHosts: allowedHosts(values),
  ...opt('apiBaseUrl', str(values, 'CXONE_API_BASE_URL')),
  ...opt('clientId', str(values, 'CXONE_CLIENT_ID')),
  ...opt('clientSecret', str(values, 'SECRET_CXONE_CLIENT_SECRET')),
  ...opt('accessKeyId', str(values, 'CXONE_ACCESS_KEY_ID')),
  ...opt('accessKeySecret', str(values, 'SECRET_CXONE_ACCESS_KEY_SECRET')),
});

const allowedHosts = (values: Values): string[] =>
  (str(values, 'CXONE_ALLOWED_HOSTS') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);

const microsoftSettings = (values: Values): Config['microsoft'] => ({
  graphBaseUrl: str(values, 'GRAPH_BASE_URL') ?? '',
  loginBaseUrl: str(values, 'ENTRA_LOGIN_BASE_URL') ?? '',
  ...opt('appId', str(values, 'MICROSOFT_APP_ID')),
  ...opt('appTenantId', str(values, 'MICROSOFT_APP_TENANT_ID')),
  appType: values['MICROSOFT_APP_TYPE'] as Config['microsoft']['appType'],
  ...opt('clientSecret', str(values, 'SECRET_GRAPH_CLIENT_SECRET')),
  richNotifications: values['GRAPH_RICH_NOTIFICATIONS'] === 'on',
});

function metricsAccess(token: string | undefined, mode: Config['mode']): Config['metrics'] {
  if (token) return { access: 'token', token };
  return { access: mode === 'sandbox' ? 'open' : 'off' };
}

function buildConfig(values: Values, cwd: string): Config {
  const mode = values['PRESENCE_SYNC_MODE'] as Config['mode'];
  const dataDir = resolve(cwd, str(values, 'DATA_DIR') ?? './data');
  const sqlitePath = str(values, 'SQLITE_PATH') ?? '';
  const databaseUrl = str(values, 'DATABASE_URL');
  const port = num(values, 'PORT');
  const current = str(values, 'SECRET_ENCRYPTION_KEY') ?? (mode === 'sandbox' ? sandboxKey(dataDir) : '');
  const previous = (str(values, 'SECRET_ENCRYPTION_KEY_PREVIOUS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const extraCa = str(values, 'EXTRA_CA_FILE');
  return {
    env: str(values, 'PRESENCE_SYNC_ENV') ?? 'sandbox',
    mode,
    http: {
      host: str(values, 'HOST') ?? (mode === 'sandbox' ? '127.0.0.1' : '0.0.0.0'),
      port,
      publicBaseUrl: str(values, 'PUBLIC_BASE_URL') ?? `http://localhost:${port || 3978}`,
      trustedProxyHops: num(values, 'TRUSTED_PROXY_HOPS'),
    },
    logLevel: values['LOG_LEVEL'] as LogLevel,
    dataDir,
    store: databaseUrl
      ? {
          kind: 'postgres',
          url: databaseUrl,
          poolSize: num(values, 'DATABASE_POOL_SIZE'),
          ...opt('schema', str(values, 'DATABASE_SCHEMA')),
        }
      : { kind: 'sqlite', path: sqlitePath === ':memory:' ? sqlitePath : resolve(cwd, sqlitePath) },
    encryptionKeys: [current, ...previous],
    cxone: cxoneSettings(values),
    microsoft: microsoftSettings(values),
    sync: {
      pollIntervalMs: num(values, 'POLL_INTERVAL_MS'),
      engineTickMs: num(values, 'ENGINE_TICK_MS'),
      inboxFullRereadMs: num(values, 'INBOX_FULL_REREAD_MS'),
      reconcileIntervalMs: num(values, 'RECONCILE_INTERVAL_MS'),
      subscriptionCheckMs: num(values, 'SUBSCRIPTION_CHECK_MS'),
    },
    graph: {
      presenceBudget: num(values, 'GRAPH_PRESENCE_BUDGET'),
      writeAttempts: num(values, 'GRAPH_WRITE_ATTEMPTS'),
      writeConcurrency: num(values, 'GRAPH_WRITE_CONCURRENCY'),
      sessionDuration: str(values, 'GRAPH_PRESENCE_SESSION_DURATION') ?? 'PT1H',
    },
    lease: {
      ttlMs: num(values, 'LEASE_TTL_MS'),
      renewMs: num(values, 'LEASE_RENEW_MS'),
      takeoverLocal: values['LEASE_TAKEOVER_LOCAL'] === 'on',
    },
    sharedState: {
      healthPublishMs: num(values, 'HEALTH_PUBLISH_MS'),
      healthStaleMs: num(values, 'HEALTH_STALE_MS'),
      lifecyclePollMs: num(values, 'LIFECYCLE_POLL_MS'),
      configSignalPollMs: num(values, 'CONFIG_SIGNAL_POLL_MS'),
      traceTailPollMs: num(values, 'TRACE_TAIL_POLL_MS'),
      alertSweepMs: num(values, 'ALERT_SWEEP_MS'),
    },
    trace: { retentionMs: num(values, 'TRACE_RETENTION_MS'), maxPerTenant: num(values, 'TRACE_MAX_PER_TENANT') },
    metrics: metricsAccess(str(values, 'SECRET_METRICS_TOKEN'), mode),
    ...(extraCa === undefined ? {} : { extraCaFile: resolve(cwd, extraCa) }),
    httpTimeoutMs: num(values, 'HTTP_TIMEOUT_MS'),
    shutdownTimeoutMs: num(values, 'SHUTDOWN_TIMEOUT_MS'),
    bot: {
      auth: values['BOT_AUTH'] as Config['bot']['auth'],
      teamsAppId: str(values, 'TEAMS_APP_ID') ?? '',
      trustedServiceUrls: (str(values, 'BOT_TRUSTED_SERVICE_URLS') ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
      ...channelAuthority(values),
    },
    alerts: {
      healthDebounceMs: num(values, 'HEALTH_ALERT_DEBOUNCE_MS'),
      batchWindowMs: num(values, 'BOT_ALERT_BATCH_MS'),
      minIntervalMs: num(values, 'BOT_ALERT_MIN_INTERVAL_MS'),
    },
    sandbox: {
      workloadRate: num(values, 'SANDBOX_WORKLOAD_RATE'),
      workloadSeed: num(values, 'SANDBOX_WORKLOAD_SEED'),
      graphNotificationLatency: str(values, 'SANDBOX_GRAPH_NOTIFICATION_LATENCY') ?? 'realistic',
      cxoneRealism: values['CXONE_REALISM'] === 'on',
    },
    onboarding: onboardingSettings(values),
  };
}

function channelAuthority(values: Values): Pick<Config['bot'], 'channelAuthority'> {
  const openIdMetadataUrl = str(values, 'BOT_CHANNEL_OPENID_METADATA');
  const issuer = str(values, 'BOT_CHANNEL_ISSUER');
  return openIdMetadataUrl && issuer ? { channelAuthority: { openIdMetadataUrl, issuer } } : {};
}

/** A SingleTenant app serves its home tenant only; otherwise the operator's list, or any tenant. */
function onboardingSettings(values: Values): Config['onboarding'] {
  const listed = (str(values, 'ONBOARDING_ALLOWED_TENANTS') ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  const home = str(values, 'MICROSOFT_APP_TENANT_ID')?.toLowerCase();
  if (listed.length > 0) return { allowedTenants: listed };
  if (values['MICROSOFT_APP_TYPE'] === 'SingleTenant' && home) return { allowedTenants: [home] };
  return {};
}

/** Sandbox only: a key generated once into DATA_DIR/encryption.key (mode 0600) and reused after. */
function sandboxKey(dataDir: string): string {
  const path = join(dataDir, 'encryption.key');
  if (existsSync(path)) {
    const key = readFileSync(path, 'utf8').trim();
    if (base64Key.safeParse(key).success) return key;
    throw new ConfigError([
      `SECRET_ENCRYPTION_KEY: not set, and ${path} does not hold base64 of 32 bytes (delete it to generate a new one)`,
    ]);
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
