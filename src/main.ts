import { compose, type App } from './compose.js';
import { ConfigError, loadConfig, type Config } from './config.js';

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
      () => process.exit(0),
      (e: unknown) => {
        app.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function startApp(config: Config): Promise<App> {
  try {
    return await compose(config);
  } catch (e) {
    // e.g. PostgreSQL unreachable or a migration failed: say so in one line, not a stack dump.
    process.stderr.write(`Startup failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

const config = readConfig();
const app = await startApp(config);
onShutdown(app);
const port = await app.start();
app.logger.info({ port, publicBaseUrl: config.http.publicBaseUrl, mode: config.mode }, 'presence-sync listening');
