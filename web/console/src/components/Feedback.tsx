import { useEffect, useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../api';

export function ErrorBanner({ title, children, onRetry }: { title?: string; children?: ReactNode; onRetry?: () => void }) {
  return (
    <div className="banner banner--error" role="alert">
      <div className="banner__body">
        {title && <strong className="banner__title">{title}</strong>}
        {children && <div>{children}</div>}
      </div>
      {onRetry && (
        <button type="button" className="btn btn--secondary btn--sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Top-of-form summary of a failed request: the problem detail plus any errors not shown next to a field. */
export function FormErrorBanner({ error, extra, children }: { error: unknown; extra?: string[]; children?: ReactNode }) {
  if (!error) return null;
  return (
    <ErrorBanner title={errorMessage(error)}>
      {extra && extra.length > 0 && (
        <ul className="banner__list">
          {extra.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      {children}
    </ErrorBanner>
  );
}

export function SuccessBanner({ children }: { children: ReactNode }) {
  return (
    <div className="banner banner--success" role="status">
      <div className="banner__body">{children}</div>
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({
  icon = '◎',
  title,
  children,
  actions,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty__icon" aria-hidden="true">
        {icon}
      </div>
      <h2 className="empty__title">{title}</h2>
      {children && <div className="empty__body">{children}</div>}
      {actions && <div className="empty__actions">{actions}</div>}
    </div>
  );
}

/** The page's h1. Receives focus when the page mounts so screen-reader and keyboard users land on the new page. */
export function PageHeader({
  title,
  description,
  actions,
  back,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  back?: ReactNode;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <header className="page-header">
      <div className="page-header__text">
        {back && <div className="page-header__back">{back}</div>}
        <h1 ref={ref} tabIndex={-1} className="page-header__title">
          {title}
        </h1>
        {description && <p className="page-header__description">{description}</p>}
      </div>
      {actions && <div className="page-header__actions">{actions}</div>}
    </header>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // Clipboard API unavailable (e.g. insecure context): fall back to a hidden textarea.
      const ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      try {
        document.execCommand('copy');
        setCopied(true);
      } finally {
        document.body.removeChild(ta);
      }
    }
  }

  return (
    <button type="button" className="btn btn--secondary btn--sm" onClick={copy}>
      {copied ? 'Copied' : label}
      <span className="visually-hidden" aria-live="polite">
        {copied ? ' — copied to clipboard' : ''}
      </span>
    </button>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'success' | 'warning' | 'danger' | 'info'; children: ReactNode }) {
  return <span className={`badge badge--${tone}`}>{children}</span>;
}

/** A secret (API key, password, webhook secret) shown once, with its warning and a copy button. */
export function SecretReveal({ warning, value, valueLabel, copyLabel }: { warning: ReactNode; value: string; valueLabel: string; copyLabel: string }) {
  return (
    <div className="secret">
      <p className="secret__warning" role="note">
        {warning}
      </p>
      <CopyRow value={value} valueLabel={valueLabel} copyLabel={copyLabel} />
    </div>
  );
}

/** A value to paste elsewhere (a key, a webhook URL) shown as code beside its copy button. */
export function CopyRow({ value, valueLabel, copyLabel }: { value: string; valueLabel: string; copyLabel: string }) {
  return (
    <div className="secret__row">
      <code className="secret__value" aria-label={valueLabel}>
        {value}
      </code>
      <CopyButton text={value} label={copyLabel} />
    </div>
  );
}
