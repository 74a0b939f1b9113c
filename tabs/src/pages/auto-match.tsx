import { Button, Text } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { ErrorBar } from '../components/async-view.js';
import { useApiClient } from '../use-api.js';

interface Preview {
  proposals: { agentId: string; teamsUserId: string; userPrincipalName: string; matchedBy: string }[];
  conflicts: { agentId: string; reason: string; candidateUserIds: string[] }[];
  unmatched: string[];
}

/** Auto-match: preview the proposed links (and conflicts), then apply exactly the previewed pairs. */
export function AutoMatch(props: { onApplied: () => void }): ReactNode {
  const api = useApiClient();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState('');
  const [error, setError] = useState('');
  const guard = (p: Promise<void>): void => {
    setError('');
    p.catch((e: Error) => setError(e.message));
  };
  const load = () =>
    guard(
      api.request<Preview>('POST', '/users/auto-match/preview').then((p) => {
        setPreview(p);
        setResult('');
      }),
    );
  const apply = (p: Preview) =>
    guard(
      api
        .request<{ applied: string[]; rejected: unknown[] }>('POST', '/users/auto-match/apply', {
          pairs: p.proposals.map(({ agentId, teamsUserId }) => ({ agentId, teamsUserId })),
        })
        .then((r) => {
          setResult(`${r.applied.length} linked, ${r.rejected.length} rejected`);
          setPreview(null);
          props.onApplied();
        }),
    );
  return (
    <section aria-label="Auto-match" style={{ margin: '8px 0' }}>
      <Button onClick={load}>Preview auto-match</Button>
      {error && <ErrorBar title="Auto-match failed" message={error} />}
      {result && <Text role="status"> {result}</Text>}
      {preview && (
        <div data-testid="auto-match-preview">
          <Text weight="semibold">
            {preview.proposals.length} proposed, {preview.conflicts.length} conflicts, {preview.unmatched.length}{' '}
            unmatched
          </Text>
          <ul>
            {preview.proposals.map((p) => (
              <li key={p.agentId}>
                {p.agentId} → {p.userPrincipalName} (by {p.matchedBy})
              </li>
            ))}
            {preview.conflicts.map((c) => (
              <li key={c.agentId}>
                Conflict: {c.agentId} ({c.reason}: {c.candidateUserIds.join(', ')})
              </li>
            ))}
          </ul>
          <Button appearance="primary" disabled={preview.proposals.length === 0} onClick={() => apply(preview)}>
            Link {preview.proposals.length} proposed
          </Button>
        </div>
      )}
    </section>
  );
}
