import { pino, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../application/ports.js';

/** Secrets are never logged, even when a whole config or request ends up in a log line. */
const REDACT = [
  '*.secret',
  '*.clientSecret',
  '*.accessKeySecret',
  '*.password',
  '*.token',
  '*.refreshToken',
  'encryptionKeys',
  'headers.authorization',
  'req.headers.authorization',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly level: string;
  /** The deployment's name (PRESENCE_SYNC_ENV), on every JSON line. */
  readonly env: string;
  /**
   * `pretty`: one short coloured line per event, for a person at a terminal; `json`: one JSON
   * object per line, for a log collector. Default: pretty when stdout is a terminal.
   */
  readonly format?: 'pretty' | 'json';
  /** Where lines go; default stdout (file descriptor 1, written synchronously). */
  readonly destination?: NodeJS.WritableStream;
}

/** The product's logger, and whether it writes for a person (main.ts prints its banner then). */
export interface ProductLogger {
  readonly logger: Logger;
  readonly pretty: boolean;
}

export function createLogger(options: LoggerOptions): ProductLogger {
  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const base = { level: options.level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (format === 'json')
    return {
      logger: uniqueBindings(
        pino(
          { ...base, base: { service: 'presence-sync', env: options.env } },
          options.destination ?? pino.destination(1),
        ),
      ),
      pretty: false,
    };
  // In-process and synchronous (no worker thread): a line is on the screen before the process can exit.
  const stream = pretty({
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,component',
    messageFormat: '{if component}{component}: {end}{msg}',
    singleLine: true,
    destination: options.destination ?? 1,
  });
  return { logger: uniqueBindings(pino({ ...base, base: null }, stream)), pretty: true };
}

/**
 * pino writes a key once per child that binds it: a tenant's logger handed to an adapter that
 * binds the same tenantId again printed it twice. A child binds only what is new.
 */
function uniqueBindings(logger: PinoLogger): Logger {
  return {
    child: (bindings) => {
      const bound = logger.bindings();
      const fresh = Object.fromEntries(Object.entries(bindings).filter(([k, v]) => bound[k] !== v));
      return uniqueBindings(logger.child(fresh));
    },
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.info(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
}
