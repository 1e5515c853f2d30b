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

type InputRest = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'required' | 'className'>;

export function TextField({
  id,
  label,
  required,
  hint,
  error,
  className,
  value,
  onChange,
  inputRef,
  ...rest
}: FieldChrome & InputRest & { value: string; onChange: (value: string) => void; inputRef?: Ref<HTMLInputElement> }) {
  return (
    <FieldShell id={id} label={label} required={required} hint={hint} error={error} className={className}>
      <input
        {...rest}
        ref={inputRef}
        id={id}
        className="input"
        value={value}
        required={required}
        aria-required={required || undefined}
        aria-invalid={error?.length ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onChange={(e) => onChange(e.target.value)}
      />
    </FieldShell>
  );
}

type TextAreaRest = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id' | 'value' | 'onChange' | 'required' | 'className'>;

export function TextAreaField({
  id,
  label,
  required,
  hint,
  error,
  className,
  value,
  onChange,
  ...rest
}: FieldChrome & TextAreaRest & { value: string; onChange: (value: string) => void }) {
  return (
    <FieldShell id={id} label={label} required={required} hint={hint} error={error} className={className}>
      <textarea
        {...rest}
        id={id}
        className="input textarea"
        value={value}
        required={required}
        aria-required={required || undefined}
        aria-invalid={error?.length ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onChange={(e) => onChange(e.target.value)}
      />
    </FieldShell>
  );
}

type SelectRest = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'value' | 'onChange' | 'required' | 'className'>;

export function SelectField({
  id,
  label,
  required,
  hint,
  error,
  className,
  value,
  onChange,
  options,
  ...rest
}: FieldChrome &
  SelectRest & { value: string; onChange: (value: string) => void; options: { value: string; label: string }[] }) {
  return (
    <FieldShell id={id} label={label} required={required} hint={hint} error={error} className={className}>
      <select
        {...rest}
        id={id}
        className="input select"
        value={value}
        required={required}
        aria-required={required || undefined}
        aria-invalid={error?.length ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onChange={(e) => onChange(e.target.value)}
      >
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
