import { Button, Checkbox, Field, Input, Switch, Text, Title3 } from '@fluentui/react-components';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from '../api-client.js';
import { AgentHeader } from '../components/agent-header.js';
import { ErrorBar } from '../components/async-view.js';
import { FlowList } from '../components/flow-list.js';
import { filterFlows, groupFlows, type FlowFilter } from '../flows.js';
import type { AgentOverview, TraceEvent } from '../types.js';
import { useApiClient } from '../use-api.js';

type View =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; agentId: string; events: TraceEvent[] };

/** The header is read again this long after the last live hop: the hops of one flow come in a burst. */
const HEADER_SETTLE_MS = 400;

/** The reader's time zone and its offset now, said once above the flows (every time below is in it). */
const ZONE = `${Intl.DateTimeFormat().resolvedOptions().timeZone} (${
  new Intl.DateTimeFormat(undefined, { timeZoneName: 'shortOffset' })
    .formatToParts(Date.now())
    .find((p) => p.type === 'timeZoneName')?.value ?? ''
})`;

/**
 * Log Reader: who the agent is and what applies to them (header), then their flows newest first,
 * each opening to its hops; filters for errors and writes; live mode adds hops as they happen and
 * follow mode keeps the newest flow open and in view.
 */
export function LogReaderPage(props: { initialAgent: string }): ReactNode {
  const api = useApiClient();
  const [agent, setAgent] = useState(props.initialAgent);
  const [view, setView] = useState<View>({ status: 'idle' });
  const [overview, setOverview] = useState<AgentOverview | null>(null);
  const [headerTick, setHeaderTick] = useState(0);
  const [live, setLive] = useState(false);
  const [follow, setFollow] = useState(true);
  const [liveState, setLiveState] = useState('');
  const [filter, setFilter] = useState<FlowFilter>({ errors: false, writes: false });
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());

  const search = async (who: string): Promise<void> => {
    if (!who.trim()) return;
    setView({ status: 'loading' });
    setOverview(null);
    try {
      const r = await api.get<{ agentId: string; events: TraceEvent[] }>(
        `/trace?agent=${encodeURIComponent(who.trim())}&limit=500`,
      );
      // The newest flow starts open: it is usually the one asked about.
      const newest = groupFlows(r.events)[0];
      setOpen(new Set(newest ? [newest.traceId] : []));
      setView({ status: 'ready', agentId: r.agentId, events: [...r.events] });
    } catch (e) {
      setView({
        status: 'error',
        message: e instanceof ApiError && e.status === 404 ? `No agent matches “${who}”.` : (e as Error).message,
      });
    }
  };
  useEffect(() => {
    if (props.initialAgent) void search(props.initialAgent);
  }, []);

  const followed = view.status === 'ready' ? view.agentId : '';

  // The header: read on every search, and again once a burst of live hops has settled.
  useEffect(() => {
    if (!followed) return;
    let current = true;
    const timer = setTimeout(
      () => {
        api.get<AgentOverview>(`/trace/agent?agent=${encodeURIComponent(followed)}`).then(
          (o) => current && setOverview(o),
          // An unlinked Teams user's traces have no agent to describe: the flows still show.
          () => current && setOverview(null),
        );
      },
      headerTick === 0 ? 0 : HEADER_SETTLE_MS,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, followed, headerTick]);

  useEffect(() => {
    if (!live || !followed) return;
    const abort = new AbortController();
    setLiveState('connecting');
    const onEvent = (event: string, data: string): void => {
      if (event === 'ready') setLiveState('live');
      if (event !== 'trace') return;
      const hop = JSON.parse(data) as TraceEvent;
      setView((v) =>
        v.status === 'ready' && !v.events.some((e) => e.id === hop.id) ? { ...v, events: [...v.events, hop] } : v,
      );
      setHeaderTick((t) => t + 1);
    };
    // The stream ends when a proxy or a restart cuts it: reconnect after the server's retry hint (3 s).
    const follow = async (): Promise<void> => {
      while (!abort.signal.aborted) {
        await api
          .stream(`/trace/live?agent=${encodeURIComponent(followed)}`, abort.signal, onEvent)
          .catch((e: Error) => {
            if (!abort.signal.aborted) setLiveState(`reconnecting (${e.message})`);
          });
        if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 3000));
      }
    };
    void follow();
    return () => abort.abort();
  }, [api, live, followed]);

  const flows = useMemo(() => (view.status === 'ready' ? groupFlows(view.events) : []), [view]);
  const shown = useMemo(() => filterFlows(flows, filter), [flows, filter]);

  // Following: the newest flow opens as the live tail starts it.
  const newest = flows[0]?.traceId;
  useEffect(() => {
    if (live && follow && newest) setOpen((o) => (o.has(newest) ? o : new Set([...o, newest])));
  }, [live, follow, newest]);

  const toggle = (traceId: string): void =>
    setOpen((o) => {
      const next = new Set(o);
      if (!next.delete(traceId)) next.add(traceId);
      return next;
    });

  return (
    <section aria-labelledby="log-title" style={{ display: 'flex', flexDirection: 'column', gap: 12, minWidth: 0 }}>
      <Title3 as="h2" id="log-title">
        Log Reader
      </Title3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void search(agent);
        }}
        style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'end' }}
      >
        <Field label="Agent id, e-mail or name">
          <Input value={agent} onChange={(_e, d) => setAgent(d.value)} />
        </Field>
        <Button type="submit" appearance="primary">
          Show flow
        </Button>
        <Switch label="Live" checked={live} onChange={(_e, d) => setLive(d.checked)} disabled={!followed} />
        <Switch
          label="Follow newest"
          checked={follow}
          onChange={(_e, d) => setFollow(d.checked)}
          disabled={!followed || !live}
        />
        <Text role="status" data-testid="live-state">
          {live ? liveState : ''}
        </Text>
      </form>
      {view.status === 'loading' && <Text role="status">Loading…</Text>}
      {view.status === 'error' && <ErrorBar title="No trace" message={view.message} />}
      {view.status === 'ready' && overview && <AgentHeader agent={overview} />}
      {view.status === 'ready' && (
        <>
          <div role="group" aria-label="Filters" style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
            <Checkbox
              label="Only flows with errors"
              checked={filter.errors}
              onChange={(_e, d) => setFilter((f) => ({ ...f, errors: d.checked === true }))}
            />
            <Checkbox
              label="Only flows that wrote to Teams or CXone"
              checked={filter.writes}
              onChange={(_e, d) => setFilter((f) => ({ ...f, writes: d.checked === true }))}
            />
          </div>
          <Text size={200} data-testid="flow-count">
            {shown.length === flows.length
              ? `${flows.length} ${flows.length === 1 ? 'flow' : 'flows'}`
              : `${shown.length} of ${flows.length} flows`}
            , times in {ZONE}
          </Text>
          {flows.length === 0 && !live ? (
            <Text role="status">No hops recorded for {view.agentId} in this period.</Text>
          ) : shown.length === 0 && flows.length > 0 ? (
            <Text role="status">No flow matches the filters.</Text>
          ) : (
            <FlowList flows={shown} open={open} onToggle={toggle} follow={live && follow} />
          )}
        </>
      )}
    </section>
  );
}
