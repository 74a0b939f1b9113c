import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { startSandboxRig, type SandboxRig } from '../e2e/sync/sandbox-harness.js';

/** This machine's address on a non-loopback interface: where someone else on the network reaches it. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

/** Without such an interface there is no "other interface" to attack from. */
const onNetwork = external ? it : it.skip;

describe('the sandbox hands out admin tokens to this machine only (issue 15 item 4)', () => {
  let rig: SandboxRig;
  const port = (): string => new URL(rig.base).port;
  const devToken = (host: string) =>
    fetch(`http://${host}:${port()}/sandbox/dev-token?role=admin`, { signal: AbortSignal.timeout(10_000) });

  beforeAll(async () => {
    // HOST empty = unset: the sandbox default.
    rig = await startSandboxRig({ HOST: '' });
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('binds loopback by default in the sandbox, every interface by default in production', () => {
    const base = { PRESENCE_SYNC_ENV: 'none', DATA_DIR: rig.dir };
    expect(loadConfig({ cwd: rig.dir, env: { ...base, PRESENCE_SYNC_MODE: 'sandbox' } }).http.host).toBe('127.0.0.1');
    expect(
      loadConfig({
        cwd: rig.dir,
        env: {
          ...base,
          PRESENCE_SYNC_MODE: 'production',
          SECRET_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
          PUBLIC_BASE_URL: 'https://presence.example.com',
          MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555',
          SECRET_GRAPH_CLIENT_SECRET: 'graph-secret',
        },
      }).http.host,
    ).toBe('0.0.0.0');
  });

  onNetwork('a request for /sandbox/dev-token from another interface finds nothing listening', async () => {
    expect((await devToken('127.0.0.1')).status).toBe(200);
    const from = await devToken(external!).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => `failed: ${String((e as { cause?: { code?: string } }).cause?.code)}`,
    );
    expect(from).toBe('failed: ECONNREFUSED');
  });

  onNetwork(
    'with HOST=0.0.0.0 the server is reachable, but dev-token refuses a caller that is not local',
    async () => {
      await rig.restart({ HOST: '0.0.0.0' });
      const r = await devToken(external!);
      expect(r.status).toBe(403);
      const text = await r.text();
      expect(text).toContain('SANDBOX.LOOPBACK_ONLY');
      expect(text).not.toMatch(/"token"/);
      expect((await devToken('127.0.0.1')).status).toBe(200);
    },
    120_000,
  );
});
