import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, isChatEnded, WidgetApi } from './api';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json', ...headers } });

/** The API of channel 7 on a server, with the visitor's token, answering each call with the next of `answers`. */
function apiAnswering(...answers: Response[]) {
  const fetch = vi.fn(async () => answers.shift()!);
  vi.stubGlobal('fetch', fetch);
  return { api: new WidgetApi('https://sb.example', '7', () => 'wct_abc'), fetch };
}

afterEach(() => vi.unstubAllGlobals());

describe('ending a chat', () => {
  it('posts to /end with the visitor token and no cookies', async () => {
    const { api, fetch } = apiAnswering(new Response(null, { status: 204 }));
    await api.end();
    expect(fetch).toHaveBeenCalledWith('https://sb.example/widget-api/7/end', {
      method: 'POST', headers: { Authorization: 'Bearer wct_abc' }, body: undefined, credentials: 'omit',
    });
  });

  it('reads when a chat ended along with its thread', async () => {
    const { api } = apiAnswering(json(200, { items: [], endedAt: '2026-01-02T10:00:00Z' }), json(200, { items: [], endedAt: null }));
    expect((await api.thread()).endedAt).toBe('2026-01-02T10:00:00Z');
    expect((await api.thread()).endedAt).toBeNull();
  });

  it('tells an ended chat from other refusals when a message is sent', async () => {
    const { api } = apiAnswering(
      json(409, { title: 'Conflict', detail: 'This chat has ended, so it takes no more messages: start a new chat.' }),
      json(429, { title: 'Too many requests', detail: 'Slow down.' }, { 'Retry-After': '12' }),
    );
    const ended = await api.send('hello?').catch((e: unknown) => e);
    expect(ended).toBeInstanceOf(ApiError);
    expect(isChatEnded(ended)).toBe(true);
    const tooFast = await api.send('hello?').catch((e: unknown) => e);
    expect(isChatEnded(tooFast)).toBe(false);
    expect((tooFast as ApiError).retryAfter).toBe(12);
    expect(isChatEnded(new Error('offline'))).toBe(false);
  });
});
