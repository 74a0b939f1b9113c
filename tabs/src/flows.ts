import type { TraceEvent } from './types.js';

/** The hops of one flow (one trace id): what started it, what the sync did, how it ended. */
export interface Flow {
  traceId: string;
  /** Oldest first: the order the hops happened in. */
  hops: TraceEvent[];
  startedAt: number;
  lastAt: number;
  hasError: boolean;
  hasWrite: boolean;
  /** A write Teams cannot show (the user's own status wins): the engine flags it as `data.notShown`. */
  notShown: boolean;
}

/** Hops where the sync wrote, or tried to write, to Teams (Graph) or to CXone. */
export const WRITE_HOPS: readonly string[] = ['graph.request', 'graph.response', 'acd.request', 'acd.response'];

/** An error hop, or a hop that carries a failure (a refused or given-up write is traced on its response hop). */
export const isErrorHop = (e: TraceEvent): boolean => e.hop === 'error' || e.data['failure'] !== undefined;

/** Why Teams cannot show what the sync wrote, when the engine flagged the hop (`data.notShown.reason`). */
export function notShownReason(e: TraceEvent): string | undefined {
  const flag = e.data['notShown'];
  if (!flag || typeof flag !== 'object') return undefined;
  const reason = (flag as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : 'Teams shows another status';
}

/** Groups hops into flows, newest flow first (by its latest hop; ties by trace id so the order never jumps). */
export function groupFlows(events: readonly TraceEvent[]): Flow[] {
  const byTrace = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const hops = byTrace.get(e.traceId);
    if (hops) hops.push(e);
    else byTrace.set(e.traceId, [e]);
  }
  const flows = [...byTrace].map(([traceId, hops]): Flow => {
    hops.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      traceId,
      hops,
      startedAt: hops[0]?.at ?? 0,
      lastAt: hops[hops.length - 1]?.at ?? 0,
      hasError: hops.some(isErrorHop),
      hasWrite: hops.some((h) => WRITE_HOPS.includes(h.hop)),
      notShown: hops.some((h) => notShownReason(h) !== undefined),
    };
  });
  return flows.sort((a, b) => b.lastAt - a.lastAt || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
}

export interface FlowFilter {
  /** Only flows with an error hop. */
  errors: boolean;
  /** Only flows in which the sync wrote to Teams or CXone. */
  writes: boolean;
}

export const filterFlows = (flows: readonly Flow[], f: FlowFilter): Flow[] =>
  flows.filter((x) => (!f.errors || x.hasError) && (!f.writes || x.hasWrite));
