import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type App } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { env } from '../e2e/sync/sandbox-harness.js';
import { listOperations, tourEveryRoute, wrongAnswers } from './tab-api-tour.js';

/**
 * The product composed exactly as `npm start` composes it (sandbox: every connection configured,
 * against the emulators), then every tab API route called once as the tab calls it. A route that
 * answers "not configured" here is a feature composition forgot to wire.
 */
describe('every tab API route of a correctly configured deployment', () => {
  let dir: string;
  let app: App;
  let base: string;
  let token: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'presence-every-route-'));
    app = await compose(loadConfig({ cwd: dir, env: env(dir) }));
    base = `http://127.0.0.1:${await app.start()}`;
    token = ((await (await fetch(`${base}/sandbox/dev-token?role=admin`)).json()) as { token: string }).token;
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the routes from the deployment itself (its OpenAPI document, built from the router table)', async () => {
    const ops = await listOperations({ base, token, cxoneIssuerUrl: '' });
    expect(ops.length).toBeGreaterThanOrEqual(30);
    expect(ops.map((o) => o.operationId)).toEqual(expect.arrayContaining(['createRule', 'startOwnerSignIn']));
  });

  it('answers every route as configured: the expected status, never "not configured"', async () => {
    const answers = await tourEveryRoute({ base, token, cxoneIssuerUrl: app.sandbox!.world.cxone.url });
    expect(wrongAnswers(answers)).toEqual([]);
  }, 60_000);
});
