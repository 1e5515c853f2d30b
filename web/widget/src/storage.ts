import type { StartedSession } from './types';

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** localStorage, or a memory stand-in where the browser refuses it (private modes, sandboxed frames). */
export function browserStorage(): StorageLike {
  try {
    const storage = window.localStorage;
    storage.getItem('switchboard.probe');
    return storage;
  } catch {
    return memoryStorage();
  }
}

export function memoryStorage(): StorageLike {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

/** The visitor's session for one channel, kept across reloads so the chat continues. */
export class SessionStore {
  private readonly key: string;

  constructor(
    private readonly storage: StorageLike,
    channelId: string,
  ) {
    this.key = `switchboard.webchat.${channelId}`;
  }

  load(): StartedSession | null {
    let raw: string | null;
    try {
      raw = this.storage.getItem(this.key);
    } catch {
      return null;
    }
    if (!raw) return null;
    try {
      const value = JSON.parse(raw) as Partial<StartedSession>;
      if (typeof value.token === 'string' && typeof value.sessionId === 'number' && typeof value.greeting === 'string'
        && typeof value.colors?.primary === 'string' && typeof value.colors.background === 'string') {
        return value as StartedSession;
      }
    } catch {
      // not ours, or damaged: forgotten below
    }
    this.clear();
    return null;
  }

  save(session: StartedSession): void {
    try {
      this.storage.setItem(this.key, JSON.stringify(session));
    } catch {
      // Quota or a refusing browser: the chat still works until the page is left.
    }
  }

  clear(): void {
    try {
      this.storage.removeItem(this.key);
    } catch {
      // nothing to forget
    }
  }
}
