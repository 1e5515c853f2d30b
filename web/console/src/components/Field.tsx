import type { InputHTMLAttributes, ReactNode, Ref, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';

export interface FieldChrome {
  id: string;
  label: string;
  required?: boolean;
  hint?: ReactNode;
  error?: string[];
  className?: string;
}

export function describedBy(id: string, hint: unknown, error: string[] | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error?.length ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** Label row + control + hint + error, wired together for assistive technology. */
function FieldShell({ id, label, required, hint, error, className, children }: FieldChrome & { children: ReactNode }) {
  return (
    <div className={`field${error?.length ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <div className="field__label-row">
        <label htmlFor={id} className="field__label">
          {label}
        </label>
        {required && (
          <span className="field__required" aria-hidden="true" title="Required">
            *
          </span>
        )}
      </div>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      <FieldError id={id} error={error} />
    </div>
  );
}

export function FieldError({ id, error }: { id: string; error?: string[] }) {
  if (!error?.length) return null;
  return (
    <p id={`${id}-error`} className="field__error">
      {error.join(' ')}
    </p>
  );
}

/**
 * Splits a field's props into the shell's (label, hint, error …) and the rest for the control, and adds the attributes
 * that wire the control to its label row: one place for the accessibility wiring of every field kind.
 */
function splitFieldProps<R extends object>({ id, label, required, hint, error, className, ...rest }: FieldChrome & R) {
  const chrome: FieldChrome = { id, label, required, hint, error, className };
  const control = {
    id,
    required,
    'aria-required': required || undefined,
    'aria-invalid': error?.length ? true : undefined,
    'aria-describedby': describedBy(id, hint, error),
  };
  return { chrome, rest, control };
}

type ControlRest<A> = Omit<A, 'id' | 'value' | 'onChange' | 'required' | 'className'>;
type ValueProps = { value: string; onChange: (value: string) => void };

export function TextField({
  value,
  onChange,
  inputRef,
  ...props
}: FieldChrome & ControlRest<InputHTMLAttributes<HTMLInputElement>> & ValueProps & { inputRef?: Ref<HTMLInputElement> }) {
  const { chrome, rest, control } = splitFieldProps(props);
  return (
    <FieldShell {...chrome}>
      <input {...rest} ref={inputRef} className="input" value={value} {...control} onChange={(e) => onChange(e.target.value)} />
    </FieldShell>
  );
}

export function TextAreaField({ value, onChange, ...props }: FieldChrome & ControlRest<TextareaHTMLAttributes<HTMLTextAreaElement>> & ValueProps) {
  const { chrome, rest, control } = splitFieldProps(props);
  return (
    <FieldShell {...chrome}>
      <textarea {...rest} className="input textarea" value={value} {...control} onChange={(e) => onChange(e.target.value)} />
    </FieldShell>
  );
}

export function SelectField({
  value,
  onChange,
  options,
  ...props
}: FieldChrome & ControlRest<SelectHTMLAttributes<HTMLSelectElement>> & ValueProps & { options: { value: string; label: string }[] }) {
  const { chrome, rest, control } = splitFieldProps(props);
  return (
    <FieldShell {...chrome}>
      <select {...rest} className="input select" value={value} {...control} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function CheckboxField({
  id,
  label,
  checked,
  onChange,
  hint,
  disabled,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
  disabled?: boolean;
}) {
  return (
    <div className="checkbox">
      <input
        type="checkbox"
        id={id}
        checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} className="field__hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/**
 * A fieldset of checkboxes choosing several ids (departments, members). `options` is null when they could not be loaded.
 * Checkbox ids are `${id}-${value}`; the error is `${id}-error`.
 */
export function CheckboxGroupField({
  id,
  legend,
  options,
  values,
  onChange,
  error,
  unavailableText,
  emptyText,
  className,
  hint,
}: {
  id: string;
  legend: string;
  options: { value: string; label: ReactNode }[] | null;
  values: string[];
  onChange: (values: string[]) => void;
  error?: string[];
  unavailableText: string;
  emptyText: string;
  className?: string;
  /** Shown under the legend and read with the group. */
  hint?: ReactNode;
}) {
  return (
    <fieldset className={`checkbox-group${className ? ` ${className}` : ''}`} aria-describedby={describedBy(id, hint, error)}>
      <legend className="field__label">{legend}</legend>
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {options === null && <p className="muted">{unavailableText}</p>}
      {options?.length === 0 && <p className="muted">{emptyText}</p>}
      {(options ?? []).map((o) => (
        <div className="checkbox" key={o.value}>
          <input
            type="checkbox"
            id={`${id}-${o.value}`}
            checked={values.includes(o.value)}
            onChange={(e) => onChange(e.target.checked ? [...values, o.value] : values.filter((x) => x !== o.value))}
          />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
      <FieldError id={id} error={error} />
    </fieldset>
  );
}
