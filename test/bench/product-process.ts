import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { createHttpTransport } from '../../src/adapters/shared/http-transport.js';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.js';
import { seedSandboxTenant } from '../../src/sandbox/sandbox-seed.js';
import { productInstanceEnv, spawnInstance, type ProductInstance } from '../e2e/multi-instance/product-instances.js';
import type { SharedWorld } from '../e2e/multi-instance/shared-world.js';
import { parseDockerfile } from '../e2e/multi-instance/dockerfile-lint.js';
import { ensureProductBuilt } from '../support/build-once.js';
import { realClock } from './bench-kit.js';

/** The product as a bench runs it: a process of its own, and where to read what it did. */
export interface ProductProcess {
  readonly instance: ProductInstance;
  /** Its SQLite file (read-only beside it: WAL lets a reader in). */
  readonly sqlitePath: string;
  /** How it runs: the compiled build, or the TypeScript through tsx when the build is stale. */
  readonly runtime: string;
}

/**
 * Node's own options in the image's CMD (`node <options> dist/src/main.js`): V8 flags that
 * NODE_OPTIONS does not accept, such as --optimize-for-size, are given there.
 */
export function imageNodeArgs(dockerfile: string): string[] {
  const cmd = parseDockerfile(dockerfile)
    .at(-1)
    ?.instructions.filter((i) => i.keyword === 'CMD')
    .at(-1);
  if (cmd === undefined) return [];
  if (cmd.exec?.[0] !== 'node') throw new Error(`the image's CMD is not node <options> <file>: ${cmd.args.join(' ')}`);
  return cmd.exec.slice(1, -1);
}

/**
 * The production composition (`src/main.ts`, PRESENCE_SYNC_MODE=production) in a child process,
 * against the world's emulators over HTTPS, its tenant seeded like the sandbox's (CXone and Graph
 * connections, owners, every agent linked). The compiled build, with the node options of the
 * image's CMD, as the image runs it.
 */
export async function startProductProcess(
  world: SharedWorld,
  dir: string,
  name: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<ProductProcess> {
  const key = randomBytes(32);
  const sqlitePath = join(dir, 'product.sqlite');
  const store = await createKyselyStore({
    location: { kind: 'sqlite', path: sqlitePath },
    encryptionKeys: [key],
    clock: realClock,
  });
  const transport = createHttpTransport({ timeoutMs: 30_000, extraCaPem: world.cxone.caCertPem });
  await seedSandboxTenant(store, world, transport.fetch).finally(() => transport.close());
  await store.close();
  await ensureProductBuilt();
  const compiled = freshBuild();
  // Node's options as the image gives them (its CMD), then the bench's own (a profiler).
  const options = [...imageNodeArgs(readFileSync(join(process.cwd(), 'Dockerfile'), 'utf8')), ...nodeArgs];
  const instance = await spawnInstance(
    'product',
    { ...productInstanceEnv(world, { kind: 'sqlite', path: sqlitePath }, dir, key, name), ...env },
    180_000,
    compiled ? [...options, 'dist/src/main.js'] : [...options, '--import', 'tsx', 'src/main.ts'],
  );
  world.balancer.setBackends([instance.port]);
  const shown = options.length > 0 ? `${options.join(' ')} ` : '';
  return {
    instance,
    sqlitePath,
    runtime: compiled ? `node ${shown}dist/src/main.js` : `node ${shown}(tsx) src/main.ts`,
  };
}

/** Unprocessed entries in the product's durable inbox (read-only from its SQLite file). */
export function inboxDepth(sqlitePath: string): number {
  const db = new SqliteDatabase(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM inbox WHERE processed = 0').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** newest modification time of any file under `dir` */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const path = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

/**
 * The compiled build, as the image runs it, when `npm run build` made one after the last change
 * to src/ (a stale build would run other code, or fail on a newer store); else the source through tsx.
 */
export function freshBuild(): boolean {
  const main = join(process.cwd(), 'dist', 'src', 'main.js');
  return existsSync(main) && statSync(main).mtimeMs >= newest(join(process.cwd(), 'src'));
}
