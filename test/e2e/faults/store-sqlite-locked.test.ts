import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { PUBLISHER_TEAM, SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE } from '../../../src/sandbox/sandbox-world.js';
import { startStoreRig, until, type StoreRig } from './process-fault-kit.js';
import { recordRecovery, stopwatch } from './recovery-report.js';

/**
 * SQLite busy: another process (a backup tool, an admin's sqlite3 shell) holds an exclusive lock on
 * the product's database file for longer than the store waits for a lock (5 s). Agents take calls and a Teams
 * user takes a Teams call meanwhile. The product must say `store` down, lose nothing, write nothing
 * twice, and recover on its own once the lock is gone.
 */
// Longer than two busy waits: whichever write meets the lock first (trace flush, inbox append),
// the inbox append of the calls fails at least once (each write waits up to 5 s, in short steps
// that leave the event loop free: sqlite-busy-retry.ts).
const LOCK_MS = 12_000;
const ROOT = resolve(import.meta.dirname, '../../..');

/** A separate process holding BEGIN EXCLUSIVE on `path` for `ms`; resolves once the lock is held. */
function holdExclusiveLock(path: string, ms: number): Promise<{ child: ChildProcess; released: Promise<void> }> {
  const script = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}); db.exec('BEGIN EXCLUSIVE'); console.log('locked');
setTimeout(() => { db.exec('COMMIT'); db.close(); console.log('released'); }, ${ms});`;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let released!: () => void;
  const done = new Promise<void>((r) => (released = r));
  return new Promise((resolveHeld, reject) => {
    child.on('exit', (code) => (code === 0 ? released() : reject(new Error(`lock holder exited ${code}`))));
    lines.on('line', (l) => {
      if (l === 'locked') resolveHeld({ child, released: done });
      if (l === 'released') released();
    });
  });
}

describe('SQLite locked by another process for longer than the busy timeout', () => {
  let dir: string;
  let rig: StoreRig;
  let sqlitePath: string;
  let holder: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'presence-sqlite-lock-'));
    sqlitePath = join(dir, 'locked.sqlite');
    rig = await startStoreRig({ SQLITE_PATH: sqlitePath });
    await until(
      async () =>
        (await rig.app.store.subscriptions.list(rig.tenantId)).reduce((n, s) => n + s.userIds.length, 0) >= 50,
      'subscriptions stored',
    );
  }, 60_000);

  afterAll(async () => {
    holder?.kill('SIGKILL');
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const pending = (): Promise<number> => rig.app.store.inbox.depth(rig.tenantId);
  const writes = (agentId: string, from: number): string[] =>
    rig.world.graph.control.writeLog
      .slice(from)
      .filter((w) => w.userId === rig.world.userOfAgent.get(agentId)!.id)
      .map((w) => w.route);
  const acdState = (agentId: string) => rig.world.cxone.model.stateOf(Number(agentId));

  it('says store down, loses nothing, writes nothing twice, and recovers by itself', async () => {
    const callers = rig.agentsOf(PUBLISHER_TEAM).slice(1, 5);
    const teamsUser = rig.agentsOf(SUBSCRIBER_TEAM)[1]!;
    for (const a of [...callers, teamsUser]) await rig.cxone(`/agents/${a}/login`, { state: 'Available' });
    await until(
      async () => (await pending()) === 0 && (await delay(800), (await pending()) === 0),
      'logins processed',
      30_000,
      200,
    );
    const from = rig.world.graph.control.writeLog.length;
    const seen: string[] = [];
    const stopWatching = rig.app.runtime.health.onTransition((t) => {
      if (t.component === 'store') seen.push(t.to);
    });
    const stall = monitorEventLoopDelay({ resolution: 20 });
    stall.enable();

    const lock = await holdExclusiveLock(sqlitePath, LOCK_MS);
    holder = lock.child;
    for (const a of callers)
      await rig.cxone('/contacts', { type: 'customer', agentId: Number(a), skillId: FIRST_SKILL_ID + 1 });
    rig.world.graph.control.teams(rig.world.userOfAgent.get(teamsUser)!.id, 'call');
    await lock.released;
    const clock = stopwatch();
    await until(
      () => callers.every((a) => rig.teamsOf(a).activity === 'InACall'),
      'every call on Teams after the lock',
      45_000,
      50,
    );
    await until(
      () => acdState(teamsUser).state === 'Unavailable' && String(acdState(teamsUser).outStateId) === TEAMS_CALL_CODE,
      'the Teams call stops ACD routing',
      45_000,
      50,
    );
    const recoveryMs = clock.stop();
    stall.disable();
    await until(async () => (await pending()) === 0, 'inbox drained', 30_000, 200);
    await until(() => rig.storeHealth()?.status === 'ok', 'store ok again', 20_000);
    // Transitions are announced once a status held for the alert debounce.
    await until(() => seen[seen.length - 1] === 'ok', 'store ok announced', 20_000);
    stopWatching();

    expect(seen).toContain('down');
    expect(seen[seen.length - 1]).toBe('ok');
    for (const a of callers)
      expect({ agent: a, writes: writes(a, from) }).toEqual({ agent: a, writes: ['setPresence'] });
    expect((await rig.traceOf(teamsUser)).filter((l) => l.startsWith('acd.request'))).toHaveLength(1);
    const lines = await rig.traceOf(callers[0]!);
    expect(lines.filter((l) => l.startsWith('graph.request') && l.includes('InACall'))).toHaveLength(1);

    const maxStallMs = Math.round(stall.max / 1e6);
    // SQLite's own busy wait (5 s, synchronous in better-sqlite3) stalled the loop for about that
    // long at a time; the stepped wait leaves it free (the bound is loose for loaded CI machines).
    expect(maxStallMs).toBeLessThan(2_500);
    const detail = `exclusive lock held ${LOCK_MS} ms by another process (busy wait 5 s, in 25 ms steps) while ${callers.length} calls started and 1 Teams call; store ${seen.join(' → ')}; longest event-loop stall ${maxStallMs} ms; one write per change`;
    process.stdout.write(
      `store-sqlite-locked: converged ${Math.round(recoveryMs)} ms after the lock was released; ${detail}\n`,
    );
    recordRecovery('store-sqlite-locked', {
      area: 'store',
      fault: 'SQLite locked by another process (12 s > busy wait)',
      recoveryMs,
      detail,
    });
  }, 90_000);
});
