/** An RFC 9457 problem from the API, or a network failure, shown to the admin as is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: readonly { pointer: string; detail: string }[] = [],
  ) {
    super(message);
  }
}

export type TokenSource = () => Promise<string>;

/** The tab's view of /api/v1: every call carries the SSO (or sandbox) bearer token. */
export class ApiClient {
  constructor(
    private readonly token: TokenSource,
    private readonly base = '/api/v1',
  ) {}

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.token()}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = contentType;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    } catch (e) {
      throw new ApiError(0, 'NETWORK', `The service could not be reached (${(e as Error).message}).`);
    }
    const text = await res.text();
    if (!res.ok) throw toApiError(res.status, text);
    if (!text || !(res.headers.get('content-type') ?? '').includes('json')) return text as T;
    return JSON.parse(text) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /**
   * Server-sent events over fetch (EventSource cannot send the bearer header). Calls onEvent per
   * `trace` event until the signal aborts.
   */
  async stream(path: string, signal: AbortSignal, onEvent: (event: string, data: string) => void): Promise<void> {
    const res = await fetch(this.base + path, {
      headers: { authorization: `Bearer ${await this.token()}`, accept: 'text/event-stream' },
      signal,
    });
    if (!res.ok || !res.body) throw toApiError(res.status, await res.text());
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) =>
          frame
            .split('\n')
            .find((l) => l.startsWith(`${name}: `))
            ?.slice(name.length + 2);
        const event = field('event');
        if (event) onEvent(event, field('data') ?? '');
      }
    }
  }
}

function toApiError(status: number, text: string): ApiError {
  try {
    const p = JSON.parse(text) as {
      code?: string;
      detail?: string;
      title?: string;
      errors?: { pointer: string; detail: string }[];
    };
    return new ApiError(status, p.code ?? `HTTP_${status}`, p.detail ?? p.title ?? `HTTP ${status}`, p.errors ?? []);
  } catch {
    return new ApiError(status, `HTTP_${status}`, `The service answered HTTP ${status}.`);
  }
}

/** The API's per-field problems at `pointer` or below it (JSON Pointer into the body), joined for a field. */
export function fieldError(error: ApiError | null | undefined, pointer: string): string | undefined {
  const hits = (error?.errors ?? []).filter((e) => e.pointer === pointer || e.pointer.startsWith(`${pointer}/`));
  return hits.length ? hits.map((e) => e.detail).join(' ') : undefined;
}

/** The per-field problems no field of the form shows (listed in the form's error bar instead). */
export function unplacedErrors(error: ApiError, placed: readonly string[]): string[] {
  return error.errors
    .filter((e) => !placed.some((p) => e.pointer === p || e.pointer.startsWith(`${p}/`)))
    .map((e) => (e.pointer ? `${e.pointer}: ${e.detail}` : e.detail));
}
