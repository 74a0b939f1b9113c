import { Button, Text } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { ErrorBar } from './async-view.js';
import { useApiClient } from '../use-api.js';

export interface OwnerView {
  ownerId: string;
  userPrincipalName: string;
  signedIn: boolean;
  detail: string;
  subscriptionCount: number;
}

/**
 * Subscription owner accounts (Graph presence subscriptions run as them, 650 users each). An owner
 * signs in in a popup (authorization code + PKCE on Entra's own page); the popup hands the code
 * back and this tab completes the sign-in with the admin's token. Several owners per tenant; an
 * owner whose refresh was refused signs in again the same way.
 */
export function OwnersPanel(props: {
  owners: OwnerView[];
  onChanged: () => void;
  authenticate?: (url: string) => Promise<string>;
}): ReactNode {
  const api = useApiClient();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const signIn = async () => {
    if (!props.authenticate) return;
    setError('');
    setBusy(true);
    try {
      const { startUrl } = await api.request<{ startUrl: string }>('POST', '/connections/owners/sign-in');
      const result = new URLSearchParams(await props.authenticate(`${window.location.origin}${startUrl}`));
      const code = result.get('code');
      if (code) await api.request('POST', '/connections/owners/sign-in/complete', { code, state: result.get('state') });
      else if (result.get('error')) setError(result.get('error_description') ?? result.get('error') ?? '');
      props.onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const connectMe = () =>
    api.request('POST', '/connections/owners/me').then(props.onChanged, (e: Error) => setError(e.message));
  return (
    <section aria-label="Subscription owners">
      {props.owners.length === 0 ? (
        <Text>No subscription owner connected yet.</Text>
      ) : (
        <ul>
          {props.owners.map((o) => (
            <li key={o.ownerId} data-owner={o.ownerId} data-signed-in={o.signedIn}>
              {o.userPrincipalName || o.ownerId}:{' '}
              {o.signedIn ? `signed in, ${o.subscriptionCount} subscription(s)` : `sign in again (${o.detail})`}
            </li>
          ))}
        </ul>
      )}
      <div style={{ display: 'flex', gap: 8 }}>
        {props.authenticate && (
          <Button appearance="primary" disabled={busy} onClick={() => void signIn()}>
            Sign in a subscription owner
          </Button>
        )}
        <Button onClick={() => void connectMe()}>Connect my account as owner</Button>
      </div>
      {error && <ErrorBar title="Owner not connected" message={error} />}
    </section>
  );
}
