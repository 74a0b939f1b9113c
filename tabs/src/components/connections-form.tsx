import { Button, Field, Input, Text } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { ErrorBar } from './async-view.js';
import { useApiClient } from '../use-api.js';

export interface CxoneView {
  configured: boolean;
  issuerUrl?: string | null;
  clientId?: string | null;
  accessKeyId?: string | null;
  clientSecretSet?: boolean;
  accessKeySecretSet?: boolean;
}

/** CXone business unit credentials: store (secrets write-only) and test the connection. */
export function CxoneForm(props: { current: CxoneView; onTested?: (ok: boolean) => void }): ReactNode {
  const api = useApiClient();
  const [v, setV] = useState({
    issuerUrl: props.current.issuerUrl ?? 'https://cxone.niceincontact.com',
    clientId: props.current.clientId ?? '',
    clientSecret: '',
    accessKeyId: props.current.accessKeyId ?? '',
    accessKeySecret: '',
  });
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const field = (k: keyof typeof v, label: string, secret = false, isSet = false) => (
    <Field label={label} hint={secret && isSet ? 'Stored; leave empty to keep it.' : undefined}>
      <Input type={secret ? 'password' : 'text'} value={v[k]} onChange={(_e, d) => setV({ ...v, [k]: d.value })} />
    </Field>
  );
  const saveAndTest = async (): Promise<void> => {
    setError('');
    setStatus('Saving…');
    const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ''));
    try {
      await api.request('PUT', '/connections/cxone', body);
      const t = await api.request<{ ok: boolean; detail: string }>('POST', '/connections/cxone/test');
      setStatus(t.ok ? `Connection works: ${t.detail}` : `Connection failed: ${t.detail}`);
      props.onTested?.(t.ok);
    } catch (e) {
      setStatus('');
      setError((e as Error).message);
    }
  };
  return (
    <form
      aria-label="CXone connection"
      onSubmit={(e) => {
        e.preventDefault();
        void saveAndTest();
      }}
      style={{ display: 'grid', gap: 8, maxWidth: 480 }}
    >
      {field('issuerUrl', 'CXone issuer URL')}
      {field('clientId', 'Client id')}
      {field('clientSecret', 'Client secret', true, props.current.clientSecretSet)}
      {field('accessKeyId', 'Access key id')}
      {field('accessKeySecret', 'Access key secret', true, props.current.accessKeySecretSet)}
      <Button type="submit" appearance="primary">
        Save and test connection
      </Button>
      <Text role="status" data-testid="cxone-status">
        {status}
      </Text>
      {error && <ErrorBar title="CXone connection not saved" message={error} />}
    </form>
  );
}
