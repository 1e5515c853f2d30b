import { useEffect, useId, useRef, type ReactNode } from 'react';
import { errorMessage } from '../api';
import { useAsyncAction } from '../lib/hooks';
import { ErrorBanner } from './Feedback';

/**
 * Modal dialog built on <dialog> + showModal(): the browser traps focus, makes the rest inert and closes on Escape
 * (the 'cancel' event, which we route to onClose so React state stays the source of truth).
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  size = 'md',
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  size?: 'sm' | 'md' | 'lg';
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const previouslyFocused = useRef<Element | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      previouslyFocused.current = document.activeElement;
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
      const prev = previouslyFocused.current;
      if (prev instanceof HTMLElement && prev.isConnected) prev.focus();
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog--${size}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        // Fallback for environments without native Escape handling.
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      {open && (
        <div className="dialog__inner">
          <header className="dialog__header">
            <h2 id={titleId} className="dialog__title">
              {title}
            </h2>
            <button type="button" className="btn btn--ghost btn--icon" aria-label="Close dialog" onClick={onClose}>
              ×
            </button>
          </header>
          {description && <div className="dialog__description">{description}</div>}
          <div className="dialog__body">{children}</div>
        </div>
      )}
    </dialog>
  );
}

export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  danger = false,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void> | void;
  onClose: () => void;
}) {
  const { busy, setBusy, error, setError, run } = useAsyncAction();

  useEffect(() => {
    if (open) {
      setBusy(false);
      setError(null);
    }
  }, [open]);

  function confirm() {
    return run(async () => {
      await onConfirm();
      onClose();
    });
  }

  return (
    <Dialog open={open} onClose={onClose} title={title} size="sm">
      {error ? <ErrorBanner title={errorMessage(error)} /> : null}
      <div className="dialog__message">{message}</div>
      <div className="form-actions">
        <button type="button" className="btn btn--secondary" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className={`btn ${danger ? 'btn--danger' : 'btn--primary'}`} onClick={confirm} disabled={busy} autoFocus>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/**
 * ConfirmDialog for an action on one list item (revoke, delete, remove): open while `item` is set, and the message and
 * action get that item, so pages need no null checks of their own.
 */
export function ConfirmItemDialog<T>({
  item,
  message,
  onConfirm,
  ...props
}: Omit<Parameters<typeof ConfirmDialog>[0], 'open' | 'message' | 'onConfirm'> & {
  item: T | null;
  message: (item: T) => ReactNode;
  onConfirm: (item: T) => Promise<void>;
}) {
  return (
    <ConfirmDialog
      {...props}
      open={item !== null}
      message={item !== null ? message(item) : null}
      onConfirm={async () => {
        if (item !== null) await onConfirm(item);
      }}
    />
  );
}
