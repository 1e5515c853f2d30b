import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeHubConnection } from '../test/fakeHub';
import { InboxHub, inboxHubConnector, type HubStatus } from './inboxHub';

// The real client is loaded lazily; here a stand-in records how it is built.
const built = vi.hoisted(() => ({ url: '', options: {} as Record<string, unknown>, delays: [] as (number | null)[], connection: null as unknown }));
vi.mock('@microsoft/signalr', async () => {
  const { FakeHubConnection: Fake } = await import('../test/fakeHub');
  class HubConnectionBuilder {
    withUrl(url: string, options: Record<string, unknown>) {
      built.url = url;
      built.options = options;
      return this;
    }
    withAutomaticReconnect(policy: { nextRetryDelayInMilliseconds: (ctx: { previousRetryCount: number }) => number | null }) {
      built.delays = [0, 1, 2, 3, 4, 10].map((n) => policy.nextRetryDelayInMilliseconds({ previousRetryCount: n }));
      return this;
    }
    configureLogging() {
      return this;
    }
    build() {
      built.connection = new Fake();
      return built.connection;
    }
  }
  return { HubConnectionBuilder, LogLevel: { Warning: 3 } };
});

const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('inboxHubConnector', () => {
  it('loads SignalR on start: /hubs/inbox with the cookie, endless reconnects, and the handlers registered before', async () => {
    const connection = inboxHubConnector.create();
    const seen: unknown[] = [];
    connection.on('conversationUpdated', (c) => seen.push(c));
    const reconnected = vi.fn();
    connection.onreconnected(reconnected);
    expect(built.connection).toBeNull();
    await connection.start();
    expect(built.url).toBe('/hubs/inbox');
    expect(built.options).toEqual({ withCredentials: true });
    expect(built.delays).toEqual([0, 2000, 5000, 10000, 30000, 30000]);
    const fake = built.connection as FakeHubConnection;
    expect(fake.started).toBe(1);
    fake.emit('conversationUpdated', { id: 1 } as never);
    expect(seen).toEqual([{ id: 1 }]);
    fake.restore();
    expect(reconnected).toHaveBeenCalled();
    await connection.invoke('JoinConversation', 4);
    expect(fake.joined()).toEqual([4]);
    await connection.stop();
    expect(fake.stopped).toBe(1);
  });
});

describe('InboxHub', () => {
  it('joins the watched conversation once live, switches groups, and rejoins plus resyncs after a reconnect', async () => {
    const conn = new FakeHubConnection();
    const hub = new InboxHub(conn);
    const statuses: HubStatus[] = [];
    const resync = vi.fn();
    hub.onStatus((s) => statuses.push(s));
    hub.onResync(resync);
    hub.watch(5);
    expect(conn.invocations).toEqual([]); // not connected yet
    hub.start();
    await flush();
    expect(hub.current).toBe('live');
    expect(conn.invocations).toEqual([['JoinConversation', 5]]);
    expect(resync).not.toHaveBeenCalled();

    hub.watch(6);
    expect(conn.invocations.slice(1)).toEqual([
      ['LeaveConversation', 5],
      ['JoinConversation', 6],
    ]);

    conn.drop();
    expect(hub.current).toBe('reconnecting');
    conn.restore();
    expect(hub.current).toBe('live');
    expect(conn.invocations.at(-1)).toEqual(['JoinConversation', 6]);
    expect(resync).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(['live', 'reconnecting', 'live']);
  });

  it("resyncs when the server says it missed events, and stops listening for that on stop", async () => {
    const conn = new FakeHubConnection();
    const hub = new InboxHub(conn);
    const resync = vi.fn();
    hub.onResync(resync);
    hub.start();
    await flush();
    conn.resync();
    expect(resync).toHaveBeenCalledTimes(1);
    hub.stop();
    expect([...(conn.handlers.get('resync') ?? [])]).toHaveLength(0);
  });

  it('delivers events to subscribers until they unsubscribe, and detaches on stop', async () => {
    const conn = new FakeHubConnection();
    const hub = new InboxHub(conn);
    const seen: number[] = [];
    const off = hub.on('messageStatus', (e) => seen.push(e.messageId));
    conn.emit('messageStatus', { conversationId: 1, messageId: 9, status: 'sent', errorCode: null, errorMessage: null, at: '2026-01-01T00:00:00Z' });
    off();
    conn.emit('messageStatus', { conversationId: 1, messageId: 10, status: 'sent', errorCode: null, errorMessage: null, at: '2026-01-01T00:00:00Z' });
    expect(seen).toEqual([9]);
    hub.stop();
    expect(conn.stopped).toBe(1);
    expect([...(conn.handlers.get('messageStatus') ?? [])]).toHaveLength(0);
  });

  it('retries a failed first connection, then resyncs', async () => {
    vi.useFakeTimers();
    const conn = new FakeHubConnection();
    let fail = true;
    conn.startResult = () => (fail ? Promise.reject(new Error('down')) : Promise.resolve());
    const hub = new InboxHub(conn);
    const resync = vi.fn();
    hub.onResync(resync);
    hub.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.current).toBe('offline');
    fail = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(conn.started).toBe(2);
    expect(hub.current).toBe('live');
    expect(resync).toHaveBeenCalledTimes(1);
    hub.stop();
  });

  it('starts again after SignalR gives up, but not after stop()', async () => {
    vi.useFakeTimers();
    const conn = new FakeHubConnection();
    const hub = new InboxHub(conn);
    hub.start();
    await vi.advanceTimersByTimeAsync(0);
    conn.close();
    expect(hub.current).toBe('offline');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(conn.started).toBe(2);
    expect(hub.current).toBe('live');
    hub.stop();
    conn.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(conn.started).toBe(2);
  });
});
