import { z } from 'zod';
import type { BotHealthStatus, BotHealthTransition } from './bot-queries.js';

/** What was last announced of a component, and when (the newer of two views wins). */
export interface Announced {
  readonly status: BotHealthTransition['from'];
  readonly at: number;
}

/** One tenant's alert pacing: transitions held back, what was announced, when the last card went. */
export interface AlertBook {
  readonly pending: Map<string, BotHealthTransition>;
  readonly announced: Map<string, Announced>;
  lastSent?: number;
}

const status = z.enum(['ok', 'degraded', 'down']);
const transition = z.looseObject({
  tenantId: z.string(),
  component: z.string(),
  from: z.enum(['ok', 'degraded', 'down', 'unknown']),
  to: status,
  via: z.array(status).optional(),
  detail: z.string(),
  at: z.number(),
  since: z.number().optional(),
  began: z.number().optional(),
});
const bookSchema = z.object({
  pending: z.record(z.string(), transition).default({}),
  announced: z
    .record(z.string(), z.object({ status: z.enum(['ok', 'degraded', 'down', 'unknown']), at: z.number() }))
    .default({}),
  lastSent: z.number().optional(),
});

export const emptyBook = (): AlertBook => ({ pending: new Map(), announced: new Map() });

/** The stored state as a book; a state this version cannot read starts a fresh book (alerts, not data). */
export function readBook(state: Readonly<Record<string, unknown>> | undefined): AlertBook {
  const parsed = bookSchema.safeParse(state ?? {});
  if (!parsed.success) return emptyBook();
  return {
    pending: new Map(Object.entries(parsed.data.pending) as [string, BotHealthTransition][]),
    announced: new Map(Object.entries(parsed.data.announced)),
    ...(parsed.data.lastSent !== undefined ? { lastSent: parsed.data.lastSent } : {}),
  };
}

export function writeBook(book: AlertBook): Readonly<Record<string, unknown>> {
  return {
    pending: Object.fromEntries(book.pending),
    announced: Object.fromEntries(book.announced),
    ...(book.lastSent !== undefined ? { lastSent: book.lastSent } : {}),
  };
}

/** Merged into one line that keeps every status passed through: "ok → down → ok" still tells of the outage. */
export function mergeTransition(pending: Map<string, BotHealthTransition>, t: BotHealthTransition): void {
  const first = pending.get(t.component);
  pending.set(
    t.component,
    first
      ? { ...t, from: first.from, via: [...(first.via ?? []), first.to], began: first.began ?? first.since ?? first.at }
      : t,
  );
}

/** Per component, the newer of two announcements (this instance's and the store's). */
export function newerAnnounced(a: ReadonlyMap<string, Announced>, b: ReadonlyMap<string, Announced>) {
  const out = new Map(a);
  for (const [component, x] of b) if ((out.get(component)?.at ?? -Infinity) < x.at) out.set(component, x);
  return out;
}

/** What the admins were last told of each component (a new owner's health model starts from it). */
export function announcedStatuses(state: Readonly<Record<string, unknown>> | undefined): Map<string, BotHealthStatus> {
  const out = new Map<string, BotHealthStatus>();
  for (const [component, a] of readBook(state).announced) if (a.status !== 'unknown') out.set(component, a.status);
  return out;
}
