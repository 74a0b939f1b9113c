import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import restify, { type Server } from 'restify';
import { staticTabRoutes, tabContentSecurityPolicy } from '../../../src/adapters/http/restify-static-tab.js';

let dist: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'tab-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>tab</title>');
  await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(tmpdir(), 'outside-the-dist.txt'), 'secret');
  server = restify.createServer({ handleUncaughtExceptions: false });
  staticTabRoutes(dist, { extraFrameAncestors: ['https://sandbox.test:8443'] })(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dist, { recursive: true, force: true });
});

describe('staticTabRoutes: the built tab under /tab/', () => {
  it('serves index.html with the security headers, never cached, and frameable only by Teams, Microsoft 365 and the configured sandbox host', async () => {
    const res = await fetch(`${base}/tab/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(
      "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft https://*.office.com https://sandbox.test:8443",
    );
    expect(csp).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(await res.text()).toContain('<title>tab</title>');
  });

  it('answers client routes (no file extension) with index.html', async () => {
    const res = await fetch(`${base}/tab/rules/r-1?x=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>tab</title>');
  });

  it('serves hashed assets with their type and a year of immutable caching', async () => {
    const res = await fetch(`${base}/tab/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('serves scripts gzip-compressed to a browser that accepts it, and plain to one that does not', async () => {
    const { request } = await import('node:http');
    const { gunzipSync } = await import('node:zlib');
    const get = (encoding: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((done, fail) => {
        request(`${base}/tab/assets/index-abc123.js`, { headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', fail)
          .end();
      });
    const zipped = await get('gzip, deflate, br');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['vary']).toBe('Accept-Encoding');
    expect(gunzipSync(zipped.body).toString()).toBe('console.log(1)');
    const plain = await get('identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe('console.log(1)');
    expect((await get('gzip;q=0')).headers['content-encoding']).toBeUndefined();
  });

  it('answers 404 for a missing asset and never serves a file outside the dist folder', async () => {
    expect((await fetch(`${base}/tab/assets/missing.js`)).status).toBe(404);
    const escape = await fetch(`${base}/tab/..%2F..%2Foutside-the-dist.txt`);
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('secret');
  });

  it('redirects /tab to /tab/', async () => {
    const res = await fetch(`${base}/tab`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/tab/');
  });

  it('lets the tab reach teams-js valid-domain list and extra API origins', () => {
    expect(tabContentSecurityPolicy({ extraConnectSrc: ['https://sandbox.test:8443'] })).toContain(
      "connect-src 'self' https://res.cdn.office.net https://sandbox.test:8443",
    );
  });
});
