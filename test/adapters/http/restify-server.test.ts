import type { Logger } from '../../../src/application/ports.js';
import { healthRoutes } from '../../../src/adapters/http/restify-health-routes.js';
import { createRestifyServer, type HttpServer } from '../../../src/adapters/http/restify-server.js';

const silent: Logger = {
  child: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('restify server with health routes', () => {
  let ready = true;
  let server: HttpServer;
  let base: string;
  beforeAll(async () => {
    server = createRestifyServer({
      name: 'test',
      logger: silent,
      closeTimeoutMs: 1000,
      registrars: [
        healthRoutes(async () => ready),
        (s) =>
          s.get('/boom', async () => {
            throw new Error('bug');
          }),
      ],
    });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());

  it('/healthz answers 200 while the process runs', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('/readyz follows readiness: 200 when ready, 503 when not', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    ready = false;
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready' });
    ready = true;
  });

  it('takes routes from registrars, and a throwing handler yields a 500, not a crash', async () => {
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers 404 for unknown paths', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
