import type { Effect } from '../../domain/effects.js';

/** A decision's effects as one Log Reader line. */
export function summarize(effects: readonly Effect[]): string {
  if (effects.length === 0) return 'Decision: nothing to do';
  return `Decision: ${effects.map((e) => (e.kind === 'skip' ? `skip ${e.reason} (${e.detail})` : e.kind === 'recheckAt' ? `recheck at ${new Date(e.at).toISOString()}` : `${e.kind} (${e.reason})`)).join('; ')}`;
}
