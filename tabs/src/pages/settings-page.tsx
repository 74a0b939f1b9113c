import { Button, Field, SpinButton, Text, Title3 } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { AsyncView, ErrorBar } from '../components/async-view.js';
import { CxoneForm, type CxoneView } from '../components/connections-form.js';
import { OwnersPanel, type OwnerView } from '../components/owners-panel.js';
import { useApi, useApiClient } from '../use-api.js';

export interface Connections {
  cxone: CxoneView;
  owners: OwnerView[];
}
interface Settings {
  reconciliationPeriodSec: number;
  traceRetentionDays: number;
}

/** Settings: connections (CXone, subscription owners) and retention / reconciliation. */
export function SettingsPage(): ReactNode {
  const [connections, reload] = useApi<Connections>('/connections');
  const [settings] = useApi<Settings>('/settings');
  return (
    <section aria-labelledby="settings-title" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
      <Title3 as="h2" id="settings-title">
        Settings
      </Title3>
      <AsyncView state={connections} label="connections">
        {(c) => (
          <>
            <Title3 as="h3">CXone</Title3>
            <CxoneForm current={c.cxone} />
            <Title3 as="h3">Subscription owners</Title3>
            <OwnersPanel owners={c.owners} onChanged={reload} />
          </>
        )}
      </AsyncView>
      <Title3 as="h3">Retention and reconciliation</Title3>
      <AsyncView state={settings} label="settings">
        {(s) => <SettingsForm initial={s} />}
      </AsyncView>
    </section>
  );
}

function SettingsForm(props: { initial: Settings }): ReactNode {
  const api = useApiClient();
  const [s, setS] = useState(props.initial);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const save = () =>
    api.request('PUT', '/settings', s).then(
      () => {
        setError('');
        setStatus('Saved');
      },
      (e: Error) => setError(e.message),
    );
  return (
    <form
      aria-label="Retention settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      style={{ display: 'grid', gap: 8, maxWidth: 320 }}
    >
      <Field label="Keep Log Reader traces (days)">
        <SpinButton
          min={1}
          max={90}
          value={s.traceRetentionDays}
          onChange={(_e, d) =>
            setS({ ...s, traceRetentionDays: d.value ?? Number(d.displayValue ?? s.traceRetentionDays) })
          }
        />
      </Field>
      <Field label="Reconcile both sides every (seconds)">
        <SpinButton
          min={60}
          max={86400}
          step={60}
          value={s.reconciliationPeriodSec}
          onChange={(_e, d) =>
            setS({ ...s, reconciliationPeriodSec: d.value ?? Number(d.displayValue ?? s.reconciliationPeriodSec) })
          }
        />
      </Field>
      <Button type="submit">Save settings</Button>
      <Text role="status">{status}</Text>
      {error && <ErrorBar title="Settings not saved" message={error} />}
    </form>
  );
}
