import { Button, Text, Title3 } from '@fluentui/react-components';
import { ApiError, fieldError, unplacedErrors } from '../api-client.js';
import { NumberField } from '../components/number-field.js';
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
/** `authenticate`: the host's sign-in popup, for signing an owner in (again) from here too. */
export function SettingsPage(props: { authenticate?: (url: string) => Promise<string> } = {}): ReactNode {
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
            <OwnersPanel
              owners={c.owners}
              onChanged={reload}
              {...(props.authenticate ? { authenticate: props.authenticate } : {})}
            />
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
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(new Set());
  const [status, setStatus] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const validity = (field: keyof Settings) => (valid: boolean) =>
    setInvalid((now) => {
      const next = new Set(now);
      if (valid) next.delete(field);
      else next.add(field);
      return next;
    });
  const save = () =>
    api.request('PUT', '/settings', s).then(
      () => {
        setError(null);
        setStatus('Saved');
      },
      (e: Error) => {
        setStatus('');
        setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', e.message));
      },
    );
  const unplaced = error ? unplacedErrors(error, ['/traceRetentionDays', '/reconciliationPeriodSec']) : [];
  return (
    <form
      aria-label="Retention settings"
      onSubmit={(e) => {
        e.preventDefault();
        if (invalid.size === 0) void save();
      }}
      style={{ display: 'grid', gap: 8, maxWidth: 320 }}
    >
      <NumberField
        label="Keep Log Reader traces (days)"
        value={s.traceRetentionDays}
        min={1}
        max={90}
        unit="days"
        error={fieldError(error, '/traceRetentionDays')}
        onValid={(traceRetentionDays) => setS((x) => ({ ...x, traceRetentionDays }))}
        onValidity={validity('traceRetentionDays')}
      />
      <NumberField
        label="Reconcile both sides every (seconds)"
        value={s.reconciliationPeriodSec}
        min={60}
        max={86400}
        step={60}
        unit="seconds"
        error={fieldError(error, '/reconciliationPeriodSec')}
        onValid={(reconciliationPeriodSec) => setS((x) => ({ ...x, reconciliationPeriodSec }))}
        onValidity={validity('reconciliationPeriodSec')}
      />
      <Button type="submit" disabled={invalid.size > 0}>
        Save settings
      </Button>
      <Text role="status">{status}</Text>
      {error && <ErrorBar title="Settings not saved" message={[error.message, ...unplaced].join(' · ')} />}
    </form>
  );
}
