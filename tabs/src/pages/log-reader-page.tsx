import { Button, Field, Input, Switch, Text, Title3 } from '@fluentui/react-components';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '../api-client.js';
import { ErrorBar } from '../components/async-view.js';
import { Timeline } from '../components/timeline.js';
import type { TraceEvent } from '../types.js';
import { useApiClient } from '../use-api.js';

type View =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; agentId: string; events: TraceEvent[] };

/** Log Reader: one agent's flow as a timeline; live mode appends hops as they happen. */
export function LogReaderPage(props: { initialAgent: string }): ReactNode {
  const api = useApiClient();
  const [agent, setAgent] = useState(props.initialAgent);
  const [view, setView] = useState<View>({ status: 'idle' });
  const [live, setLive] = useState(false);
  const [liveState, setLiveState] = useState('');

  const search = async (who: string): Promise<void> => {
    if (!who.trim()) return;
    setView({ status: 'loading' });
    try {
      const r = await api.get<{ agentId: string; events: TraceEvent[] }>(
        `/trace?agent=${encodeURIComponent(who.trim())}&limit=500`,
      );
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

  return (
    <section aria-labelledby="log-title">
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
        <Text role="status" data-testid="live-state">
          {live ? liveState : ''}
        </Text>
      </form>
      {view.status === 'loading' && <Text role="status">Loading…</Text>}
      {view.status === 'error' && <ErrorBar title="No trace" message={view.message} />}
      {view.status === 'ready' &&
        (view.events.length === 0 && !live ? (
          <Text role="status">No hops recorded for {view.agentId} in this period.</Text>
        ) : (
          <Timeline events={view.events} />
        ))}
    </section>
  );
}
