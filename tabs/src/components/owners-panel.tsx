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

/** Subscription owner accounts (Graph subscriptions run as them); connect the signed-in admin. */
export function OwnersPanel(props: { owners: OwnerView[]; onChanged: () => void }): ReactNode {
  const api = useApiClient();
  const [error, setError] = useState('');
  const connect = () =>
    api.request('POST', '/connections/owners/me').then(props.onChanged, (e: Error) => setError(e.message));
  return (
    <section aria-label="Subscription owners">
      {props.owners.length === 0 ? (
        <Text>No subscription owner connected yet.</Text>
      ) : (
        <ul>
          {props.owners.map((o) => (
            <li key={o.ownerId}>
              {o.userPrincipalName || o.ownerId}:{' '}
              {o.signedIn ? `signed in, ${o.subscriptionCount} subscription(s)` : `sign-in needed (${o.detail})`}
            </li>
          ))}
        </ul>
      )}
      <Button onClick={() => void connect()}>Connect my account as owner</Button>
      {error && <ErrorBar title="Owner not connected" message={error} />}
    </section>
  );
}
