import { z } from 'zod';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { parseJson } from './emulator-http.js';
import { graphError } from './graph-errors.js';

const BatchBody = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string(),
      url: z.string(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});

type Dispatch = (req: EmulatorRequest) => Promise<EmulatorResponse>;

/**
 * `POST /$batch` (reference graph-presence.md §4, §8.6): ≤ 20 requests, unique ids
 * (case-insensitive), Content-Type required with a body, dependsOn honoured with 424 on a failed
 * dependency. Every item goes through the same router — and so the same throttle — as a direct
 * call; the envelope is 200 and the answers come back out of order.
 */
export async function handleBatch(req: EmulatorRequest, dispatch: Dispatch, now: number): Promise<EmulatorResponse> {
  const parsed = BatchBody.safeParse(parseJson(req.rawBody));
  if (!parsed.success) return graphError(400, 'BadRequest', 'Invalid batch payload.', now);
  const items = parsed.data.requests;
  if (items.length === 0 || items.length > 20)
    return graphError(400, 'BadRequest', 'A batch holds 1 to 20 requests.', now);
  const ids = items.map((r) => r.id.toLowerCase());
  if (new Set(ids).size !== ids.length) return graphError(400, 'BadRequest', 'Batch request ids must be unique.', now);
  const missingType = items.find(
    (r) => r.body !== undefined && !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type'),
  );
  if (missingType)
    return graphError(400, 'BadRequest', `Request ${missingType.id}: a body requires a Content-Type header.`, now);
  const results = new Map<string, EmulatorResponse>();
  for (const item of items) {
    const failedDep = (item.dependsOn ?? []).find((d) => (results.get(d.toLowerCase())?.status ?? 0) >= 400);
    if (failedDep) {
      results.set(item.id.toLowerCase(), graphError(424, 'FailedDependency', `Dependency ${failedDep} failed.`, now));
      continue;
    }
    const url = new URL(item.url.startsWith('/') ? `https://x/v1.0${item.url}` : `https://x/v1.0/${item.url}`);
    const headers = Object.fromEntries(Object.entries(item.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const sub: EmulatorRequest = {
      method: item.method.toUpperCase(),
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: { ...headers, authorization: req.headers.authorization ?? '' },
      rawBody: item.body === undefined ? '' : typeof item.body === 'string' ? item.body : JSON.stringify(item.body),
      ...(req.receivedAt !== undefined ? { receivedAt: req.receivedAt } : {}),
    };
    results.set(item.id.toLowerCase(), await dispatch(sub));
  }
  const responses = items.map((item) => {
    const r = results.get(item.id.toLowerCase())!;
    return {
      id: item.id,
      status: r.status,
      headers: r.headers ?? {},
      ...(r.body !== undefined ? { body: r.body } : {}),
    };
  });
  return { status: 200, body: { responses: responses.reverse() } };
}
