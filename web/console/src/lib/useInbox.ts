import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, errorMessage, type ConversationCounts, type ConversationSummary, type Message, type MessageStatusEvent, type Note } from '../api';
import {
  applyMessageStatus,
  EMPTY_COUNTS,
  matchesFilters,
  mergeMessages,
  placeConversation,
  toConversationQuery,
  type InboxFilters,
} from './inbox';

const LIST_PAGE = 25;
const THREAD_PAGE = 30;

/**
 * The conversation list: first page per filter set (keyset "Load more" after), status counts, and live updates that move,
 * update or drop rows. `keepId` (the open conversation) stays listed when it stops being unread.
 */
export function useConversationList(filters: InboxFilters, meId: number | string, keepId: number | null) {
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [counts, setCounts] = useState<ConversationCounts>(EMPTY_COUNTS);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const query = useMemo(() => toConversationQuery(filters), [filters]);
  // Everything seen, so an update knows the status it moves a conversation out of (for the tab counts).
  const known = useRef(new Map<number, ConversationSummary>());
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const context = useRef({ filters, meId, keepId, query });
  context.current = { filters, meId, keepId, query };
  const countsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const remember = (list: ConversationSummary[]) => list.forEach((c) => known.current.set(c.id, c));

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api
      .listConversations({ ...query, limit: LIST_PAGE }, controller.signal)
      .then((page) => {
        remember(page.items);
        setItems(page.items);
        setCounts({ ...EMPTY_COUNTS, ...page.counts });
        setNextCursor(page.nextCursor ?? null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(errorMessage(err));
        setLoading(false);
      });
    return () => controller.abort();
  }, [query, reloadKey]);

  useEffect(
    () => () => {
      if (countsTimer.current) clearTimeout(countsTimer.current);
    },
    [],
  );

  const loadMore = useCallback(async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    setError(null);
    try {
      const page = await api.listConversations({ ...query, limit: LIST_PAGE, cursor: nextCursor });
      remember(page.items);
      setItems((prev) => [...prev, ...page.items.filter((c) => !prev.some((p) => p.id === c.id))]);
      setNextCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, query]);

  /** Counts for a change the console cannot account for itself (a conversation it never saw before). */
  const refreshCountsSoon = useCallback(() => {
    if (countsTimer.current) clearTimeout(countsTimer.current);
    countsTimer.current = setTimeout(() => {
      countsTimer.current = null;
      api.listConversations({ ...context.current.query, limit: 1 }).then(
        (page) => setCounts({ ...EMPTY_COUNTS, ...page.counts }),
        () => {},
      );
    }, 1500);
  }, []);

  /** A newer version of a conversation (hub event or an action's answer): moved, updated, added or dropped. */
  const applyUpdate = useCallback(
    (c: ConversationSummary) => {
      const { filters: f, meId: me, keepId: keep } = context.current;
      const previous = known.current.get(c.id);
      known.current.set(c.id, c);
      const shown = itemsRef.current.some((x) => x.id === c.id);
      const fits = matchesFilters(c, f, me, { ignoreUnread: c.id === keep, wasShown: shown });
      setItems((prev) => (fits ? placeConversation(prev, c) : prev.filter((x) => x.id !== c.id)));

      if (previous) {
        const before = matchesFilters(previous, f, me, { ignoreStatus: true, wasShown: true });
        const after = matchesFilters(c, f, me, { ignoreStatus: true, wasShown: true });
        if (before !== after || previous.status !== c.status) {
          setCounts((n) => {
            const next = { ...n };
            if (before) next[previous.status] = Math.max(0, next[previous.status] - 1);
            if (after) next[c.status] = next[c.status] + 1;
            return next;
          });
        }
      } else {
        refreshCountsSoon();
      }
    },
    [refreshCountsSoon],
  );

  /** A local change to a listed (or known) conversation, e.g. unread → 0 after reading, a new message's preview. */
  const patch = useCallback(
    (id: number, change: (c: ConversationSummary) => ConversationSummary) => {
      const current = known.current.get(id);
      if (current) applyUpdate(change(current));
    },
    [applyUpdate],
  );

  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  return { items, counts, nextCursor, loading, loadingMore, error, loadMore, reload, applyUpdate, patch };
}

/** One conversation's messages: the newest page first, "Load earlier" backwards, live upserts and status updates. */
export function useThread(conversationId: number | null) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const current = useRef(conversationId);
  current.current = conversationId;

  useEffect(() => {
    setMessages([]);
    setOlderCursor(null);
    setError(null);
    if (conversationId === null) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    api
      .listMessages(conversationId, { limit: THREAD_PAGE }, controller.signal)
      .then((page) => {
        // Events that arrived while loading are kept (merged by id).
        setMessages((prev) => mergeMessages(prev, page.items));
        setOlderCursor(page.nextCursor ?? null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(errorMessage(err));
        setLoading(false);
      });
    return () => controller.abort();
  }, [conversationId, reloadKey]);

  const loadEarlier = useCallback(async () => {
    if (conversationId === null || !olderCursor) return;
    setLoadingEarlier(true);
    setError(null);
    try {
      const page = await api.listMessages(conversationId, { before: olderCursor, limit: THREAD_PAGE });
      if (current.current !== conversationId) return;
      setMessages((prev) => mergeMessages(prev, page.items));
      setOlderCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoadingEarlier(false);
    }
  }, [conversationId, olderCursor]);

  /** After a reconnect: the newest page again, merged into what is shown (older pages stay). */
  const resync = useCallback(() => {
    const id = current.current;
    if (id === null) return;
    api.listMessages(id, { limit: THREAD_PAGE }).then(
      (page) => {
        if (current.current === id) setMessages((prev) => mergeMessages(prev, page.items));
      },
      () => {},
    );
  }, []);

  const upsert = useCallback((m: Message) => {
    if (m.conversationId !== current.current) return;
    setMessages((prev) => mergeMessages(prev, [m]));
  }, []);
  /** Swaps an optimistic message for the server's. */
  const replace = useCallback((tempId: number, m: Message) => {
    setMessages((prev) => mergeMessages(prev.filter((x) => x.id !== tempId), m.conversationId === current.current ? [m] : []));
  }, []);
  const remove = useCallback((id: number) => setMessages((prev) => prev.filter((m) => m.id !== id)), []);
  const applyStatus = useCallback((e: MessageStatusEvent) => {
    if (e.conversationId !== current.current) return;
    setMessages((prev) => applyMessageStatus(prev, e));
  }, []);
  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  return { messages, hasEarlier: !!olderCursor, loading, loadingEarlier, error, loadEarlier, resync, upsert, replace, remove, applyStatus, reload };
}

/** Pinned first, then newest (as the server answers). */
export function sortNotes(notes: Note[]): Note[] {
  return [...notes].sort((a, b) => Number(b.isPinned) - Number(a.isPinned) || Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
}

/** The open conversation's notes, shared by the side panel and the composer's "Internal note". */
export function useNotes(conversationId: number | null) {
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  useEffect(() => {
    setNotes(null);
    setError(null);
    if (conversationId === null) return;
    let cancelled = false;
    api.listNotes(conversationId).then(
      (r) => !cancelled && setNotes(sortNotes(r.items)),
      (err: unknown) => !cancelled && setError(errorMessage(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [conversationId, reloadKey]);

  const upsert = useCallback((n: Note) => setNotes((prev) => sortNotes([...(prev ?? []).filter((x) => x.id !== n.id), n])), []);
  const remove = useCallback((id: number) => setNotes((prev) => (prev ?? []).filter((x) => x.id !== id)), []);
  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  return { notes, error, upsert, remove, reload };
}
