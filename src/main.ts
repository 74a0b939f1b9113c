import { compose, type App } from './compose.js';
import { banner } from './compose/banner.js';
import { createLogger, type ProductLogger } from './compose/logger.js';
import { ConfigError, loadConfig, redactConfigSecrets, type Config } from './config.js';

/** Process entry: config → compose → listen; graceful shutdown on SIGTERM / SIGINT. */
function readConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\nEvery variable is documented in src/config.ts (CONFIG_VARIABLES).\n`);
    process.exit(1);
  }
}

function onShutdown(app: App): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => {
        app.logger.info({}, 'stopped');
        process.exit(0);
      },
      (e: unknown) => {
        app.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function startApp(config: Config, log: ProductLogger): Promise<App> {
  try {
    return await compose(config, { logger: log.logger });
  } catch (e) {
    // e.g. PostgreSQL unreachable or a migration failed: say so in one line, not a stack dump, and no password.
    process.stderr.write(
      `Startup failed: ${redactConfigSecrets(e instanceof Error ? e.message : String(e), config)}\n`,
    );
    process.exit(1);
  }
}

/** A person at a terminal gets plain lines saying where to look; a log collector gets them as JSON lines. */
function announce(app: App, log: ProductLogger, config: Config, port: number): void {
  const places = app.places();
  if (!log.pretty) {
    app.logger.info({ port, mode: config.mode, publicBaseUrl: config.http.publicBaseUrl }, 'presence-sync listening');
    for (const p of places) app.logger.info({ place: p.label, where: p.where }, 'where to look');
    return;
  }
  app.logger.info({ port }, 'presence-sync listening');
  const headline = `Presence Sync is running in ${config.mode} mode on port ${port}. Where to look:`;
  process.stdout.write(banner(headline, places, 'Ctrl+C stops it.'));
}

const config = readConfig();
const log = createLogger({ level: config.logLevel, env: config.env });
const app = await startApp(config, log);
onShutdown(app);
announce(app, log, config, await app.start());
