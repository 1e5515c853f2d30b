import { useEffect, useRef, useState } from 'react';

/**
 * One record loaded by its route id (a detail page), shared so every detail page cancels on unmount and bumps
 * `formKey` (remounting its form with fresh values) the same way. With no id (a "new" page) there is nothing to load.
 * `replace` swaps in a saved or merged record and bumps `formKey` too.
 */
export function useRecord<T>(id: string | undefined, fetchRecord: (id: string) => Promise<T>) {
  const [record, setRecord] = useState<T | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loading, setLoading] = useState(id !== undefined);
  const [formKey, setFormKey] = useState(0);
  // Only a new id reloads, even when callers pass an inline function.
  const latestFetch = useRef(fetchRecord);
  latestFetch.current = fetchRecord;

  useEffect(() => {
    if (id === undefined) {
      setRecord(null);
      setLoading(false);
      return;
    }
    let cancelled = false;
    setLoading(true);
    setLoadError(null);
    latestFetch
      .current(id)
      .then((r) => {
        if (cancelled) return;
        setRecord(r);
        setFormKey((k) => k + 1);
      })
      .catch((err: unknown) => !cancelled && setLoadError(err))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [id]);

  function replace(next: T) {
    setRecord(next);
    setFormKey((k) => k + 1);
  }

  return { record, replace, loading, loadError, formKey };
}
