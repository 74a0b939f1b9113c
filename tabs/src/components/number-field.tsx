import { Field, Input } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';

/** Why `text` is not a whole number in [min, max], or undefined when it is. */
export function wholeNumberProblem(text: string, min: number, max: number, unit: string): string | undefined {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    return `Enter a whole number of ${unit} from ${min} to ${max}.`;
  return undefined;
}

/**
 * A whole-number input that never hands its form NaN or null: what the user types is kept as text,
 * and `onValid` sees only whole numbers within [min, max]; anything else is told under the field
 * and reported through `onValidity` so the form can hold its Save.
 */
export function NumberField(props: {
  label: string;
  hint?: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  unit: string;
  /** A problem the API reported for this field. */
  error?: string | undefined;
  onValid: (n: number) => void;
  onValidity?: (valid: boolean) => void;
}): ReactNode {
  const [text, setText] = useState(String(props.value));
  const problem = wholeNumberProblem(text, props.min, props.max, props.unit);
  return (
    <Field label={props.label} hint={props.hint} validationMessage={problem ?? props.error}>
      <Input
        type="number"
        inputMode="numeric"
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        value={text}
        onChange={(_e, d) => {
          setText(d.value);
          const bad = wholeNumberProblem(d.value, props.min, props.max, props.unit);
          props.onValidity?.(bad === undefined);
          if (bad === undefined) props.onValid(Number(d.value));
        }}
      />
    </Field>
  );
}
