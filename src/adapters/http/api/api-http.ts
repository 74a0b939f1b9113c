import type { IncomingMessage, ServerResponse } from 'node:http';
import { err, ok, type Result } from '../../../domain/result.js';
import { problemDocument, type ApiProblem } from './api-problem.js';

/** Writes a JSON (or other) body directly: restify's formatters do not know problem+json. */
export function sendBody(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (status === 204) {
    res.writeHead(204, { 'cache-control': 'no-store', ...headers });
    res.end();
    return;
  }
  sendBody(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

export function sendProblem(res: ServerResponse, p: ApiProblem, instance: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendBody(
    res,
    p.status,
    JSON.stringify(problemDocument(p, instance)),
    'application/problem+json; charset=utf-8',
    p.headers ?? {},
  );
}

/**
 * Reads the whole body up to `limit` bytes. A declared Content-Length over the limit is refused
 * before reading; a chunked body is cut off as soon as it passes the limit.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Result<Buffer, 'TOO_LARGE'>> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) return drainThenRefuse(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) return drainThenRefuse(req);
    chunks.push(buf);
  }
  return ok(Buffer.concat(chunks));
}

/** Stop buffering but let the rest flow by, so the client reads our 413 instead of a reset. */
function drainThenRefuse(req: IncomingMessage): Result<Buffer, 'TOO_LARGE'> {
  req.resume();
  return err('TOO_LARGE');
}
