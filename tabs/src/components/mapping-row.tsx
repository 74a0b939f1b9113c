import { Button, Field, Select } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { AcdTeam, Direction, Mapping, Presences, TeamsPattern } from '../types.js';
import { ACD_KINDS, AcdPatternFields } from './acd-pattern-fields.js';

const key = (p: TeamsPattern): string => `${p.availability}/${p.activity ?? ''}`;

/** "Busy / InACall"; "Available" when the activity repeats the availability; "Busy (any activity)" without one. */
export const presenceLabel = (p: TeamsPattern): string =>
  !p.activity
    ? `${p.availability} (any activity)`
    : p.activity !== p.availability
      ? `${p.availability} / ${p.activity}`
      : p.availability;

/**
 * Only presences the rule can use: a publisher sets presence through a Graph session (only the
 * session pairs are settable); a subscriber matches what Teams reports (preferred + session pairs).
 */
export function teamsChoices(direction: Direction, presences: Presences): TeamsPattern[] {
  const all = direction === 'subscriber' ? [...presences.preferred, ...presences.session] : presences.session;
  return all.filter((p, i) => all.findIndex((q) => key(q) === key(p)) === i);
}

/** A subscriber can only put an agent into Available or an unavailable code (the ACD decides the rest). */
export function acdChoices(direction: Direction): readonly string[] {
  return direction === 'subscriber' ? ['Available', 'Unavailable'] : ACD_KINDS;
}

export function MappingRow(props: {
  index: number;
  mapping: Mapping;
  direction: Direction;
  teams: AcdTeam[];
  presences: Presences;
  /** The API's problems with this mapping (per-field errors under /mappings/<index>). */
  error?: string | undefined;
  onChange: (m: Mapping) => void;
  onRemove: () => void;
}): ReactNode {
  const { mapping, index } = props;
  const choices = teamsChoices(props.direction, props.presences);
  return (
    <fieldset
      aria-label={`Mapping ${index + 1}`}
      className="ps-row"
      style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'end', border: 'none', padding: 0, margin: 0 }}
    >
      <AcdPatternFields
        label={`ACD state ${index + 1}`}
        pattern={mapping.acd}
        kinds={acdChoices(props.direction)}
        teams={props.teams}
        anyCode={props.direction !== 'subscriber'}
        error={props.error}
        onChange={(acd) => props.onChange({ ...mapping, acd })}
      />
      <Field label={`Teams presence ${index + 1}`}>
        <Select
          value={key(mapping.teams)}
          onChange={(_e, d) =>
            props.onChange({ ...mapping, teams: choices.find((c) => key(c) === d.value) ?? mapping.teams })
          }
        >
          {!choices.some((c) => key(c) === key(mapping.teams)) && (
            <option value={key(mapping.teams)}>{presenceLabel(mapping.teams)} (not valid here)</option>
          )}
          {choices.map((c) => (
            <option key={key(c)} value={key(c)}>
              {presenceLabel(c)}
            </option>
          ))}
        </Select>
      </Field>
      <Button aria-label={`Remove mapping ${index + 1}`} onClick={props.onRemove}>
        Remove
      </Button>
    </fieldset>
  );
}
