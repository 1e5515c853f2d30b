import { useEffect, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { slugify } from './slug';

export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs]);
  return debounced;
}

/** A clock for relative times ("5m"), re-rendering every `intervalMs`. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** True when the event comes from somewhere the user is typing (so single-key shortcuts must not fire). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color'].includes(type);
  }
  return false;
}

/**
 * Single-key page shortcuts. The handler returns true when it handled the key.
 * Ignored while typing, with modifier keys, or while a modal dialog is open.
 */
export function useGlobalShortcut(handler: (key: string, event: KeyboardEvent) => boolean) {
  useEffect(() => {
    function onKeyDown(e: KeyboardEvent) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (handler(e.key, e)) e.preventDefault();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [handler]);
}

/**
 * Busy flag + last error around one async action (a form submit, a confirm button), so every form runs the same
 * "disable, clear the old error, try, keep the new error, re-enable" sequence.
 */
export function useAsyncAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return { busy, setBusy, error, setError, run };
}

/**
 * A workspace name and its slug: the slug follows the name (via slugify) until the user types a slug of their own;
 * clearing the slug makes it follow the name again. Shared by the setup page and the Platform page's "New workspace".
 */
export function useNameWithSlug() {
  const [name, setNameValue] = useState('');
  const [slug, setSlugValue] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);

  function setName(value: string) {
    setNameValue(value);
    if (!slugEdited) setSlugValue(slugify(value));
  }

  function setSlug(value: string) {
    setSlugEdited(value !== '');
    setSlugValue(value.toLowerCase());
  }

  return { name, setName, slug, setSlug };
}

/** A one-time message the previous page passed along with the navigation: `navigate(to, { state: { flash: '…' } })`. */
export function useFlash(): string | null {
  const location = useLocation();
  return (location.state as { flash?: string } | null)?.flash ?? null;
}
