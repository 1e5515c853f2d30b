import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, type ConversationCounts, type ConversationPage, type ConversationSummary } from '../api';
import { conversation, counts } from '../test/inboxFixtures';
import { DEFAULT_FILTERS, type InboxFilters } from './inbox';
import { COUNTS_DEBOUNCE_MS, COUNTS_MAX_WAIT_MS, useConversationList } from './useInbox';

/** A stand-in for the server's list: what it holds now, answered to every request (counts with every filter but status). */
let server: { items: ConversationSummary[]; counts: ConversationCounts };
const NEW_TAB: InboxFilters = { ...DEFAULT_FILTERS, status: 'new' };
const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

const listCalls = () => vi.mocked(api.listConversations).mock.calls;
const countRequests = () => listCalls().filter(([q]) => q.limit === 1);

async function advance(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

async function renderList(filters: InboxFilters = NEW_TAB) {
  const hook = renderHook(() => useConversationList(filters, 7, null));
  await advance(0);
  return hook;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  server = { items: [], counts: counts() };
  vi.spyOn(api, 'listConversations').mockImplementation(async (q) => ({
    items: server.items.filter((c) => c.status === q.status).slice(0, q.limit ?? 25),
    nextCursor: null,
    counts: { ...server.counts },
  }));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('useConversationList counts', () => {
  it('counts a conversation created after the counts were asked for at once, and confirms with a debounced refetch', async () => {
    const { result } = await renderList();
    expect(result.current.counts.new).toBe(0);
    expect(listCalls()).toHaveLength(1);

    await advance(10_000);
    const fresh = conversation(5, { status: 'new', createdAt: at(9), lastMessageAt: at(9), unreadCount: 1 });
    server = { items: [fresh], counts: counts({ new: 1 }) };
    act(() => result.current.applyUpdate(fresh));
    expect(result.current.items.map((c) => c.id)).toEqual([5]);
    expect(result.current.counts.new).toBe(1);

    await advance(COUNTS_DEBOUNCE_MS - 1);
    expect(countRequests()).toHaveLength(0);
    await advance(1);
    expect(countRequests()).toHaveLength(1);
    expect(countRequests()[0][0]).toEqual(expect.objectContaining({ status: 'new', limit: 1 }));
    expect(result.current.counts.new).toBe(1);
  });

  it('refetches the counts for a conversation it never saw that may already be in them', async () => {
    server = { items: [], counts: counts({ open: 2 }) };
    const { result } = await renderList({ ...DEFAULT_FILTERS, status: 'open' });
    // Created long before the counts were asked for: they may include it, so nothing is guessed.
    const older = conversation(8, { status: 'open', createdAt: at(-3600), lastMessageAt: at(1) });
    server = { items: [older], counts: counts({ open: 3 }) };
    act(() => result.current.applyUpdate(older));
    expect(result.current.items.map((c) => c.id)).toEqual([8]);
    expect(result.current.counts.open).toBe(2);
    await advance(COUNTS_DEBOUNCE_MS);
    expect(result.current.counts.open).toBe(3);
  });

  it('keeps a busy inbox’s counts current: a refetch at the latest after the maximum wait', async () => {
    const { result } = await renderList();
    for (let i = 0; i < 12; i++) {
      const c = conversation(100 + i, { status: 'new', createdAt: at(-60), lastMessageAt: at(i) });
      server = { items: [...server.items, c], counts: counts({ new: i + 1 }) };
      act(() => result.current.applyUpdate(c));
      await advance(COUNTS_DEBOUNCE_MS - 100);
    }
    // Twelve changes, each within the debounce of the last: still refetched every COUNTS_MAX_WAIT_MS.
    expect(countRequests().length).toBeGreaterThanOrEqual(Math.floor((12 * (COUNTS_DEBOUNCE_MS - 100)) / COUNTS_MAX_WAIT_MS));
    await advance(COUNTS_DEBOUNCE_MS);
    expect(result.current.counts.new).toBe(12);
    expect(result.current.items).toHaveLength(12);
  });

  it('counts a known conversation’s move between tabs locally, without asking the server', async () => {
    const mine = conversation(1, { status: 'new', createdAt: at(-60) });
    server = { items: [mine], counts: counts({ new: 1 }) };
    const { result } = await renderList();
    act(() => result.current.applyUpdate({ ...mine, status: 'open' }));
    expect(result.current.items).toEqual([]);
    expect(result.current.counts).toEqual(counts({ new: 0, open: 1 }));
    await advance(COUNTS_MAX_WAIT_MS * 2);
    expect(countRequests()).toHaveLength(0);
  });

  it('keeps a conversation that arrived while the first page was on its way, and asks for the counts again', async () => {
    let answer: (p: ConversationPage) => void = () => {};
    vi.mocked(api.listConversations).mockImplementationOnce(() => new Promise((r) => (answer = r)));
    const { result } = renderHook(() => useConversationList(NEW_TAB, 7, null));
    const fresh = conversation(5, { status: 'new', createdAt: at(1), lastMessageAt: at(1) });
    act(() => result.current.applyUpdate(fresh));
    server = { items: [fresh], counts: counts({ new: 1 }) };
    // The page was put together before the conversation existed.
    await act(async () => answer({ items: [], nextCursor: null, counts: counts() }));
    expect(result.current.items.map((c) => c.id)).toEqual([5]);
    await advance(COUNTS_DEBOUNCE_MS);
    expect(countRequests()).toHaveLength(1);
    expect(result.current.counts.new).toBe(1);
  });

  it('asks again when a counted change happened while a reload was on its way (its answer may predate the change)', async () => {
    const mine = conversation(1, { status: 'new', createdAt: at(-60) });
    server = { items: [mine], counts: counts({ new: 1 }) };
    const { result } = await renderList();
    let answer: (p: ConversationPage) => void = () => {};
    vi.mocked(api.listConversations).mockImplementationOnce(() => new Promise((r) => (answer = r)));
    act(() => result.current.reload()); // e.g. after a reconnect
    await advance(0);
    act(() => result.current.applyUpdate({ ...mine, status: 'open' }));
    server = { items: [{ ...mine, status: 'open' }], counts: counts({ open: 1 }) };
    await act(async () => answer({ items: [mine], nextCursor: null, counts: counts({ new: 1 }) }));
    // The live change wins over the older page…
    expect(result.current.items).toEqual([]);
    // …and the counts are asked for again.
    await advance(COUNTS_DEBOUNCE_MS);
    expect(countRequests()).toHaveLength(1);
    expect(result.current.counts).toEqual(counts({ open: 1 }));
  });

  it('drops a counts answer for filters that are no longer shown', async () => {
    const { result, rerender } = renderHook(({ f }) => useConversationList(f, 7, null), { initialProps: { f: NEW_TAB } });
    await advance(0);
    act(() => result.current.applyUpdate(conversation(5, { status: 'new', createdAt: at(-60) })));
    let answer: (p: ConversationPage) => void = () => {};
    vi.mocked(api.listConversations).mockImplementationOnce(() => new Promise((r) => (answer = r)));
    await advance(COUNTS_DEBOUNCE_MS);
    expect(countRequests()).toHaveLength(1);
    server = { items: [], counts: counts({ new: 4, open: 6 }) };
    rerender({ f: { ...NEW_TAB, assignee: 'me' } });
    await advance(0);
    expect(result.current.counts).toEqual(counts({ new: 4, open: 6 }));
    await act(async () => answer({ items: [], nextCursor: null, counts: counts({ new: 99 }) }));
    expect(result.current.counts.new).toBe(4);
  });
});
