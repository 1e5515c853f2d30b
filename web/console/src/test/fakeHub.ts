import { act } from '@testing-library/react';
import { vi } from 'vitest';
import { inboxHubConnector, type HubConnectionLike, type InboxHubEventName, type InboxHubEvents } from '../lib/inboxHub';

/** A stand-in for the SignalR connection: tests emit hub events and drop / restore the connection by hand. */
export class FakeHubConnection implements HubConnectionLike {
  readonly handlers = new Map<string, Set<(arg: unknown) => void>>();
  readonly invocations: [string, ...unknown[]][] = [];
  private reconnecting: ((error?: Error) => void)[] = [];
  private reconnected: ((id?: string) => void)[] = [];
  private closed: ((error?: Error) => void)[] = [];
  startResult: () => Promise<void> = () => Promise.resolve();
  started = 0;
  stopped = 0;

  start() {
    this.started++;
    return this.startResult();
  }
  stop() {
    this.stopped++;
    return Promise.resolve();
  }
  on(method: string, handler: (arg: unknown) => void) {
    const set = this.handlers.get(method) ?? new Set();
    set.add(handler);
    this.handlers.set(method, set);
  }
  off(method: string, handler: (arg: unknown) => void) {
    this.handlers.get(method)?.delete(handler);
  }
  invoke(method: string, ...args: unknown[]) {
    this.invocations.push([method, ...args]);
    return Promise.resolve();
  }
  onreconnecting(cb: (error?: Error) => void) {
    this.reconnecting.push(cb);
  }
  onreconnected(cb: (id?: string) => void) {
    this.reconnected.push(cb);
  }
  onclose(cb: (error?: Error) => void) {
    this.closed.push(cb);
  }

  /** Delivers a hub event to the page (inside act). */
  emit<K extends InboxHubEventName>(event: K, payload: InboxHubEvents[K]) {
    act(() => {
      for (const h of this.handlers.get(event) ?? []) h(payload);
    });
  }
  /** The server's "resync": it may have missed events, so the page refetches. */
  resync() {
    act(() => {
      for (const h of this.handlers.get('resync') ?? []) h(undefined);
    });
  }
  drop() {
    act(() => this.reconnecting.forEach((cb) => cb(new Error('lost'))));
  }
  restore() {
    act(() => this.reconnected.forEach((cb) => cb('new-id')));
  }
  close() {
    act(() => this.closed.forEach((cb) => cb(new Error('closed'))));
  }
  joined(): unknown[] {
    return this.invocations.filter(([m]) => m === 'JoinConversation').map(([, id]) => id);
  }
}

/** Makes every hub connection the page opens this fake (restored after each test by restoreMocks). */
export function installFakeHub(): FakeHubConnection {
  const fake = new FakeHubConnection();
  vi.spyOn(inboxHubConnector, 'create').mockReturnValue(fake);
  return fake;
}
