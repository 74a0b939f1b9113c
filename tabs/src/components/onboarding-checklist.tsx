import { Button, Text } from '@fluentui/react-components';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ErrorBar } from './async-view.js';
import { useApiClient, type Loaded } from '../use-api.js';

export interface OnboardingStepView {
  id: 'consent' | 'tenant' | 'role' | 'cxone' | 'owner' | 'agents' | 'rules' | 'sync';
  done: boolean;
  detail: string;
}

export interface Onboarding {
  tenantId: string;
  onboarded: boolean;
  syncEnabled: boolean;
  steps: OnboardingStepView[];
  next?: OnboardingStepView;
}

const TITLES: Record<OnboardingStepView['id'], string> = {
  consent: 'Admin consent',
  tenant: 'Tenant',
  role: 'Your role',
  cxone: 'CXone',
  owner: 'Subscription owner',
  agents: 'Agents linked',
  rules: 'Rules',
  sync: 'Sync',
};

/**
 * The tab's sign-in as onboarding sees it: the first one of an admin from a consented tenant
 * creates the tenant (POST /onboarding/sign-in); reload() asks again after each step.
 */
export function useOnboarding(): [Loaded<Onboarding>, () => void] {
  const api = useApiClient();
  const [state, setState] = useState<Loaded<Onboarding>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    api.request<Onboarding>('POST', '/onboarding/sign-in').then(
      (value) => live && setState({ status: 'ready', value }),
      (error: Error) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [api, tick]);
  return [state, useCallback(() => setTick((t) => t + 1), [])];
}

/** Every step, done or what is missing; the next one stands out. */
export function OnboardingChecklist(props: { onboarding: Onboarding }): ReactNode {
  const next = props.onboarding.next?.id;
  return (
    <ul aria-label="Onboarding checklist" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {props.onboarding.steps.map((s) => (
        <li key={s.id} data-step={s.id} data-done={s.done} aria-current={s.id === next ? 'step' : undefined}>
          <Text weight={s.id === next ? 'semibold' : 'regular'}>
            {s.done ? '✓' : s.id === next ? '→' : '○'} {TITLES[s.id]}: {s.detail}
          </Text>
        </li>
      ))}
    </ul>
  );
}

/** Admin consent in a popup (Entra's adminconsent page, via our start route), then the checklist again. */
export function ConsentButton(props: {
  tenantId: string;
  authenticate: (url: string) => Promise<string>;
  onFinished: () => void;
}): ReactNode {
  const [error, setError] = useState('');
  const start = () => {
    setError('');
    const url = `${window.location.origin}/api/v1/onboarding/consent?tenant=${encodeURIComponent(props.tenantId)}`;
    props.authenticate(url).then(props.onFinished, (e: Error) => setError(e.message));
  };
  return (
    <div>
      <Button appearance="primary" onClick={start}>
        Grant admin consent
      </Button>
      {error && <ErrorBar title="Admin consent not started" message={error} />}
    </div>
  );
}

/** Sync on (the API refuses until consent, CXone and a subscription owner are there) or off. */
export function SyncSwitch(props: { onboarding: Onboarding; onChanged: () => void }): ReactNode {
  const api = useApiClient();
  const [error, setError] = useState('');
  const on = props.onboarding.syncEnabled;
  const flip = () => {
    setError('');
    api.request('PUT', '/onboarding/sync', { enabled: !on }).then(props.onChanged, (e: Error) => setError(e.message));
  };
  return (
    <div>
      <Text>{on ? 'Sync is on.' : 'Sync is off: nothing is written to Teams or CXone yet.'}</Text>{' '}
      <Button appearance={on ? 'secondary' : 'primary'} onClick={flip}>
        {on ? 'Turn sync off' : 'Turn sync on'}
      </Button>
      {error && <ErrorBar title="Sync not switched" message={error} />}
    </div>
  );
}
