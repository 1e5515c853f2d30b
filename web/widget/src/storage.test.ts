import { describe, expect, it } from 'vitest';
import { memoryStorage, SessionStore, type StorageLike } from './storage';
import type { StartedSession } from './types';

const session: StartedSession = {
  sessionId: 12, token: 'wct_abc', greeting: 'Hello!', colors: { primary: '#112233', background: '#ffffff' },
};

describe('SessionStore', () => {
  it('keeps a session per channel across reloads', () => {
    const storage = memoryStorage();
    new SessionStore(storage, '1').save(session);
    expect(new SessionStore(storage, '1').load()).toEqual(session);
    expect(new SessionStore(storage, '2').load()).toBeNull();
    expect(storage.getItem('switchboard.webchat.1')).toContain('wct_abc');
  });

  it('forgets a session on clear', () => {
    const store = new SessionStore(memoryStorage(), '1');
    store.save(session);
    store.clear();
    expect(store.load()).toBeNull();
  });

  it('drops damaged or foreign values instead of failing', () => {
    const storage = memoryStorage();
    for (const value of ['{not json', '{"token":42}', 'null', '{"sessionId":1,"token":"t","greeting":"g"}']) {
      storage.setItem('switchboard.webchat.1', value);
      expect(new SessionStore(storage, '1').load()).toBeNull();
      expect(storage.getItem('switchboard.webchat.1')).toBeNull();
    }
  });

  it('works on with a browser that refuses storage', () => {
    const refusing: StorageLike = {
      getItem: () => { throw new Error('SecurityError'); },
      setItem: () => { throw new Error('QuotaExceededError'); },
      removeItem: () => { throw new Error('SecurityError'); },
    };
    const store = new SessionStore(refusing, '1');
    expect(() => store.save(session)).not.toThrow();
    expect(store.load()).toBeNull();
    expect(() => store.clear()).not.toThrow();
  });
});
