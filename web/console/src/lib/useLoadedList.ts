import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../api';

/**
 * A small, unpaged list loaded once on mount (users, departments, API keys, past imports), with a `load` to retry.
 * `items` is null until the first load succeeds; pages update it in place after creating, editing or removing.
 */
export function useLoadedList<T>(fetchList: () => Promise<Page<T>>, describeError: (err: unknown) => string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // `load` must stay stable (it is an effect dependency here and in callers), even when callers pass inline functions.
  const latest = useRef({ fetchList, describeError });
  latest.current = { fetchList, describeError };

  const load = useCallback(() => {
    setError(null);
    latest.current.fetchList().then(
      (r) => setItems(r.items),
      (err: unknown) => setError(latest.current.describeError(err)),
    );
  }, []);
  useEffect(load, [load]);

  return { items, setItems, error, load };
}

/** An error's own message, or `fallback` for anything that is not an Error. */
export function messageOr(fallback: string): (err: unknown) => string {
  return (err) => (err instanceof Error ? err.message : fallback);
}
