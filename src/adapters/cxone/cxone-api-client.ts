import type { z } from 'zod';
import type { ExternalFailure } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { httpFailure } from '../shared/external-failure.js';
import type { CxoneAuth } from './cxone-auth.js';
import { parseWith, type CxoneRequester, type CxoneShapeListener, type RawAnswer } from './cxone-http.js';

/** The ACD API version this adapter pins (the NICE SDK pins v23.0 for these endpoints; reference §8). */
export const CXONE_API_VERSION = 'v23.0';

/**
 * Calls `{api_endpoint}/inContactAPI/services/v23.0/...` with a bearer token. A 401 means the
 * token died mid-stream (reference §1.3): renew once and retry once; a second 401 is returned.
 */
export class CxoneApiClient {
  constructor(
    private readonly auth: CxoneAuth,
    private readonly requester: CxoneRequester,
    private readonly onBadShape: CxoneShapeListener = () => undefined,
  ) {}

  /** `path` is relative to the services root (`/agents/states`), or an absolute `_links.next` URL. */
  async get<S extends z.ZodType>(
    path: string,
    schema: S,
    query: Readonly<Record<string, string>> = {},
  ): Promise<Result<z.infer<S> | undefined, ExternalFailure>> {
    const r = await this.call('GET', path, query);
    if (!r.ok) return r;
    // 204 / 304 / empty body: "no change" (reference §2.1).
    if (r.value.body === undefined) return ok(undefined);
    const parsed = parseWith(schema, r.value, path.split('?')[0] ?? path);
    if (!parsed.ok) this.onBadShape(parsed.error);
    return parsed;
  }

  /** A readable answer with unreadable parts (e.g. records skipped on a page): same signal as a bad shape. */
  reportBadShape(failure: ExternalFailure): void {
    this.onBadShape(failure);
  }

  post(path: string, json: unknown): Promise<Result<RawAnswer, ExternalFailure>> {
    return this.call('POST', path, {}, json);
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    query: Readonly<Record<string, string>>,
    json?: unknown,
  ): Promise<Result<RawAnswer, ExternalFailure>> {
    const url = await this.urlOf(path, query);
    if (!url.ok) return url;
    const first = await this.once(method, url.value, json);
    if (first.ok || first.error.status !== 401) return first;
    return this.once(method, url.value, json);
  }

  private async once(method: 'GET' | 'POST', url: string, json: unknown): Promise<Result<RawAnswer, ExternalFailure>> {
    const token = await this.auth.accessToken();
    if (!token.ok) return token;
    const r = await this.requester.send(url, {
      method,
      headers: { Authorization: `Bearer ${token.value}` },
      ...(json !== undefined ? { json } : {}),
    });
    if (!r.ok && r.error.status === 401) this.auth.invalidate(token.value);
    return r;
  }

  private async urlOf(path: string, query: Readonly<Record<string, string>>): Promise<Result<string, ExternalFailure>> {
    const endpoints = await this.auth.discover();
    if (!endpoints.ok) return endpoints;
    if (/^https:\/\//i.test(path)) {
      // A `_links.next` URL gets our bearer token: follow it only on the discovered API host.
      if (new URL(path).origin === new URL(endpoints.value.apiBaseUrl).origin) return ok(path);
      return err(httpFailure('cxone', 0, 'BAD_RESPONSE', 'CXone paging link points outside the API host.'));
    }
    const qs = new URLSearchParams(query).toString();
    return ok(`${endpoints.value.apiBaseUrl}/inContactAPI/services/${CXONE_API_VERSION}${path}${qs ? `?${qs}` : ''}`);
  }
}
