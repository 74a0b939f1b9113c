import { Button, Field, Input } from '@fluentui/react-components';
import { useEffect, useState, type ReactNode } from 'react';
import { useApiClient } from '../use-api.js';

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string;
}

/**
 * The people picker: Entra users whose name, UPN or mail starts with what the admin types, as that
 * admin may see them (the API searches on their behalf). Picking one links the agent to them.
 */
export function PeoplePicker(props: {
  label: string;
  onPick: (user: DirectoryUser) => void;
  onCancel: () => void;
}): ReactNode {
  const api = useApiClient();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<DirectoryUser[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) return setFound([]);
    let live = true;
    // Wait for a pause in typing: one directory search per word, not per keystroke.
    const timer = setTimeout(() => {
      api.get<{ items: DirectoryUser[] }>(`/directory/users?search=${encodeURIComponent(q)}`).then(
        (r) => {
          if (!live) return;
          setError('');
          setFound(r.items);
        },
        (e: Error) => live && setError(e.message),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query]);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
      <div style={{ display: 'flex', gap: 4, alignItems: 'end' }}>
        <Field label={props.label} validationMessage={error || undefined}>
          <Input placeholder="Name or UPN" value={query} onChange={(_e, d) => setQuery(d.value)} />
        </Field>
        <Button size="small" onClick={props.onCancel}>
          Cancel
        </Button>
      </div>
      {found.length > 0 && (
        <ul aria-label="People found" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {found.map((u) => (
            <li key={u.id}>
              <Button size="small" appearance="subtle" onClick={() => props.onPick(u)}>
                {u.displayName} ({u.userPrincipalName})
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
