import { Button, Checkbox, Text, Title3 } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { AsyncView, ErrorBar } from '../components/async-view.js';
import { CxoneForm } from '../components/connections-form.js';
import {
  ConsentButton,
  OnboardingChecklist,
  SyncSwitch,
  useOnboarding,
  type Onboarding,
} from '../components/onboarding-checklist.js';
import { OwnersPanel } from '../components/owners-panel.js';
import { RULE_TEMPLATES, combineTemplates } from '../rule-templates.js';
import { ApiError } from '../api-client.js';
import { useApi, useApiClient } from '../use-api.js';
import { AutoMatch } from './auto-match.js';
import type { Connections } from './settings-page.js';
import { useLookups } from './use-lookups.js';

const STEPS = ['Admin consent', 'Connect CXone', 'Subscription owner', 'Map users', 'Rules', 'Turn sync on'] as const;

/**
 * First run, led by the API's onboarding checklist: consent → (first admin sign-in creates the
 * tenant) → CXone → owner → users → rule templates → sync on. Every step says what is missing.
 */
export function SetupWizard(props: { onDone: () => void; authenticate: (url: string) => Promise<string> }): ReactNode {
  const [onboarding, reloadOnboarding] = useOnboarding();
  return (
    <section aria-labelledby="setup-title" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
      <Title3 as="h2" id="setup-title">
        Set up Presence Sync
      </Title3>
      <AsyncView state={onboarding} label="onboarding checklist">
        {(o) => (
          <>
            <OnboardingChecklist onboarding={o} />
            {o.onboarded && o.steps.some((s) => s.id === 'role' && s.done) ? (
              <SetupSteps {...props} onboarding={o} onChanged={reloadOnboarding} />
            ) : (
              <BeforeTenant onboarding={o} authenticate={props.authenticate} onChanged={reloadOnboarding} />
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}

/** Before the tenant exists (or for a user without the admin role): consent, and what to ask for. */
function BeforeTenant(props: {
  onboarding: Onboarding;
  authenticate: (url: string) => Promise<string>;
  onChanged: () => void;
}): ReactNode {
  const consented = props.onboarding.steps.find((s) => s.id === 'consent')?.done ?? false;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <ConsentText />
      {!consented && (
        <ConsentButton
          tenantId={props.onboarding.tenantId}
          authenticate={props.authenticate}
          onFinished={props.onChanged}
        />
      )}
      <div>
        <Button onClick={props.onChanged}>Check again</Button>
      </div>
    </div>
  );
}

function SetupSteps(props: {
  onDone: () => void;
  authenticate: (url: string) => Promise<string>;
  onboarding: Onboarding;
  onChanged: () => void;
}): ReactNode {
  const firstOpen = Math.max(
    0,
    ['consent', 'cxone', 'owner', 'agents', 'rules', 'sync'].indexOf(props.onboarding.next?.id ?? 'consent'),
  );
  const [step, setStep] = useState(firstOpen);
  const [connections, reload] = useApi<Connections>('/connections');
  const [cxoneOk, setCxoneOk] = useState(false);
  const ready = connections.status === 'ready';
  const changed = () => {
    reload();
    props.onChanged();
  };
  const canNext =
    step === 1
      ? cxoneOk || (ready && connections.value.cxone.configured)
      : step === 2
        ? ready && connections.value.owners.length > 0
        : true;
  return (
    <>
      <ol aria-label="Setup steps" style={{ display: 'flex', gap: 16, listStyle: 'none', padding: 0 }}>
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined}>
            <Text weight={i === step ? 'bold' : 'regular'}>
              {i + 1}. {s}
            </Text>
          </li>
        ))}
      </ol>
      {step === 0 && (
        <>
          <ConsentText />
          <ConsentButton
            tenantId={props.onboarding.tenantId}
            authenticate={props.authenticate}
            onFinished={props.onChanged}
          />
        </>
      )}
      {step === 1 && (
        <AsyncView state={connections} label="connections">
          {(c) => (
            <CxoneForm
              current={c.cxone}
              onTested={(ok) => {
                setCxoneOk(ok);
                changed();
              }}
            />
          )}
        </AsyncView>
      )}
      {step === 2 && (
        <AsyncView state={connections} label="owners">
          {(c) => <OwnersPanel owners={c.owners} onChanged={changed} authenticate={props.authenticate} />}
        </AsyncView>
      )}
      {step === 3 && <AutoMatch onApplied={props.onChanged} />}
      {step === 4 && (
        <TemplatesStep
          onDone={() => {
            props.onChanged();
            setStep(5);
          }}
        />
      )}
      {step === 5 && (
        <>
          <SyncSwitch onboarding={props.onboarding} onChanged={props.onChanged} />
          <div>
            <Button onClick={props.onDone}>Go to the Health Check</Button>
          </div>
        </>
      )}
      <div style={{ display: 'flex', gap: 8 }}>
        {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
        {step < STEPS.length - 1 && (
          <Button appearance="primary" disabled={!canNext} onClick={() => setStep(step + 1)}>
            Next
          </Button>
        )}
      </div>
    </>
  );
}

function ConsentText(): ReactNode {
  return (
    <Text>
      Presence Sync reads and sets presence with Microsoft Graph application permissions (Presence.ReadWrite.All,
      User.Read.All). A Global or Privileged Role Administrator grants them once for the organisation; Presence Sync
      then checks with Microsoft Entra that they are in place.
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
