/** One field-level problem inside a problem document (`pointer` is a JSON Pointer into the input). */
export interface FieldError {
  readonly pointer: string;
  readonly code: string;
  readonly detail: string;
}

/**
 * An RFC 9457 problem with our stable `code`. `type` is derived from the code, so clients may key
 * on either; `title` is the same for every occurrence of a code, `detail` is this occurrence.
 */
export interface ApiProblem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  /** Extra members (e.g. `rows` of a CSV import), serialised next to the standard ones. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Response headers (e.g. WWW-Authenticate, Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const PROBLEM_TYPE_BASE = 'urn:presence-sync:problem:';

export function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
  more: Partial<Pick<ApiProblem, 'errors' | 'extensions' | 'headers'>> = {},
): ApiProblem {
  return { status, code, title, detail, ...more };
}

export function problemDocument(p: ApiProblem, instance: string): Record<string, unknown> {
  return {
    type: `${PROBLEM_TYPE_BASE}${p.code}`,
    title: p.title,
    status: p.status,
    detail: p.detail,
    instance,
    code: p.code,
    ...(p.errors ? { errors: p.errors } : {}),
    ...(p.extensions ?? {}),
  };
}

/** Path segments → RFC 6901 JSON Pointer. */
export const toPointer = (path: readonly PropertyKey[]): string =>
  path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

export const notFound = (detail: string, code = 'API.NOT_FOUND'): ApiProblem => problem(404, code, 'Not found', detail);
