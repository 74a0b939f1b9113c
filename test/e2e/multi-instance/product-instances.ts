import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { StoreLocation } from '../../../src/adapters/store/kysely-store.js';
import type { SharedWorld } from './shared-world.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * The production environment of a product process on the shared world: its store (a SQLite file
 * or a PostgreSQL schema), its encryption key, and the emulators as its CXone, Graph and Entra.
 * `deployment` names the run in every log line (PRESENCE_SYNC_ENV; no env file has that name, so
 * this is the whole configuration). Timing settings (poll interval, lease) are the caller's.
 */
export function productInstanceEnv(
  world: SharedWorld,
  store: StoreLocation,
  dir: string,
  key: Buffer,
  deployment: string,
): Record<string, string> {
  const storeEnv: Record<string, string> =
    store.kind === 'sqlite'
      ? { SQLITE_PATH: store.path }
      : {
          DATABASE_URL: store.url,
          DATABASE_SCHEMA: store.schema ?? '',
          ...(store.poolSize !== undefined ? { DATABASE_POOL_SIZE: String(store.poolSize) } : {}),
        };
  return {
    PRESENCE_SYNC_ENV: deployment,
    PRESENCE_SYNC_MODE: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: world.balancer.url,
    // The app id also turns the tab API on: the Health Check and the Log Reader are read over it, as the tab does.
    MICROSOFT_APP_ID: world.entra.apps[0]!.clientId,
    SECRET_GRAPH_CLIENT_SECRET: world.entra.apps[0]!.clientSecret,
    DATA_DIR: dir,
    ...storeEnv,
    SECRET_ENCRYPTION_KEY: key.toString('base64'),
    EXTRA_CA_FILE: world.caFile,
    CXONE_AUTH_BASE_URL: world.cxone.url,
    // Production mode sends CXone credentials only to CXONE_ALLOWED_HOSTS: here, the emulator.
    CXONE_ALLOWED_HOSTS: new URL(world.cxone.url).host,
    GRAPH_BASE_URL: `${world.graph.url}/v1.0`,
    ENTRA_LOGIN_BASE_URL: world.graph.authorityUrl,
  };
}

/** One product process (`node --import tsx src/main.ts`) in its own process group. */
export interface ProductInstance {
  readonly name: string;
  readonly pid: number;
  /** The port it listens on (from its "presence-sync listening" log line). */
  readonly port: number;
  /** Its pino log lines, parsed (for assertions and for the failure message). */
  readonly logs: Record<string, unknown>[];
  readonly child: ChildProcess;
  /** SIGKILL to the whole process group: no graceful shutdown, no lease release. */
  kill(): void;
  alive(): boolean;
}

/**
 * Spawns an instance and resolves once it listens. `env` is its whole configuration (it also
 * inherits PATH and HOME only), so nothing of the developer's env files leaks in.
 */
export function spawnInstance(
  name: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
  /** Node's arguments: the TypeScript source through tsx, or the compiled build (`['dist/src/main.js']`). */
  args: readonly string[] = ['--import', 'tsx', 'src/main.ts'],
): Promise<ProductInstance> {
  const child = spawn(process.execPath, [...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  let exited = false;
  child.on('exit', () => void (exited = true));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start in ${timeoutMs} ms: ${stderr.join('')}`)),
      timeoutMs,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening: ${stderr.join('').slice(-2000)}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry['msg'] === 'presence-sync listening') {
        clearTimeout(timer);
        resolveStart({
          name,
          pid: child.pid!,
          port: Number(entry['port']),
          logs,
          child,
          kill: () => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          },
          alive: () => !exited,
        });
      }
    });
  });
}

/** Resolves once the instance's process has exited (at once if it already has). */
export function exitOf(i: ProductInstance): Promise<void> {
  if (!i.alive()) return Promise.resolve();
  return new Promise((done) => i.child.once('exit', () => done()));
}

/** Kills each instance's process group and waits until its exit and closed pipes ('close'). */
export async function killAll(instances: readonly ProductInstance[]): Promise<void> {
  await Promise.all(
    instances.map(
      (i) =>
        new Promise<void>((done) => {
          const closed = i.child.stdout?.closed !== false && i.child.stderr?.closed !== false;
          if (!i.alive() && closed) return done();
          i.child.once('close', () => done());
          i.kill();
        }),
    ),
  );
}
