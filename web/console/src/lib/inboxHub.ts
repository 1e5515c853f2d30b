import { useEffect, useRef, useState } from 'react';
import type { AssignmentChangedEvent, ConversationSummary, MessageCreatedEvent, MessageStatusEvent } from '../api';

/*
 * Real time for the inbox: the SignalR hub at /hubs/inbox (docs/inbox-api.md "Real time"), authenticated by the cookie
 * session. The server puts the connection in its tenant's and agent's groups; the client joins the open conversation's group
 * with JoinConversation / LeaveConversation, and joins it again after every reconnect (groups belong to a connection).
 */

export const INBOX_HUB_URL = '/hubs/inbox';

/** The events the hub sends, one argument each. */
export interface InboxHubEvents {
  messageCreated: MessageCreatedEvent;
  messageStatus: MessageStatusEvent;
  conversationUpdated: ConversationSummary;
  assignmentChanged: AssignmentChangedEvent;
}
export type InboxHubEventName = keyof InboxHubEvents;
export const INBOX_HUB_EVENTS: InboxHubEventName[] = ['messageCreated', 'messageStatus', 'conversationUpdated', 'assignmentChanged'];

/** The part of @microsoft/signalr's HubConnection used here, so tests can hand in a fake. */
export interface HubConnectionLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  on(method: string, handler: (arg: unknown) => void): void;
  off(method: string, handler: (arg: unknown) => void): void;
  invoke(method: string, ...args: unknown[]): Promise<unknown>;
  onreconnecting(callback: (error?: Error) => void): void;
  onreconnected(callback: (connectionId?: string) => void): void;
  onclose(callback: (error?: Error) => void): void;
}

/** connecting: first attempt; live: connected; reconnecting: lost, SignalR is retrying; offline: could not connect, retrying later. */
export type HubStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Delays between reconnect attempts; the last one repeats for as long as the page is open. */
export const RETRY_DELAYS_MS = [0, 2_000, 5_000, 10_000, 30_000];
const retryDelay = (attempt: number) => RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];

/**
 * A HubConnectionLike that loads @microsoft/signalr on first start (its own chunk, fetched only by pages that go live) and
 * replays the handlers registered before.
 */
class LazySignalRConnection implements HubConnectionLike {
  private connection: Promise<HubConnectionLike> | null = null;
  private readonly handlers: [string, (arg: unknown) => void][] = [];
  private readonly lifecycle: { reconnecting: ((e?: Error) => void)[]; reconnected: ((id?: string) => void)[]; close: ((e?: Error) => void)[] } = {
    reconnecting: [],
    reconnected: [],
    close: [],
  };
  private built: HubConnectionLike | null = null;

  constructor(private readonly url: string) {}

  private load(): Promise<HubConnectionLike> {
    this.connection ??= import('@microsoft/signalr').then(({ HubConnectionBuilder, LogLevel }) => {
      const c = new HubConnectionBuilder()
        .withUrl(this.url, { withCredentials: true })
        .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => retryDelay(ctx.previousRetryCount) })
        .configureLogging(LogLevel.Warning)
        .build();
      for (const [method, handler] of this.handlers) c.on(method, handler);
      this.lifecycle.reconnecting.forEach((cb) => c.onreconnecting(cb));
      this.lifecycle.reconnected.forEach((cb) => c.onreconnected(cb));
      this.lifecycle.close.forEach((cb) => c.onclose(cb));
      this.built = c;
      return c;
    });
    return this.connection;
  }

  async start() {
    await (await this.load()).start();
  }
  async stop() {
    if (this.connection) await (await this.connection).stop();
  }
  on(method: string, handler: (arg: unknown) => void) {
    this.handlers.push([method, handler]);
    this.built?.on(method, handler);
  }
  off(method: string, handler: (arg: unknown) => void) {
    const i = this.handlers.findIndex(([m, h]) => m === method && h === handler);
    if (i >= 0) this.handlers.splice(i, 1);
    this.built?.off(method, handler);
  }
  async invoke(method: string, ...args: unknown[]) {
    return (await this.load()).invoke(method, ...args);
  }
  onreconnecting(cb: (error?: Error) => void) {
    this.lifecycle.reconnecting.push(cb);
    this.built?.onreconnecting(cb);
  }
  onreconnected(cb: (connectionId?: string) => void) {
    this.lifecycle.reconnected.push(cb);
    this.built?.onreconnected(cb);
  }
  onclose(cb: (error?: Error) => void) {
    this.lifecycle.close.push(cb);
    this.built?.onclose(cb);
  }
}

/** Builds the hub connection; an object so tests can replace `create` with vi.spyOn. */
export const inboxHubConnector = {
  create(url: string = INBOX_HUB_URL): HubConnectionLike {
    return new LazySignalRConnection(url);
  },
};

type Listener<T> = (value: T) => void;

/**
 * One hub connection with its status, event fan-out, the conversation being watched and a `resync` signal fired whenever the
 * connection comes back after a loss (events may have been missed: the page refetches what it shows).
 */
export class InboxHub {
  private readonly listeners = new Map<InboxHubEventName, Set<Listener<never>>>();
  private readonly statusListeners = new Set<Listener<HubStatus>>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly bound = new Map<InboxHubEventName, (arg: unknown) => void>();
  private status: HubStatus = 'connecting';
  private watched: number | null = null;
  private stopped = false;
  private everConnected = false;
  private startAttempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly connection: HubConnectionLike) {
    for (const event of INBOX_HUB_EVENTS) {
      const handler = (arg: unknown) => {
        for (const l of this.listeners.get(event) ?? []) (l as Listener<unknown>)(arg);
      };
      this.bound.set(event, handler);
      connection.on(event, handler);
    }
    // The server's own feed of events was cut off for a while (its database listener reconnected): refetch, as after a reconnect.
    connection.on('resync', this.resync);
    connection.onreconnecting(() => this.setStatus('reconnecting'));
    connection.onreconnected(() => this.connected());
    connection.onclose(() => {
      // SignalR gave up (or the server closed the connection): start again after a while, unless the page stopped us.
      if (this.stopped) return;
      this.setStatus('offline');
      this.scheduleStart();
    });
  }

  get current(): HubStatus {
    return this.status;
  }

  start(): void {
    if (this.stopped) return;
    this.connection.start().then(
      () => this.connected(),
      () => {
        if (this.stopped) return;
        this.setStatus('offline');
        this.scheduleStart();
      },
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const [event, handler] of this.bound) this.connection.off(event, handler);
    this.connection.off('resync', this.resync);
    this.connection.stop().catch(() => {});
  }

  on<K extends InboxHubEventName>(event: K, listener: Listener<InboxHubEvents[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as Listener<never>);
    this.listeners.set(event, set);
    return () => set.delete(listener as Listener<never>);
  }

  onStatus(listener: Listener<HubStatus>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /** Follows one conversation's events (leaving the previous one); null follows none. */
  watch(conversationId: number | null): void {
    if (conversationId === this.watched) return;
    const previous = this.watched;
    this.watched = conversationId;
    if (this.status !== 'live') return; // joined on (re)connect
    if (previous !== null) this.invoke('LeaveConversation', previous);
    if (conversationId !== null) this.invoke('JoinConversation', conversationId);
  }

  private connected() {
    if (this.stopped) return;
    const wasLost = this.everConnected || this.startAttempts > 0;
    this.everConnected = true;
    this.startAttempts = 0;
    this.setStatus('live');
    if (this.watched !== null) this.invoke('JoinConversation', this.watched);
    if (wasLost) this.resync();
  }

  private readonly resync = () => {
    for (const l of this.resyncListeners) l();
  };

  private invoke(method: 'JoinConversation' | 'LeaveConversation', conversationId: number) {
    // A failed join only costs live updates for that thread; the next reconnect joins again.
    this.connection.invoke(method, conversationId).catch(() => {});
  }

  private scheduleStart() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const delay = retryDelay(++this.startAttempts);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.start();
    }, delay);
  }

  private setStatus(status: HubStatus) {
    if (status === this.status) return;
    this.status = status;
    for (const l of this.statusListeners) l(status);
  }
}

export interface InboxHubHandlers {
  onMessageCreated?: (e: MessageCreatedEvent) => void;
  onMessageStatus?: (e: MessageStatusEvent) => void;
  onConversationUpdated?: (c: ConversationSummary) => void;
  onAssignmentChanged?: (e: AssignmentChangedEvent) => void;
  /** The connection came back after a loss: refetch what the page shows. */
  onResync?: () => void;
}

/**
 * Connects to the inbox hub while the component is mounted (a new connection per `scope`, e.g. the workspace id), follows
 * `conversationId`, and calls the latest handlers. Returns the connection status for the "Live" / "Reconnecting…" indicator.
 */
export function useInboxHub(scope: string, conversationId: number | null, handlers: InboxHubHandlers): HubStatus {
  const [hub, setHub] = useState<InboxHub | null>(null);
  const [status, setStatus] = useState<HubStatus>('connecting');
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    const next = new InboxHub(inboxHubConnector.create(INBOX_HUB_URL));
    const offs = [
      next.onStatus(setStatus),
      next.on('messageCreated', (e) => latest.current.onMessageCreated?.(e)),
      next.on('messageStatus', (e) => latest.current.onMessageStatus?.(e)),
      next.on('conversationUpdated', (c) => latest.current.onConversationUpdated?.(c)),
      next.on('assignmentChanged', (e) => latest.current.onAssignmentChanged?.(e)),
      next.onResync(() => latest.current.onResync?.()),
    ];
    setStatus(next.current);
    setHub(next);
    next.start();
    return () => {
      offs.forEach((off) => off());
      next.stop();
    };
  }, [scope]);

  useEffect(() => {
    hub?.watch(conversationId);
  }, [hub, conversationId]);

  return status;
}
