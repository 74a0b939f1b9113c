import { Client, ResponseType, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import type { ExternalFailure } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { networkFailure } from '../shared/external-failure.js';
import type { HttpFetch } from '../shared/http-transport.js';

/** A Graph answer of any status; callers decide what a status means for them. */
export interface GraphAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type TokenSource = (forceRefresh: boolean) => Promise<Result<string, ExternalFailure>>;

/** The graph client turns thrown errors into GraphError, so a token failure travels as a marked answer. */
const TOKEN_FAILURE_HEADER = 'x-presence-sync-token-failure';

/** Adds the bearer token; on a 401 fetches a fresh token once and replays the request. */
class AuthMiddleware implements Middleware {
  #next: Middleware | undefined;
  constructor(private readonly token: TokenSource) {}
  setNext(next: Middleware): void {
    this.#next = next;
  }
  async execute(context: Context): Promise<void> {
    for (const force of [false, true]) {
      const t = await this.token(force);
      if (!t.ok) {
        context.response = new Response(null, {
          status: 401,
          headers: { [TOKEN_FAILURE_HEADER]: JSON.stringify(t.error) },
        });
        return;
      }
      context.options = {
        ...context.options,
        headers: { ...(context.options?.headers as Record<string, string>), authorization: `Bearer ${t.value}` },
      };
      await this.#next!.execute(context);
      if (context.response?.status !== 401) return;
    }
  }
}

/** The last link: our undici transport (the sandbox CA is trusted there, not globally). */
class TransportMiddleware implements Middleware {
  constructor(private readonly fetch: HttpFetch) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const o = context.options ?? {};
    const res = await this.fetch(url, {
      method: o.method ?? 'GET',
      headers: o.headers as Record<string, string>,
      ...(o.body != null ? { body: o.body as string } : {}),
    });
    context.response = res as unknown as Response;
  }
}

/**
 * Graph calls through @microsoft/microsoft-graph-client with our own middleware chain (auth +
 * transport); responses come back raw so the writer can read per-status details (429,
 * Retry-After) itself.
 */
export class GraphHttpClient {
  readonly #client: Client;

  constructor(baseUrl: string, token: TokenSource, fetch: HttpFetch) {
    this.#client = Client.initWithMiddleware({
      baseUrl: baseUrl.replace(/\/$/, ''),
      defaultVersion: 'v1.0',
      middleware: [new AuthMiddleware(token), new TransportMiddleware(fetch)],
    });
  }

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Result<GraphAnswer, ExternalFailure>> {
    try {
      const req = this.#client.api(path).responseType(ResponseType.RAW);
      const res = (await (method === 'GET'
        ? req.get()
        : method === 'DELETE'
          ? req.delete()
          : method === 'PATCH'
            ? req.patch(body)
            : req.post(body ?? {}))) as Response;
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      const tokenFailure = headers[TOKEN_FAILURE_HEADER];
      if (tokenFailure) return err(JSON.parse(tokenFailure) as ExternalFailure);
      const text = await res.text();
      return ok({ status: res.status, headers, body: parseBody(text) });
    } catch (e) {
      const inner = (e as { body?: unknown }).body;
      return err(networkFailure('graph', inner ?? e));
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
