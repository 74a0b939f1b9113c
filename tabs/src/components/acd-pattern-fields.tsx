import { Field, Select } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { AcdPattern, AcdTeam } from '../types.js';

export const ACD_KINDS = [
  'Available',
  'Unavailable',
  'AfterCallWork',
  'InboundContact',
  'OutboundContact',
  'InboundConsult',
  'OutboundConsult',
  'Dialer',
  'LoggedIn',
  'LoggedOut',
] as const;
export const KIND_LABEL: Readonly<Record<string, string>> = {
  InboundContact: 'On an inbound call',
  OutboundContact: 'On an outbound call',
  InboundConsult: 'Inbound consult',
  OutboundConsult: 'Outbound consult',
  AfterCallWork: 'After call work',
  Dialer: 'Dialer call',
  LoggedIn: 'Logged in',
  LoggedOut: 'Logged out',
};
const CONTACT_KINDS = ['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer'];
const COUNTERPARTS = [
  ['', 'anyone'],
  ['customer', 'a customer'],
  ['agent', 'another agent'],
  ['skill', 'a skill queue'],
] as const;

/** Unavailable codes every given team has (a rule may only use those: the API refuses the rest). */
export function sharedCodes(teams: AcdTeam[]): { id: string; name: string }[] {
  const [first, ...others] = teams;
  return (first?.codes ?? []).filter((c) => c.isActive && others.every((t) => t.codes.some((d) => d.id === c.id)));
}

/**
 * An ACD state pattern: the state, its unavailable code, and for a contact who is on the other end.
 * `label` prefixes every field's label ("ACD state 1", "No-sync state 2").
 */
export function AcdPatternFields(props: {
  label: string;
  pattern: AcdPattern;
  kinds: readonly string[];
  teams: AcdTeam[];
  /** Offer "any unavailable code" (not for a subscriber, which must set one code). */
  anyCode: boolean;
  error?: string | undefined;
  onChange: (p: AcdPattern) => void;
}): ReactNode {
  const { pattern, label } = props;
  const codes = sharedCodes(props.teams);
  const setKind = (kind: string): void =>
    props.onChange(
      kind === 'Unavailable'
        ? { kind, ...(codes[0] ? { codeId: codes[0].id } : {}) }
        : CONTACT_KINDS.includes(kind) && pattern.counterpart && CONTACT_KINDS.includes(pattern.kind)
          ? { kind, counterpart: pattern.counterpart }
          : { kind },
    );
  const known = codes.some((c) => c.id === pattern.codeId);
  return (
    <>
      <Field label={label} validationMessage={props.error}>
        <Select value={pattern.kind} onChange={(_e, d) => setKind(d.value)}>
          {!props.kinds.includes(pattern.kind) && <option value={pattern.kind}>{pattern.kind} (not valid here)</option>}
          {props.kinds.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k] ?? k}
            </option>
          ))}
        </Select>
      </Field>
      {pattern.kind === 'Unavailable' && (
        <Field label={label.replace(/^(ACD state|No-sync state)/, 'Unavailable code')}>
          <Select
            value={pattern.codeId ?? ''}
            onChange={(_e, d) =>
              props.onChange(d.value ? { kind: 'Unavailable', codeId: d.value } : { kind: 'Unavailable' })
            }
          >
            {(props.anyCode || pattern.codeId === undefined) && <option value="">Any unavailable code</option>}
            {pattern.codeId !== undefined && !known && (
              <option value={pattern.codeId}>{pattern.codeId} (not on every team in scope)</option>
            )}
            {codes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      {CONTACT_KINDS.includes(pattern.kind) && (
        <Field label={label.replace(/^(ACD state|No-sync state)/, 'With')}>
          <Select
            value={pattern.counterpart ?? ''}
            onChange={(_e, d) =>
              props.onChange(
                d.value
                  ? { kind: pattern.kind, counterpart: d.value as NonNullable<AcdPattern['counterpart']> }
                  : { kind: pattern.kind },
              )
            }
          >
            {COUNTERPARTS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Select>
        </Field>
      )}
    </>
  );
}
