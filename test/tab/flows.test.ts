import { filterFlows, groupFlows } from '../../tabs/src/flows.js';
import type { TraceEvent } from '../../tabs/src/types.js';

const hop = (id: string, traceId: string, at: number, hop = 'acd.event', data: Record<string, unknown> = {}) =>
  ({ id, agentId: 'agent-1', traceId, hop, at, summary: id, data }) satisfies TraceEvent;

describe("the Log Reader's flows", () => {
  it('groups hops by trace, newest flow first, each flow in the order its hops happened', () => {
    const flows = groupFlows([
      hop('b2', 'b', 250),
      hop('a1', 'a', 100),
      hop('b1', 'b', 200),
      hop('a2', 'a', 300, 'graph.response'),
      hop('c1', 'c', 150),
    ]);
    expect(flows.map((f) => [f.traceId, f.hops.map((h) => h.id)])).toEqual([
      ['a', ['a1', 'a2']],
      ['b', ['b1', 'b2']],
      ['c', ['c1']],
    ]);
    expect(flows[0]).toMatchObject({ startedAt: 100, lastAt: 300, hasWrite: true, hasError: false });
  });

  it('keeps flows that end at the same instant in one order, whatever order the hops came in', () => {
    const one = groupFlows([hop('y1', 'y', 5), hop('x1', 'x', 5)]).map((f) => f.traceId);
    const other = groupFlows([hop('x1', 'x', 5), hop('y1', 'y', 5)]).map((f) => f.traceId);
    expect(one).toEqual(other);
  });

  it('filters to flows with an error (an error hop, or a hop carrying a failure) and to flows that wrote', () => {
    const flows = groupFlows([
      hop('ok', 'ok', 1, 'graph.response'),
      hop('refused', 'refused', 2, 'acd.response', { failure: { message: 'refused' } }),
      hop('retry', 'retry', 3, 'error'),
      hop('quiet', 'quiet', 4, 'decision'),
    ]);
    const ids = (f: { traceId: string }[]) => f.map((x) => x.traceId).sort();
    expect(ids(filterFlows(flows, { errors: true, writes: false }))).toEqual(['refused', 'retry']);
    expect(ids(filterFlows(flows, { errors: false, writes: true }))).toEqual(['ok', 'refused']);
    expect(ids(filterFlows(flows, { errors: true, writes: true }))).toEqual(['refused']);
    expect(ids(filterFlows(flows, { errors: false, writes: false }))).toEqual(['ok', 'quiet', 'refused', 'retry']);
  });

  it("marks a flow whose write Teams cannot show (the engine's data.notShown)", () => {
    const [flow] = groupFlows([hop('w', 't', 1, 'graph.response', { notShown: { reason: 'manual status' } })]);
    expect(flow?.notShown).toBe(true);
  });
});
