import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RouteRegistrar } from './restify-server.js';

/** Options of the static tab registrar. */
export interface StaticTabOptions {
  /** Origins besides Teams/Microsoft 365 that may frame the tab (the sandbox host page). */
  readonly extraFrameAncestors?: readonly string[];
  /** Origins the tab may call besides its own (the sandbox dev sign-in, if elsewhere). */
  readonly extraConnectSrc?: readonly string[];
}

/** The Teams, Outlook and Microsoft 365 app hosts that frame a tab. */
export const TEAMS_FRAME_ANCESTORS = [
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.office.com',
] as const;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Text types worth compressing (images and fonts are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.map']);

const acceptsGzip = (req: IncomingMessage): boolean =>
  /(^|,)\s*gzip\s*(;\s*q=(0?\.\d*[1-9]|1(\.0*)?))?\s*(,|$)/i.test(String(req.headers['accept-encoding'] ?? ''));

/**
 * Fluent UI (Griffel) inserts its styles at run time, hence 'unsafe-inline' for styles only; scripts
 * are the bundle's own files. teams-js fetches its list of valid host domains from res.cdn.office.net.
 */
export function tabContentSecurityPolicy(o: StaticTabOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' https://res.cdn.office.net${(o.extraConnectSrc ?? []).map((s) => ` ${s}`).join('')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors 'self' ${[...TEAMS_FRAME_ANCESTORS, ...(o.extraFrameAncestors ?? [])].join(' ')}`,
  ].join('; ');
}

/** The file under `root` that `urlPath` (below /tab/) names, or undefined when it escapes root. */
function fileFor(root: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.replace(/^\/tab\/?/, ''));
  } catch {
    return undefined;
  }
  const file = resolve(root, normalize(rel || 'index.html'));
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Serves the built tab (tabs/dist) under /tab/: hashed assets are cached for a year, index.html is
 * never cached and answers every client route (a path without a file extension).
 */
export function staticTabRoutes(distDir: string, options: StaticTabOptions = {}): RouteRegistrar {
  const root = resolve(distDir);
  const csp = tabContentSecurityPolicy(options);
  // The bundle is ~750 KB of JavaScript and ~200 KB gzipped: compressed once per file version, kept in memory.
  const gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();
  const compressed = async (file: string, raw: Buffer): Promise<Buffer> => {
    const { mtimeMs } = await stat(file);
    const hit = gzipped.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.body;
    const body = gzipSync(raw);
    gzipped.set(file, { mtimeMs, body });
    return body;
  };
  const send = async (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    file: string | null,
    cache: string,
  ): Promise<void> => {
    const raw = file ? await readFile(file) : Buffer.from('Not found');
    const gzip = file !== null && COMPRESSIBLE.has(extname(file)) && acceptsGzip(req);
    const body = gzip ? await compressed(file, raw) : raw;
    res.writeHead(status, {
      'content-type': file ? (TYPES[extname(file)] ?? 'application/octet-stream') : 'text/plain; charset=utf-8',
      'content-length': body.length,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...(file && COMPRESSIBLE.has(extname(file)) ? { vary: 'Accept-Encoding' } : {}),
      'cache-control': cache,
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
    });
    res.end(body);
  };
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const file = fileFor(root, path);
    if (file && (await isFile(file))) {
      const hashed = file.startsWith(join(root, 'assets') + sep);
      return send(req, res, 200, file, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    // A client route; when the tab was not built there is no index.html and the answer is 404.
    const index = join(root, 'index.html');
    if (file && extname(file) === '' && (await isFile(index))) return send(req, res, 200, index, 'no-cache');
    return send(req, res, 404, null, 'no-store');
  };
  return (server) => {
    server.get('/tab', async (_req, res) => {
      res.writeHead(308, { location: '/tab/' });
      res.end();
    });
    server.get('/tab/*', handler);
  };
}
