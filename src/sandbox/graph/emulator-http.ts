import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request as the emulator's routers see it (also used for the items of a $batch). */
export interface EmulatorRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1.0/users/x/presence`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string;
  /**
   * Emulator clock when the request's head reached the server (the items of a $batch: when the
   * batch did), so a write log can date a request by its arrival rather than by when it was served.
   */
  readonly receivedAt?: number;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON; strings as they are. */
  readonly body?: unknown;
  /** Real-time delay before answering (fault injection: slow responses). */
  readonly delayMs?: number;
}

export async function readRequest(req: IncomingMessage, receivedAt?: number): Promise<EmulatorRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? '/', 'https://emulator.invalid');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  return {
    method: req.method ?? 'GET',
    path: decodeURIComponent(url.pathname),
    query: url.searchParams,
    headers,
    rawBody: Buffer.concat(chunks).toString('utf8'),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
  };
}

export async function writeResponse(res: ServerResponse, r: EmulatorResponse): Promise<void> {
  if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
  const headers: Record<string, string> = { ...r.headers };
  let payload = '';
  if (typeof r.body === 'string') payload = r.body;
  else if (r.body !== undefined) {
    payload = JSON.stringify(r.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  body,
  headers,
});

export function parseJson(raw: string): unknown {
  try {
    return raw === '' ? undefined : (JSON.parse(raw) as unknown);
  } catch {
    return undefined;
  }
}
