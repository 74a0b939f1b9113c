import { z } from 'zod';
import type { ExternalFailure } from '../../application/ports.js';
import { httpFailure } from '../shared/external-failure.js';
import type { GraphAnswer } from './graph-http-client.js';

const BatchResponse = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

const GraphErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

/** A $batch envelope's items by id (they may come back in any order, reference §4). */
export function parseBatchAnswer(body: unknown): Map<string, GraphAnswer> {
  const parsed = BatchResponse.safeParse(body);
  const out = new Map<string, GraphAnswer>();
  if (!parsed.success) return out;
  for (const r of parsed.data.responses) {
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    out.set(r.id, { status: r.status, headers, body: r.body });
  }
  return out;
}

export function batchItemFailure(a: GraphAnswer): ExternalFailure {
  const e = GraphErrorBody.safeParse(a.body);
  const code = e.success ? e.data.error.code : `HTTP_${a.status}`;
  const message = e.success ? (e.data.error.message ?? code) : `Graph answered ${a.status}`;
  return httpFailure('graph', a.status, code, message, { requestId: a.headers['request-id'] });
}
