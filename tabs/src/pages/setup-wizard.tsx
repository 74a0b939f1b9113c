import { Button, Checkbox, Link, Text, Title3 } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { AsyncView, ErrorBar } from '../components/async-view.js';
import { CxoneForm } from '../components/connections-form.js';
import { OwnersPanel } from '../components/owners-panel.js';
import { RULE_TEMPLATES, combineTemplates } from '../rule-templates.js';
import { ApiError } from '../api-client.js';
import { useApi, useApiClient } from '../use-api.js';
import { AutoMatch } from './auto-match.js';
import type { Connections } from './settings-page.js';
import { useLookups } from './use-lookups.js';

const STEPS = ['Admin consent', 'Connect CXone', 'Subscription owner', 'Map users', 'Rules'] as const;

/** Admin consent link for the app's Graph application permissions (client id from the server's config, /me). */
const consentUrl = (clientId: string | null | undefined): string | null => {
  return clientId
    ? `https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=${encodeURIComponent(clientId)}&scope=https://graph.microsoft.com/.default`
    : null;
};

/** First run: consent → CXone → owner → users → rule templates → Health Check. */
export function SetupWizard(props: { onDone: () => void }): ReactNode {
  const [step, setStep] = useState(0);
  const [connections, reload] = useApi<Connections>('/connections');
  const [cxoneOk, setCxoneOk] = useState(false);
  const ready = connections.status === 'ready';
  const canNext =
    step === 1
      ? cxoneOk || (ready && connections.value.cxone.configured)
      : step === 2
        ? ready && connections.value.owners.length > 0
        : true;
  return (
    <section aria-labelledby="setup-title" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
      <Title3 as="h2" id="setup-title">
        Set up Presence Sync
      </Title3>
      <ol aria-label="Setup steps" style={{ display: 'flex', gap: 16, listStyle: 'none', padding: 0 }}>
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined}>
            <Text weight={i === step ? 'bold' : 'regular'}>
              {i + 1}. {s}
            </Text>
          </li>
        ))}
      </ol>
      {step === 0 && <ConsentStep />}
      {step === 1 && (
        <AsyncView state={connections} label="connections">
          {(c) => (
            <CxoneForm
              current={c.cxone}
              onTested={(ok) => {
                setCxoneOk(ok);
                reload();
              }}
            />
          )}
        </AsyncView>
      )}
      {step === 2 && (
        <AsyncView state={connections} label="owners">
          {(c) => <OwnersPanel owners={c.owners} onChanged={reload} />}
        </AsyncView>
      )}
      {step === 3 && <AutoMatch onApplied={() => undefined} />}
      {step === 4 && <TemplatesStep onDone={props.onDone} />}
      <div style={{ display: 'flex', gap: 8 }}>
        {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
        {step < STEPS.length - 1 && (
          <Button appearance="primary" disabled={!canNext} onClick={() => setStep(step + 1)}>
            Next
          </Button>
        )}
      </div>
    </section>
  );
}

function ConsentStep(): ReactNode {
  const [me] = useApi<{ appClientId: string | null }>('/me');
  const url = consentUrl(me.status === 'ready' ? me.value.appClientId : null);
  return (
    <Text>
      Presence Sync reads and sets presence with Microsoft Graph application permissions (Presence.ReadWrite.All,
      User.Read.All). A Global or Privileged Role Administrator grants them once for the organisation.{' '}
      {url ? (
        <Link href={url} target="_blank">
          Grant admin consent
        </Link>
      ) : (
        'Grant consent in the Entra admin center (Enterprise applications → Presence Sync → Permissions).'
      )}
    </Text>
  );
}

function TemplatesStep(props: { onDone: () => void }): ReactNode {
  const api = useApiClient();
  const lookups = useLookups();
  const [picked, setPicked] = useState<string[]>(RULE_TEMPLATES.map((t) => t.id));
  const [error, setError] = useState('');
  return (
    <AsyncView state={lookups} label="ACD teams">
      {(l) => (
        <form
          aria-label="Rule templates"
          onSubmit={(e) => {
            e.preventDefault();
            const draft = combineTemplates(picked, l.teams);
            if (!draft) return props.onDone();
            api
              .request('POST', '/rules', draft)
              .then(props.onDone, (x: Error) =>
                setError([x.message, ...(x instanceof ApiError ? x.errors.map((f) => f.detail) : [])].join(' ')),
              );
          }}
        >
          {RULE_TEMPLATES.map((t) => (
            <Checkbox
              key={t.id}
              label={t.title}
              checked={picked.includes(t.id)}
              onChange={(_e, d) => setPicked(d.checked ? [...picked, t.id] : picked.filter((p) => p !== t.id))}
            />
          ))}
          <div>
            <Button type="submit" appearance="primary">
              {picked.length ? 'Create the rule and finish' : 'Finish'}
            </Button>
          </div>
          {error && <ErrorBar title="Rules not created" message={error} />}
        </form>
      )}
    </AsyncView>
  );
}
