import { useEffect, useRef, useState } from 'react';
import type { Page } from '../api';

/** A page request: the list's query plus the paging fields this hook adds. */
type PageFetcher<T, Q> = (query: Q & { limit: number; cursor?: string }, signal?: AbortSignal) => Promise<Page<T>>;

/**
 * Cursor-paged list (contacts, audit log): reloads the first page whenever `query` changes (aborting the stale request)
 * and appends pages on "Load more". Shared so both pages keep the same loading, error and retry behaviour.
 */
export function useCursorList<T, Q extends object>(
  fetchPage: PageFetcher<T, Q>,
  query: Q,
  {
    pageSize,
    loadError,
    loadMoreError,
    clearErrorOnLoadMore = false,
  }: { pageSize: number; loadError: string; loadMoreError: string; clearErrorOnLoadMore?: boolean },
) {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  // Callers pass inline fetchers and messages; only the query (and a retry) should trigger a reload.
  const latest = useRef({ fetchPage, loadError });
  latest.current = { fetchPage, loadError };

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    latest.current
      .fetchPage({ ...query, limit: pageSize }, controller.signal)
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor ?? null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof Error ? err.message : latest.current.loadError);
        setLoading(false);
      });
    return () => controller.abort();
  }, [query, pageSize, reloadKey]);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    if (clearErrorOnLoadMore) setError(null);
    try {
      const page = await fetchPage({ ...query, limit: pageSize, cursor: nextCursor });
      setItems((prev) => [...prev, ...page.items]);
      setNextCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(err instanceof Error ? err.message : loadMoreError);
    } finally {
      setLoadingMore(false);
    }
  }

  const reload = () => setReloadKey((k) => k + 1);

  return { items, setItems, nextCursor, loading, loadingMore, error, loadMore, reload };
}
