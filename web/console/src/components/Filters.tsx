import type { ReactNode } from 'react';
import type { User } from '../api';

/**
 * A filter bar control: a plain label above its control. Lighter than Field's FieldShell (no hint, error or required
 * marker), which is all the list filters need.
 */
export function FilterField({ id, label, className, children }: { id: string; label: string; className?: string; children: ReactNode }) {
  return (
    <div className={className ? `${className} field` : 'field'}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {children}
    </div>
  );
}

/** A filter drop-down whose first option ("All …", "Anyone") means no filter. */
export function FilterSelect({
  id,
  label,
  value,
  onChange,
  emptyLabel,
  options,
  disabled,
  compact,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  emptyLabel: string;
  options: readonly { value: string; label: string }[];
  disabled?: boolean;
  /** The narrower style of the inbox's filter column. */
  compact?: boolean;
}) {
  return (
    <FilterField id={id} label={label}>
      <select id={id} className={compact ? 'input select select--compact' : 'input select'} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled}>
        <option value="">{emptyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FilterField>
  );
}

/** Users as filter options, by name (or email when they have none). */
export function userOptions(users: readonly User[] | null) {
  return (users ?? []).map((u) => ({ value: String(u.id), label: u.name || u.email }));
}
