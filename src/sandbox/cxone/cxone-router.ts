import type { IncomingHttpHeaders } from 'node:http';

export interface EmuRequest {
  readonly method: string;
  /** Path with the `/inContactAPI/services/v{N}.0` prefix removed for API routes. */
  readonly path: string;
  readonly apiVersion?: number;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly params: Readonly<Record<string, string>>;
  /** Absolute base of this server, to build `_links` and discovery URLs. */
  readonly origin: string;
}

export interface EmuResponse {
  readonly status: number;
  readonly body?: unknown;
  /** Sent as text/plain instead of a JSON body (an answer the client cannot parse as JSON). */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type EmuHandler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: EmuHandler;
}

/** A dozen routes do not need a framework: method + anchored regexp with named groups. */
export class EmuRouter {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: EmuHandler): this {
    const source = path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`, 'i'), handler });
    return this;
  }

  match(method: string, path: string): { handler: EmuHandler; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params: { ...(m.groups ?? {}) } };
    }
    return pathMatched ? 'method' : undefined;
  }
}

export const json = (status: number, body?: unknown, headers?: Record<string, string>): EmuResponse => ({
  status,
  ...(body !== undefined ? { body } : {}),
  ...(headers ? { headers } : {}),
});

/** Admin-API error body shape (reference §8: `{error, error_Description}`). */
export const adminError = (status: number, error: string, description: string): EmuResponse =>
  json(status, { error, error_Description: description });

/** `skip`/`top` paging with `_links.next` (reference §8). */
export function page<T>(
  req: EmuRequest,
  items: readonly T[],
  defaultTop = 100,
): { items: T[]; totalRecords: number; _links: { self: string; next: string | null; previous: string | null } } {
  const skip = Math.max(0, Number(req.query.get('skip') ?? 0) || 0);
  const top = Math.max(1, Math.min(10_000, Number(req.query.get('top') ?? defaultTop) || defaultTop));
  const link = (s: number): string => {
    const q = new URLSearchParams(req.query);
    q.set('skip', String(s));
    q.set('top', String(top));
    return `${req.origin}/inContactAPI/services/v${req.apiVersion ?? 23}.0${req.path}?${q.toString()}`;
  };
  return {
    items: items.slice(skip, skip + top),
    totalRecords: items.length,
    _links: {
      self: link(skip),
      next: skip + top < items.length ? link(skip + top) : null,
      previous: skip > 0 ? link(Math.max(0, skip - top)) : null,
    },
  };
}

/** `fields=a,b` projection (reference §2.1). */
export function project(record: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (!fields) return record;
  const wanted = new Set(fields.split(',').map((f) => f.trim().toLowerCase()));
  return Object.fromEntries(Object.entries(record).filter(([k]) => wanted.has(k.toLowerCase())));
}

/** ISO-8601 UTC with milliseconds (reference §8). */
export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Parses an ISO `updatedSince` (reference §8: ISO-8601 UTC); absent means "everything" (epoch). A
 * value that is not a date is a bad parameter (400, reference §8), never a silent full snapshot.
 */
export function sinceParam(req: EmuRequest, name = 'updatedSince'): number | EmuResponse {
  const raw = req.query.get(name) ?? req.query.get('updateSince');
  if (!raw) return 0;
  const ms = Date.parse(raw);
  return Number.isNaN(ms)
    ? adminError(400, 'InvalidParameter', `updatedSince "${raw.slice(0, 64)}" is not an ISO-8601 date.`)
    : ms;
}
