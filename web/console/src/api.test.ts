import { describe, expect, it, vi } from 'vitest';
import { ApiError, buildQuery, createApiClient, CSRF_HEADER, isCsrfProblem, parseProblem } from './api';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

function json(status: number, body: unknown, contentType = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}

function problem(status: number, body: Record<string, unknown>) {
  return json(status, { status, ...body }, 'application/problem+json');
}

/** A fake fetch that records calls and answers through the given handler. */
function fakeFetch(handler: Handler) {
  const calls: Call[] = [];
  let csrfCounter = 0;
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: (init?.method ?? 'GET').toUpperCase(),
      headers: { ...((init?.headers as Record<string, string>) ?? {}) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body,
    };
    calls.push(call);
    if (call.url === '/api/v1/auth/csrf') {
      csrfCounter++;
      return json(200, { token: `token-${csrfCounter}` });
    }
    return handler(call);
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

describe('parseProblem', () => {
  it('reads an RFC 9457 problem document with field errors and extensions', () => {
    const p = parseProblem(
      409,
      'Conflict',
      'application/problem+json; charset=utf-8',
      JSON.stringify({ type: 'https://x/conflict', title: 'Conflict', status: 409, detail: 'Phone already used', existingId: 42, errors: { phone: ['taken'], email: 'bad' } }),
    );
    expect(p.status).toBe(409);
    expect(p.detail).toBe('Phone already used');
    expect(p.existingId).toBe(42);
    expect(p.errors).toEqual({ phone: ['taken'], email: ['bad'] });
  });

  it('falls back to the status line for non-JSON bodies and never leaks HTML', () => {
    const p = parseProblem(502, 'Bad Gateway', 'text/html', '<html><body>oops</body></html>');
    expect(p).toEqual({ status: 502, title: 'Bad Gateway', detail: undefined });
    expect(parseProblem(500, '', 'text/plain', 'database down').detail).toBe('database down');
  });

  it('recognises CSRF problems only on 400', () => {
    expect(isCsrfProblem({ status: 400, title: 'Bad request', detail: 'The CSRF token is missing or invalid.' })).toBe(true);
    expect(isCsrfProblem({ status: 400, title: 'The antiforgery token could not be decrypted.' })).toBe(true);
    expect(isCsrfProblem({ status: 400, title: 'One or more validation errors occurred.' })).toBe(false);
    expect(isCsrfProblem({ status: 403, detail: 'csrf' })).toBe(false);
  });
});

describe('buildQuery', () => {
  it('drops empty values and encodes the rest', () => {
    expect(buildQuery({ q: 'a b', tag: '', cursor: null, limit: 50, x: undefined })).toBe('?q=a+b&limit=50');
    expect(buildQuery({})).toBe('');
  });
});

describe('api client', () => {
  it('returns JSON on success and sends cookies same-origin', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { items: [{ id: 1 }], nextCursor: null }));
    const api = createApiClient({ fetch });
    const page = await api.listContacts({ q: 'ada', limit: 10 });
    expect(page.items).toEqual([{ id: 1 }]);
    expect(calls[0].url).toBe('/api/v1/contacts?q=ada&limit=10');
    expect((fetch as unknown as ReturnType<typeof vi.fn>).mock.calls[0][1].credentials).toBe('same-origin');
  });

  it('throws a typed ApiError carrying the problem document', async () => {
    const { fetch } = fakeFetch(() =>
      problem(400, { title: 'One or more validation errors occurred.', detail: 'Check the fields.', errors: { email: ['Enter a valid email.'] } }),
    );
    const api = createApiClient({ fetch });
    const err = await api.createContact({ email: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect(apiErr.status).toBe(400);
    expect(apiErr.message).toBe('Check the fields.');
    expect(apiErr.errors).toEqual({ email: ['Enter a valid email.'] });
  });

  it('reports network failures as ApiError with status 0', async () => {
    const api = createApiClient({ fetch: (async () => { throw new TypeError('Failed to fetch'); }) as unknown as typeof fetch });
    const err = await api.getSetup().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(0);
  });

  it('adds X-CSRF-TOKEN to unsafe methods only, fetching the token once', async () => {
    const { fetch, calls } = fakeFetch((call) => (call.method === 'DELETE' ? new Response(null, { status: 204 }) : json(200, { id: 1 })));
    const api = createApiClient({ fetch });

    await api.getContact(1);
    await api.updateContact(1, { name: 'Ada' });
    await api.createContact({ name: 'Bob' });
    await api.deleteContact(1);

    const get = calls.find((c) => c.method === 'GET' && c.url === '/api/v1/contacts/1')!;
    expect(get.headers[CSRF_HEADER]).toBeUndefined();
    const unsafe = calls.filter((c) => c.method !== 'GET');
    expect(unsafe.map((c) => c.method)).toEqual(['PATCH', 'POST', 'DELETE']);
    for (const c of unsafe) expect(c.headers[CSRF_HEADER]).toBe('token-1');
    expect(calls.filter((c) => c.url === '/api/v1/auth/csrf')).toHaveLength(1);
    expect(unsafe[0].body).toEqual({ name: 'Ada' });
  });

  it('does not need a token for sign-in, and refetches it afterwards', async () => {
    const session = { user: { id: 1 }, tenant: { id: 1 }, permissions: [], tenants: [] };
    const { fetch, calls } = fakeFetch(() => json(200, session));
    const api = createApiClient({ fetch });

    await api.createContact({ name: 'Before' }); // token-1
    await api.signIn({ email: 'a@b.c', password: 'pw' });
    await api.createContact({ name: 'After' });

    const signIn = calls.find((c) => c.url === '/api/v1/auth/sign-in')!;
    expect(signIn.headers[CSRF_HEADER]).toBeUndefined();
    const posts = calls.filter((c) => c.url === '/api/v1/contacts');
    expect(posts[0].headers[CSRF_HEADER]).toBe('token-1');
    expect(posts[1].headers[CSRF_HEADER]).toBe('token-2');
  });

  it('refreshes the token and retries once when the server rejects the CSRF token', async () => {
    let attempts = 0;
    const { fetch, calls } = fakeFetch((call) => {
      attempts++;
      if (call.headers[CSRF_HEADER] === 'token-1') return problem(400, { title: 'Bad Request', detail: 'The CSRF token is missing or invalid.' });
      return json(201, { id: 7, name: 'Ada' });
    });
    const api = createApiClient({ fetch });

    const created = await api.createContact({ name: 'Ada' });
    expect(created).toEqual({ id: 7, name: 'Ada' });
    expect(attempts).toBe(2);
    const posts = calls.filter((c) => c.url === '/api/v1/contacts');
    expect(posts.map((c) => c.headers[CSRF_HEADER])).toEqual(['token-1', 'token-2']);
  });

  it('gives up after one retry', async () => {
    const { fetch, calls } = fakeFetch(() => problem(400, { detail: 'CSRF token invalid' }));
    const api = createApiClient({ fetch });
    const err = await api.deleteContact(3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).problem.detail).toBe('CSRF token invalid');
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(2);
  });

  it('does not retry ordinary validation errors', async () => {
    const { fetch, calls } = fakeFetch(() => problem(400, { title: 'One or more validation errors occurred.', errors: { name: ['Required'] } }));
    const api = createApiClient({ fetch });
    await expect(api.createDepartment({ name: '' })).rejects.toBeInstanceOf(ApiError);
    expect(calls.filter((c) => c.url === '/api/v1/departments')).toHaveLength(1);
  });

  it('notifies the app about an expired session (401 outside /auth)', async () => {
    const { fetch } = fakeFetch(() => problem(401, { title: 'Unauthorized' }));
    const api = createApiClient({ fetch });
    const onUnauthorized = vi.fn();
    api.onUnauthorized(onUnauthorized);
    await expect(api.listUsers()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(api.getSession()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('uploads imports with XMLHttpRequest, the CSRF header and progress events', async () => {
    const { fetch } = fakeFetch(() => json(500, {}));
    const sent: { headers: Record<string, string>; body: unknown; url: string }[] = [];
    class FakeXhr {
      status = 0;
      statusText = '';
      responseText = '';
      upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      private headers: Record<string, string> = {};
      private url = '';
      open(_method: string, url: string) {
        this.url = url;
      }
      setRequestHeader(k: string, v: string) {
        this.headers[k] = v;
      }
      getResponseHeader() {
        return 'application/json';
      }
      send(body: unknown) {
        sent.push({ headers: this.headers, body, url: this.url });
        this.upload.onprogress?.({ loaded: 50, total: 100, lengthComputable: true });
        this.upload.onprogress?.({ loaded: 100, total: 100, lengthComputable: true });
        this.status = 202;
        this.responseText = JSON.stringify({ id: 9, status: 'queued' });
        this.onload?.();
      }
    }
    const api = createApiClient({ fetch, xhr: () => new FakeXhr() as unknown as XMLHttpRequest });
    const progress: number[] = [];
    const file = new File(['name,phone\nAda,+15551234567\n'], 'people.csv', { type: 'text/csv' });
    const result = await api.uploadContactsImport(file, (p) => progress.push(p.loaded));

    expect(result).toEqual({ id: 9, status: 'queued' });
    expect(progress).toEqual([50, 100]);
    expect(sent[0].url).toBe('/api/v1/contacts/imports');
    expect(sent[0].headers[CSRF_HEADER]).toBe('token-1');
    expect(sent[0].body).toBeInstanceOf(FormData);
    expect(((sent[0].body as FormData).get('file') as File).name).toBe('people.csv');
  });
});

describe('inbox routes', () => {
  it('lists conversations with the filters of docs/inbox-api.md, sending unread only when set', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { items: [], nextCursor: null, counts: { new: 1, open: 2, pending: 0, snoozed: 0, resolved: 0, archived: 0 } }));
    const api = createApiClient({ fetch });
    const page = await api.listConversations({ status: 'open', assignee: 'me', channelId: 3, tagId: 4, departmentId: 5, unread: true, q: 'ada', limit: 25 });
    expect(page.counts.open).toBe(2);
    expect(calls[0].url).toBe('/api/v1/conversations?status=open&assignee=me&channelId=3&tagId=4&departmentId=5&unread=true&q=ada&limit=25');
    await api.listConversations({ status: 'new', unread: false, cursor: 'abc' });
    expect(calls[1].url).toBe('/api/v1/conversations?status=new&cursor=abc');
  });

  it('uses the documented methods and bodies, with the CSRF header on every unsafe request', async () => {
    const { fetch, calls } = fakeFetch((call) => (call.method === 'DELETE' || call.url.endsWith('/read') ? new Response(null, { status: 204 }) : json(200, { id: 1 })));
    const api = createApiClient({ fetch });
    await api.markConversationRead(7);
    await api.updateConversation(7, { status: 'snoozed', snoozedUntil: '2030-01-01T09:00:00.000Z' });
    await api.assignConversation(7, null);
    await api.transferConversation(7, { toDepartmentId: 2, reason: 'Billing' });
    await api.setConversationTags(7, [1, 2]);
    await api.sendMessage(7, { type: 'text', text: 'Hi' });
    await api.sendMessage(7, { type: 'template', template: { name: 'hello', language: 'en', parameters: ['Ada'] } });
    await api.sendNote(7, 'Internal');
    await api.retryMessage(7, 99);
    await api.updateNote(7, 5, { isPinned: true });
    await api.deleteNote(7, 5);
    await api.listMessages(7, { before: 'c1', limit: 30 });
    await api.listMessageTemplates(3);
    await api.syncMessageTemplates(3);

    const unsafe = calls.filter((c) => c.method !== 'GET');
    for (const c of unsafe) expect(c.headers[CSRF_HEADER]).toBe('token-1');
    expect(unsafe.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/conversations/7/read',
      'PATCH /api/v1/conversations/7',
      'POST /api/v1/conversations/7/assign',
      'POST /api/v1/conversations/7/transfer',
      'PUT /api/v1/conversations/7/tags',
      'POST /api/v1/conversations/7/messages',
      'POST /api/v1/conversations/7/messages',
      'POST /api/v1/conversations/7/messages',
      'POST /api/v1/conversations/7/messages/99/retry',
      'PATCH /api/v1/conversations/7/notes/5',
      'DELETE /api/v1/conversations/7/notes/5',
      'POST /api/v1/channels/3/templates/sync',
    ]);
    expect(unsafe[2].body).toEqual({ userId: null });
    expect(unsafe[4].body).toEqual({ tagIds: [1, 2] });
    expect(unsafe[6].body).toEqual({ type: 'template', template: { name: 'hello', language: 'en', parameters: ['Ada'] } });
    expect(unsafe[7].body).toEqual({ type: 'note', text: 'Internal' });
    const gets = calls.filter((c) => c.method === 'GET' && c.url !== '/api/v1/auth/csrf').map((c) => c.url);
    expect(gets).toEqual(['/api/v1/conversations/7/messages?before=c1&limit=30', '/api/v1/message-templates?channelId=3']);
  });

  it('sends a file as multipart with its caption and the CSRF header', async () => {
    const { fetch } = fakeFetch(() => json(500, {}));
    const sent: { headers: Record<string, string>; body: unknown; url: string; method: string }[] = [];
    class FakeXhr {
      status = 0;
      statusText = '';
      responseText = '';
      upload = { onprogress: null };
      onload: (() => void) | null = null;
      private headers: Record<string, string> = {};
      private url = '';
      private method = '';
      open(method: string, url: string) {
        this.method = method;
        this.url = url;
      }
      setRequestHeader(k: string, v: string) {
        this.headers[k] = v;
      }
      getResponseHeader() {
        return 'application/json';
      }
      send(body: unknown) {
        sent.push({ headers: this.headers, body, url: this.url, method: this.method });
        this.status = 202;
        this.responseText = JSON.stringify({ id: 11, status: 'pending' });
        this.onload?.();
      }
    }
    const api = createApiClient({ fetch, xhr: () => new FakeXhr() as unknown as XMLHttpRequest });
    const file = new File(['%PDF'], 'invoice.pdf', { type: 'application/pdf' });
    const message = await api.sendFile(7, file, 'Your invoice');
    expect(message).toEqual({ id: 11, status: 'pending' });
    expect(sent[0].method).toBe('POST');
    expect(sent[0].url).toBe('/api/v1/conversations/7/messages');
    expect(sent[0].headers[CSRF_HEADER]).toBe('token-1');
    const form = sent[0].body as FormData;
    expect((form.get('file') as File).name).toBe('invoice.pdf');
    expect(form.get('caption')).toBe('Your invoice');
  });
});

describe('webhook routes', () => {
  it('uses the routes of docs/webhooks.md with the CSRF header on every change', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.method === 'DELETE'
        ? new Response(null, { status: 204 })
        : call.url.endsWith('/resend')
          ? json(202, { id: 12, status: 'pending' })
          : json(call.method === 'POST' && call.url === '/api/v1/webhooks' ? 201 : 200, { id: 3, items: [], nextCursor: 'n2' }),
    );
    const api = createApiClient({ fetch });
    await api.listWebhooks();
    await api.getWebhook(3);
    await api.createWebhook({ url: 'https://hooks.example.com/sb', events: ['message.created'], description: 'CRM' });
    await api.updateWebhook(3, { isActive: false });
    await api.listWebhookDeliveries(3, { status: 'failed', cursor: 'c1', limit: 25 });
    await api.listWebhookDeliveries(3, { status: '' });
    const resent = await api.resendWebhookDelivery(3, 11);
    await api.testWebhook(3);
    await api.deleteWebhook(3);

    expect(resent).toEqual({ id: 12, status: 'pending' });
    const traffic = calls.filter((c) => c.url !== '/api/v1/auth/csrf');
    expect(traffic.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/webhooks',
      'GET /api/v1/webhooks/3',
      'POST /api/v1/webhooks',
      'PATCH /api/v1/webhooks/3',
      'GET /api/v1/webhooks/3/deliveries?status=failed&cursor=c1&limit=25',
      'GET /api/v1/webhooks/3/deliveries',
      'POST /api/v1/webhooks/3/deliveries/11/resend',
      'POST /api/v1/webhooks/3/test',
      'DELETE /api/v1/webhooks/3',
    ]);
    for (const c of traffic.filter((c) => c.method !== 'GET')) expect(c.headers[CSRF_HEADER]).toBe('token-1');
    expect(traffic[2].body).toEqual({ url: 'https://hooks.example.com/sb', events: ['message.created'], description: 'CRM' });
    expect(traffic[3].body).toEqual({ isActive: false });
  });
});
