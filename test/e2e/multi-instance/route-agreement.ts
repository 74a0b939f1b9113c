import { isDeepStrictEqual } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';
import { listOperations, saysNotConfigured, type TourAnswer } from '../../compose/tab-api-tour.js';

/**
 * Helpers of the multi-instance "every route on every instance" test: a client-side round robin
 * that sends the n-th request of a tour to instance (n + offset) mod N (so across N tours every
 * route is answered once by every instance, the tenant's owner and the others), and a comparison
 * of the read routes' answers given by every instance at the same moment.
 */

/** Where an instance answers, and its name for the failure message. */
export interface Backend {
  readonly name: string;
  readonly base: string;
}

/** A placeholder origin the tour is given; the fetch below replaces it with the chosen instance's. */
export const ROTATED_BASE = 'http://rotated.invalid';

export type TourFetch = typeof fetch;

/** undici's fetch trusting the local CA (the balancer is HTTPS), as the tour's `fetch`. */
export function caFetch(ca: string): { readonly fetch: TourFetch; close(): Promise<void> } {
  const dispatcher = new Agent({ connect: { ca } });
  const f = (url: string | URL | Request, init?: RequestInit) =>
    undiciFetch(String(url), { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  return { fetch: f as unknown as TourFetch, close: () => dispatcher.close() };
}

/** A fetch sending the n-th request to backends[(n + offset) % N]; `answeredBy` lists who got each. */
export function rotatingFetch(
  backends: readonly Backend[],
  offset: number,
  inner: TourFetch = fetch,
): { readonly fetch: TourFetch; readonly answeredBy: string[] } {
  const answeredBy: string[] = [];
  const f = (url: string | URL | Request, init?: RequestInit) => {
    const b = backends[(answeredBy.length + offset) % backends.length]!;
    answeredBy.push(b.name);
    return inner(String(url).replace(ROTATED_BASE, b.base), init);
  };
  return { fetch: f as TourFetch, answeredBy };
}

/** One tour's answers labelled with the instance that gave each (the tour's first request lists the routes). */
export function labelled(answers: readonly TourAnswer[], answeredBy: readonly string[]) {
  if (answeredBy.length !== answers.length + 1)
    throw new Error(`expected one request per route plus the listing, saw ${answeredBy.length} for ${answers.length}`);
  return answers.map((a, i) => ({ ...a, instance: answeredBy[i + 1]! }));
}

/** Per route: the status and problem code each instance answered, where they differ or say "not configured". */
export function disagreements(tours: readonly ReturnType<typeof labelled>[]): string[] {
  const out: string[] = [];
  const byOp = new Map<string, ReturnType<typeof labelled>>();
  for (const a of tours.flat()) byOp.set(a.operationId, [...(byOp.get(a.operationId) ?? []), a]);
  for (const [op, list] of byOp) {
    const kinds = new Set(list.map((a) => `${a.status} ${a.code ?? ''}`.trim()));
    const notConfigured = list.filter(saysNotConfigured);
    if (kinds.size > 1 || notConfigured.length > 0)
      out.push(
        `${op}: ${list.map((a) => `${a.instance} → ${a.status} ${a.code ?? ''} ${a.text.slice(0, 120)}`).join(' | ')}`,
      );
  }
  return out;
}

/**
 * Answers that differ by design from one instance to the next: a fresh sealed `state` in each
 * sign-in and consent redirect, the live tail's open stream, the Health Check's ownership.
 */
const DIFFER_BY_DESIGN = new Set([
  'startAdminConsent',
  'finishAdminConsent',
  'openOwnerSignIn',
  'finishOwnerSignIn',
  'liveTrace',
  // The Health Check names the instance answering (ownership.here), and the owner answers from its
  // live model while the others read its snapshot of up to 2 s ago (timestamps move every tick):
  // shared-state.e2e.test.ts compares it. Its status is still compared by the rotated tours.
  'getHealth',
]);

/**
 * Every read route (GET in the deployment's OpenAPI document) asked of every instance at once;
 * returns the routes whose answers differ (status or body), after one retry for a change that
 * landed between the reads. A GET route with a path parameter the test cannot fill fails it.
 */
export async function readsDiffering(
  backends: readonly Backend[],
  token: string,
  fill: { readonly params: Readonly<Record<string, string>>; readonly query: Readonly<Record<string, string>> },
  f: TourFetch = fetch,
): Promise<string[]> {
  const ops = (await listOperations({ base: backends[0]!.base, token, cxoneIssuerUrl: '', fetch: f })).filter(
    (o) => o.method === 'get' && !DIFFER_BY_DESIGN.has(o.operationId),
  );
  const ask = async (base: string, path: string) => {
    const r = await f(`${base}${path}`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    const text = await r.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (the CSV export): compared as text
    }
    return { status: r.status, body };
  };
  const differing: string[] = [];
  for (const op of ops) {
    const path = op.path.replace(/\{(\w+)\}|:(\w+)/g, (_m, a?: string, b?: string) => {
      const value = fill.params[(a ?? b)!];
      if (value === undefined) throw new Error(`no value for ${a ?? b} of ${op.operationId}: add one`);
      return encodeURIComponent(value);
    });
    const q = fill.query[op.operationId];
    const url = `${path.startsWith('/api/v1') ? path : `/api/v1${path}`}${q ? `?${q}` : ''}`;
    let answers = await Promise.all(backends.map((b) => ask(b.base, url)));
    const agree = () => answers.every((a) => isDeepStrictEqual(a, answers[0]));
    if (!agree()) {
      await new Promise((r) => setTimeout(r, 1_000));
      answers = await Promise.all(backends.map((b) => ask(b.base, url)));
    }
    if (!agree())
      differing.push(
        `${op.operationId} GET ${url}: ${answers.map((a, i) => `${backends[i]!.name} → ${a.status} ${JSON.stringify(a.body).slice(0, 400)}`).join(' | ')}`,
      );
  }
  return differing;
}
