import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Clock, ExternalFailure, Logger } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { httpFailure, networkFailure, parseRetryAfter } from '../shared/external-failure.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { errorBodySchema } from './cxone-schemas.js';

/** A raw answer: `body` is undefined for 202/204/304 without content. */
export interface RawAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly requestId?: string;
}

export interface CxoneRequestInit {
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
}

/** Told whenever CXone answers something we cannot read (a health signal, never a crash). */
export type CxoneShapeListener = (failure: ExternalFailure) => void;

/**
 * One HTTP exchange with CXone: network errors, error statuses and unreadable bodies all become an
 * ExternalFailure (status, code, retryAfter, requestId — design.md §5). A `CorrelationId` is sent
 * on every request and CXone echoes it (reference §1.4), so it doubles as the request id.
 */
export class CxoneRequester {
  constructor(
    private readonly fetch: HttpFetch,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly newId: () => string = randomUUID,
  ) {}

  async send(url: string, init: CxoneRequestInit): Promise<Result<RawAnswer, ExternalFailure>> {
    const correlationId = this.newId();
    const headers: Record<string, string> = {
      Accept: 'application/json',
      CorrelationId: correlationId,
      ...init.headers,
    };
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    let res: Awaited<ReturnType<HttpFetch>>;
    let text: string;
    try {
      // Never follow a redirect: it would carry the bearer token or the credentials to another host.
      res = await this.fetch(url, {
        method: init.method,
        headers,
        redirect: 'manual',
        ...(body !== undefined ? { body } : {}),
      });
      text = await res.text();
    } catch (e) {
      return err(networkFailure('cxone', e));
    }
    const requestId = res.headers.get('CorrelationId') ?? correlationId;
    // Only method, path and status: query strings and bodies may carry tokens or access keys.
    this.logger.debug(
      { method: init.method, path: new URL(url).pathname, status: res.status, requestId },
      'cxone http',
    );
    if (res.status >= 400)
      return err(
        this.failureOf(
          res.status,
          text,
          res.headers.get('Retry-After'),
          res.headers.get('icStatusDescription'),
          requestId,
        ),
      );
    if (res.status >= 300 && res.status !== 304)
      return err(
        httpFailure('cxone', res.status, 'REDIRECT', 'CXone answered with a redirect, which is not followed.'),
      );
    return this.parseBody(res.status, text, requestId);
  }

  private parseBody(status: number, text: string, requestId: string): Result<RawAnswer, ExternalFailure> {
    if (text.trim() === '') return ok({ status, body: undefined, requestId });
    try {
      return ok({ status, body: JSON.parse(text) as unknown, requestId });
    } catch {
      return err(
        httpFailure('cxone', status, 'BAD_RESPONSE', 'CXone answered with a body that is not JSON.', { requestId }),
      );
    }
  }

  /**
   * Error bodies vary (reference §8) and their names are not documented: whatever the body says is
   * kept only as the code and message a person reads (bounded), never decided on — callers decide
   * on the status. A legacy server puts its message in the `icStatusDescription` header.
   */
  private failureOf(
    status: number,
    text: string,
    retryAfter: string | null,
    icStatusDescription: string | null,
    requestId: string,
  ): ExternalFailure {
    let parsed: { error?: string | undefined; description?: string | undefined } = {};
    try {
      const r = errorBodySchema.safeParse(JSON.parse(text));
      if (r.success) parsed = r.data;
    } catch {
      // not JSON: the status alone describes it
    }
    const code = bounded(parsed.error, 64) ?? `HTTP_${status}`;
    const description = bounded(parsed.description ?? icStatusDescription ?? undefined, 300);
    return httpFailure('cxone', status, code, description ?? `CXone answered ${status}.`, {
      requestId,
      retryAfterMs: parseRetryAfter(retryAfter, this.clock.now()),
    });
  }
}

/** Parses a body with zod; a mismatch is a BAD_RESPONSE failure naming the first problem. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  answer: RawAnswer,
  what: string,
): Result<z.infer<S>, ExternalFailure> {
  const r = schema.safeParse(answer.body);
  if (r.success) return ok(r.data);
  const issue = r.error.issues[0];
  const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown';
  return err(
    httpFailure(
      'cxone',
      answer.status,
      'BAD_RESPONSE',
      `Unexpected CXone ${what} answer (${where}).`,
      answer.requestId ? { requestId: answer.requestId } : {},
    ),
  );
}

/** Printable text of at most `max` characters, or undefined when there is none. */
function bounded(value: string | undefined, max: number): string | undefined {
  const clean = value?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (!clean) return undefined;
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
