import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  api,
  errorMessage,
  type ConversationCounts,
  type ConversationPage,
  type ConversationQuery,
  type ConversationSummary,
  type Message,
  type MessageStatusEvent,
  type Note,
} from '../api';
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
/** Counts are refetched this long after the last live change the console cannot account for itself… */
export const COUNTS_DEBOUNCE_MS = 500;
/** …but never later than this after the first one, however busy the inbox is. */
export const COUNTS_MAX_WAIT_MS = 3000;

/**
 * The conversation list: first page per filter set (keyset "Load more" after), status counts, and live updates that move,
 * update or drop rows. `keepId` (the open conversation) stays listed when it stops being unread.
 *
 * Tab counts follow live changes: a change of a conversation whose previous state is known is counted locally (it leaves one
 * tab and joins another); a conversation never seen before, or any change while a counts request is under way (its answer
 * may predate the change), makes the console refetch the counts (`limit=1`), debounced. A conversation created after the
 * counts were requested is counted at once, before that refetch confirms it.
 */
export function useConversationList(
  filters: InboxFilters,
  meId: number | string,
  keepId: number | null,
  { onFirstPage }: { onFirstPage?: (page: ConversationPage, query: ConversationQuery) => void } = {},
) {
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
  // Conversations changed live since the current first page was requested: a page never overwrites what they told us.
  const touched = useRef(new Set<number>());
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const context = useRef({ filters, meId, keepId, query, onFirstPage });
  context.current = { filters, meId, keepId, query, onFirstPage };
  const counting = useRef({
    timer: null as ReturnType<typeof setTimeout> | null,
    /** When the first change of the current debounce window asked for a refetch (0 = none waiting). */
    firstAskedAt: 0,
    /** Live changes that moved the counts or could not be counted; a counts answer is stale if this moved during its request. */
    changes: 0,
    /** The newest counts request (page or refetch); older answers are dropped. */
    seq: 0,
    /** Client time at which the counts shown were requested. */
    asOf: 0,
  });

  /** Remembers the server's versions, except of conversations a live change told us about since (those are newer). */
  const remember = (list: ConversationSummary[]) => list.forEach((c) => !touched.current.has(c.id) && known.current.set(c.id, c));

  /** Whether a conversation belongs in the shown list (the open one stays while read; rows already shown survive `q`). */
  const fits = useCallback((c: ConversationSummary, shown: boolean) => {
    const { filters: f, meId: me, keepId: keep } = context.current;
    return matchesFilters(c, f, me, { ignoreUnread: c.id === keep, wasShown: shown });
  }, []);

  const refetchCounts = useCallback(() => {
    const state = counting.current;
    state.timer = null;
    state.firstAskedAt = 0;
    const requested = context.current.query;
    const seq = ++state.seq;
    const changesAtStart = state.changes;
    const startedAt = Date.now();
    api.listConversations({ ...requested, limit: 1 }).then(
      (page) => {
        if (seq !== state.seq || context.current.query !== requested) return;
        state.asOf = startedAt;
        setCounts({ ...EMPTY_COUNTS, ...page.counts });
        if (state.changes !== changesAtStart) scheduleCounts();
      },
      () => {
        // Keep the counts shown; the next live change asks again.
      },
    );
  }, []);

  /** Asks for fresh counts soon: debounced, with a maximum wait so a busy inbox still gets them. */
  const scheduleCounts = useCallback(() => {
    const state = counting.current;
    const now = Date.now();
    if (!state.firstAskedAt) state.firstAskedAt = now;
    if (state.timer) clearTimeout(state.timer);
    const wait = Math.max(0, Math.min(COUNTS_DEBOUNCE_MS, state.firstAskedAt + COUNTS_MAX_WAIT_MS - now));
    state.timer = setTimeout(refetchCounts, wait);
  }, [refetchCounts]);

  useEffect(() => {
    const controller = new AbortController();
    const state = counting.current;
    // The first page brings its own counts: a refetch waiting or under way is for what was shown before.
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    state.firstAskedAt = 0;
    const seq = ++state.seq;
    const changesAtStart = state.changes;
    const startedAt = Date.now();
    touched.current = new Set();
    setLoading(true);
    setError(null);
    api
      .listConversations({ ...query, limit: LIST_PAGE }, controller.signal)
      .then((page) => {
        if (controller.signal.aborted) return;
        remember(page.items);
        // Live changes that arrived while the page was on its way win over it (a new conversation stays listed).
        let list = page.items;
        for (const id of touched.current) {
          const c = known.current.get(id);
          if (!c) continue;
          const shown = list.some((x) => x.id === id);
          list = fits(c, shown) ? placeConversation(list, c) : list.filter((x) => x.id !== id);
        }
        setItems(list);
        if (seq === state.seq) {
          state.asOf = startedAt;
          setCounts({ ...EMPTY_COUNTS, ...page.counts });
          if (state.changes !== changesAtStart) scheduleCounts();
        }
        setNextCursor(page.nextCursor ?? null);
        setLoading(false);
        context.current.onFirstPage?.(page, query);
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
      const state = counting.current;
      if (state.timer) clearTimeout(state.timer);
      state.seq++;
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
      // A conversation changed live since is shown as it is now, if it still belongs here.
      const fresh = page.items
        .map((c) => (touched.current.has(c.id) ? (known.current.get(c.id) ?? c) : c))
        .filter((c) => !touched.current.has(c.id) || fits(c, false));
      setItems((prev) => [...prev, ...fresh.filter((c) => !prev.some((p) => p.id === c.id))]);
      setNextCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, query]);

  /** A newer version of a conversation (hub event or an action's answer): moved, updated, added or dropped. */
  const applyUpdate = useCallback(
    (c: ConversationSummary) => {
      const { filters: f, meId: me } = context.current;
      const state = counting.current;
      const previous = known.current.get(c.id);
      known.current.set(c.id, c);
      touched.current.add(c.id);
      const shown = itemsRef.current.some((x) => x.id === c.id);
      const belongs = fits(c, shown);
      setItems((prev) => (belongs ? placeConversation(prev, c) : prev.filter((x) => x.id !== c.id)));

      if (previous) {
        const before = matchesFilters(previous, f, me, { ignoreStatus: true, wasShown: true });
        const after = matchesFilters(c, f, me, { ignoreStatus: true, wasShown: true });
        if (before !== after || (before && previous.status !== c.status)) {
          state.changes++;
          setCounts((n) => {
            const next = { ...n };
            if (before) next[previous.status] = Math.max(0, next[previous.status] - 1);
            if (after) next[c.status] = next[c.status] + 1;
            return next;
          });
        }
      } else {
        // Never seen: the counts may or may not include it. One created after they were asked for cannot be in them.
        state.changes++;
        const created = Date.parse(c.createdAt);
        if (state.asOf && created > state.asOf && matchesFilters(c, f, me, { ignoreStatus: true })) {
          setCounts((n) => ({ ...n, [c.status]: n[c.status] + 1 }));
        }
        scheduleCounts();
      }
    },
    [fits, scheduleCounts],
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
