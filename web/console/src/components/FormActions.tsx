import type { ReactNode } from 'react';

/** A form's submit button: disabled and relabelled (e.g. "Saving…") while the form is being sent. */
export function SubmitButton({
  busy,
  busyLabel,
  children,
  className = 'btn btn--primary',
  disabled = false,
}: {
  busy: boolean;
  busyLabel: string;
  children: ReactNode;
  className?: string;
  disabled?: boolean;
}) {
  return (
    <button type="submit" className={className} disabled={busy || disabled}>
      {busy ? busyLabel : children}
    </button>
  );
}

/** The Cancel + submit row that ends every form shown in a dialog. */
export function DialogFormActions({ onCancel, ...submit }: { onCancel: () => void } & Parameters<typeof SubmitButton>[0]) {
  return (
    <div className="form-actions">
      <button type="button" className="btn btn--secondary" onClick={onCancel}>
        Cancel
      </button>
      <SubmitButton {...submit} />
    </div>
  );
}
