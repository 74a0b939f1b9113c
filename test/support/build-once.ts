import { spawn } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const REPO = process.cwd();

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))));
  return Math.max(s.mtimeMs, ...times);
}

const mtimeOf = (path: string): Promise<number> =>
  stat(path).then(
    (s) => s.mtimeMs,
    () => 0,
  );

/** True when `output` is newer than every file of `sources` (paths relative to the repository). */
export async function isFresh(output: string, sources: readonly string[]): Promise<boolean> {
  const built = await mtimeOf(join(REPO, output));
  const newest = Math.max(...(await Promise.all(sources.map((p) => newestMtime(join(REPO, p))))));
  return built > newest;
}

function run(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} failed (${code}): ${Buffer.concat(out)}`)),
    );
  });
}

/**
 * Runs `build` (node with `args`, in the repository) unless `output` is newer than `sources`. Jest
 * runs suites in several workers: a lock directory makes one of them build while the others wait
 * and then find the output fresh, so no suite serves a folder another is rebuilding under it. A
 * lock left by a killed run is taken over after `staleMs`.
 */
export async function buildOnce(
  name: string,
  o: { output: string; sources: readonly string[]; args: readonly string[]; staleMs?: number },
): Promise<void> {
  const lock = join(REPO, 'node_modules', '.cache', `presence-sync-build-${name}.lock`);
  await mkdir(join(REPO, 'node_modules', '.cache'), { recursive: true });
  for (;;) {
    if (await isFresh(o.output, o.sources)) return;
    try {
      await mkdir(lock);
    } catch {
      const since = await mtimeOf(lock);
      if (since > 0 && Date.now() - since > (o.staleMs ?? 180_000)) await rmdir(lock).catch(() => undefined);
      else await delay(250);
      continue;
    }
    try {
      if (!(await isFresh(o.output, o.sources))) await run(o.args);
      return;
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
}

/** tabs/ built with vite into tabs/dist, unless tabs/dist is newer than every source (about 10 s). */
export const ensureTabBuilt = (): Promise<void> =>
  buildOnce('tab', {
    output: 'tabs/dist/index.html',
    sources: ['tabs/src', 'tabs/index.html', 'tabs/auth-end.html', 'tabs/vite.config.ts'],
    args: [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', join(REPO, 'tabs')],
  });

/** The compiled product (`npm run build`: tsc into dist/), unless dist/src/main.js is newer than src/ and the tsconfigs. */
export const ensureProductBuilt = (): Promise<void> =>
  buildOnce('dist', {
    output: 'dist/src/main.js',
    sources: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'],
    args: [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  });
