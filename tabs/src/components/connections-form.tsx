import { Button, Field, Input, Text } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { ApiError, fieldError, unplacedErrors } from '../api-client.js';
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

type FieldName = 'issuerUrl' | 'clientId' | 'clientSecret' | 'accessKeyId' | 'accessKeySecret';
interface TestAnswer {
  ok: boolean;
  detail: string;
}

/** What the form shows at first: exactly what is stored (secrets are never shown, only whether they are set). */
const storedValues = (c: CxoneView): Record<FieldName, string> => ({
  issuerUrl: c.issuerUrl ?? '',
  clientId: c.clientId ?? '',
  clientSecret: '',
  accessKeyId: c.accessKeyId ?? '',
  accessKeySecret: '',
});

/**
 * CXone business unit credentials. The form shows what is stored; new values are tried first
 * (POST /connections/cxone/try) and stored only when CXone accepts them. An untouched form only
 * tests the stored connection: it never writes.
 */
export function CxoneForm(props: { current: CxoneView; onTested?: (ok: boolean) => void }): ReactNode {
  const api = useApiClient();
  const [current, setCurrent] = useState(props.current);
  const [v, setV] = useState(() => storedValues(props.current));
  const [changed, setChanged] = useState<ReadonlySet<FieldName>>(new Set());
  const [status, setStatus] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: FieldName, value: string): void => {
    setV({ ...v, [k]: value });
    setChanged(new Set([...changed, k]));
  };
  const field = (k: FieldName, label: string, o: { secret?: boolean; hint?: string } = {}) => (
    <Field label={label} hint={o.hint} validationMessage={fieldError(error, `/${k}`)}>
      <Input
        type={o.secret ? 'password' : 'text'}
        value={v[k]}
        autoComplete={o.secret ? 'new-password' : 'off'}
        onChange={(_e, d) => set(k, d.value)}
      />
    </Field>
  );
  const secretHint = (isSet: boolean | undefined) =>
    isSet ? 'Stored; leave empty to keep it.' : 'Not stored yet: required.';
  const untouched = current.configured && changed.size === 0;

  const saveAndTest = async (): Promise<void> => {
    setError(null);
    setBusy(true);
    try {
      if (untouched) {
        setStatus('Testing the stored connection…');
        const t = await api.request<TestAnswer>('POST', '/connections/cxone/test');
        setStatus(t.ok ? `Connection works: ${t.detail}` : `Connection failed: ${t.detail}`);
        props.onTested?.(t.ok);
        return;
      }
      const given = Object.fromEntries([...changed].filter((k) => v[k] !== '').map((k) => [k, v[k].trim()]));
      setStatus('Testing the new credentials…');
      const t = await api.request<TestAnswer>('POST', '/connections/cxone/try', given);
      if (!t.ok) {
        setStatus(`Connection failed: ${t.detail.replace(/\.$/, '')}. Nothing was saved.`);
        props.onTested?.(false);
        return;
      }
      const body = {
        clientId: v.clientId.trim(),
        accessKeyId: v.accessKeyId.trim(),
        ...(v.issuerUrl.trim() ? { issuerUrl: v.issuerUrl.trim() } : {}),
        ...(v.clientSecret ? { clientSecret: v.clientSecret } : {}),
        ...(v.accessKeySecret ? { accessKeySecret: v.accessKeySecret } : {}),
      };
      const saved = await api.request<CxoneView>('PUT', '/connections/cxone', body);
      setCurrent(saved);
      setV(storedValues(saved));
      setChanged(new Set());
      setStatus(`Connection works: ${t.detail}. Saved.`);
      props.onTested?.(true);
    } catch (e) {
      setStatus('');
      setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', (e as Error).message));
    } finally {
      setBusy(false);
    }
  };
  const unplaced = error
    ? unplacedErrors(error, ['/issuerUrl', '/clientId', '/clientSecret', '/accessKeyId', '/accessKeySecret'])
    : [];
  return (
    <form
      aria-label="CXone connection"
      onSubmit={(e) => {
        e.preventDefault();
        void saveAndTest();
      }}
      style={{ display: 'grid', gap: 8, maxWidth: 480 }}
    >
      <Text data-testid="cxone-stored">
        {current.configured
          ? `Stored: client id ${current.clientId ?? '—'}, access key id ${current.accessKeyId ?? '—'}, ${current.issuerUrl ? `issuer ${current.issuerUrl}` : "this deployment's CXone"}.`
          : 'No CXone connection is stored yet.'}
      </Text>
      {field('issuerUrl', 'CXone issuer URL', { hint: 'Leave empty for the CXone this deployment is set up for.' })}
      {field('clientId', 'Client id')}
      {field('clientSecret', 'Client secret', { secret: true, hint: secretHint(current.clientSecretSet) })}
      {field('accessKeyId', 'Access key id')}
      {field('accessKeySecret', 'Access key secret', {
        secret: true,
        hint: secretHint(current.accessKeySecretSet),
      })}
      <Button type="submit" appearance="primary" disabled={busy}>
        {untouched ? 'Test connection' : 'Save and test connection'}
      </Button>
      <Text role="status" data-testid="cxone-status">
        {status}
      </Text>
      {error && (
        <ErrorBar
          title="CXone connection not saved"
          message={[
            error.errors.length ? `${error.message} The fields concerned say why.` : error.message,
            ...unplaced,
          ].join(' · ')}
        />
      )}
    </form>
  );
}
