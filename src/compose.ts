import { pino } from 'pino';
import { healthRoutes } from './adapters/http/restify-health-routes.js';
import { createRestifyServer } from './adapters/http/restify-server.js';
import { createKyselyStore } from './adapters/store/kysely-store.js';
import type { Clock, Logger, Store } from './application/ports.js';
import type { Config } from './config.js';

/** The running product: what main.ts starts and stops. */
export interface App {
  readonly logger: Logger;
  readonly store: Store;
  /** Starts listening; resolves with the bound port. */
  start(): Promise<number>;
  /** Graceful: stop taking requests, let in-flight ones finish, then close the store. */
  stop(): Promise<void>;
}

export interface ComposeOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const systemClock: Clock = { now: () => Date.now() };

/** Secrets are never logged, even when a whole config or request ends up in a log line. */
const REDACT = ['*.secret', '*.clientSecret', '*.accessKeySecret', '*.password', '*.token', 'encryptionKeys', 'headers.authorization', 'req.headers.authorization'];

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'presence-sync', env: config.env } });
}

/** The one composition root: builds the adapters from config and wires them. */
export async function compose(config: Config, overrides: ComposeOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config);
  const clock = overrides.clock ?? systemClock;
  const store = await createKyselyStore({
    location: config.store,
    encryptionKeys: config.encryptionKeys.map((k) => Buffer.from(k, 'base64')),
    clock,
  });
  logger.info({ store: config.store.kind, mode: config.mode }, 'store ready (migrations applied)');
  const http = createRestifyServer({
    name: 'presence-sync',
    logger: logger.child({ component: 'http' }),
    registrars: [healthRoutes(() => store.ready())],
    closeTimeoutMs: config.shutdownTimeoutMs,
  });
  return {
    logger,
    store,
    start: () => http.listen(config.http.port, config.http.host),
    async stop() {
      await http.close();
      await store.close();
    },
  };
}
