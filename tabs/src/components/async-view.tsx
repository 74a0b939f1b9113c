import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { Loaded } from '../use-api.js';

/** Loading, error and empty states, the same on every page. */
export function AsyncView<T>(props: {
  state: Loaded<T>;
  label: string;
  isEmpty?: (v: T) => boolean;
  empty?: string;
  children: (v: T) => ReactNode;
}): ReactNode {
  const { state } = props;
  if (state.status === 'loading') return <Spinner size="small" label={`Loading ${props.label}…`} />;
  if (state.status === 'error')
    return <ErrorBar title={`Could not load ${props.label}`} message={state.error.message} />;
  if (props.isEmpty?.(state.value)) return <Text role="status">{props.empty ?? `No ${props.label} yet.`}</Text>;
  return <>{props.children(state.value)}</>;
}

export function ErrorBar(props: { title: string; message: string }): ReactNode {
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{props.title}</MessageBarTitle>
        {props.message}
      </MessageBarBody>
    </MessageBar>
  );
}
