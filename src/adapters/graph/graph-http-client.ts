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

/**
 * Graph v1.0 over our undici transport (the sandbox CA is trusted there, not globally): adds the
 * bearer token, and on a 401 fetches a fresh token once and replays. Answers come back raw so the
 * writer reads per-status details (429, Retry-After) itself; retry, pacing and $batch live in the
 * callers, so a Graph SDK would add nothing but a dependency.
 */
export class GraphHttpClient {
  readonly #base: string;

  constructor(
    baseUrl: string,
    private readonly token: TokenSource,
    private readonly fetch: HttpFetch,
  ) {
    this.#base = `${baseUrl.replace(/\/$/, '')}/v1.0`;
  }

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Result<GraphAnswer, ExternalFailure>> {
    const payload = method === 'POST' ? JSON.stringify(body ?? {}) : method === 'PATCH' ? JSON.stringify(body) : null;
    const first = await this.#attempt(method, path, payload, false);
    return first.ok && first.value.status === 401 ? this.#attempt(method, path, payload, true) : first;
  }

  async #attempt(
    method: string,
    path: string,
    payload: string | null,
    forceRefresh: boolean,
  ): Promise<Result<GraphAnswer, ExternalFailure>> {
    const token = await this.token(forceRefresh);
    return token.ok ? this.#send(method, path, token.value, payload) : token;
  }

  async #send(
    method: string,
    path: string,
    token: string,
    payload: string | null,
  ): Promise<Result<GraphAnswer, ExternalFailure>> {
    try {
      const res = await this.fetch(`${this.#base}${path.startsWith('/') ? path : `/${path}`}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload === null ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === null ? {} : { body: payload }),
      });
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      return ok({ status: res.status, headers, body: parseBody(await res.text()) });
    } catch (e) {
      return err(networkFailure('graph', e));
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
