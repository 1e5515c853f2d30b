import type { StartedSession, VisitorMessage, VisitorThread, WidgetSettings } from './types';

/** A refused call: its status, the problem's detail, and for 429 how many seconds to wait. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly retryAfter: number | null,
  ) {
    super(detail);
  }
}

/** The one conflict the widget API answers: the visitor's chat has ended (in this tab or another), so it takes no messages. */
export function isChatEnded(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

/** The widget API of one channel (`/widget-api/{channelId}`), authenticated by the visitor's token once there is one. */
export class WidgetApi {
  constructor(
    private readonly base: string,
    private readonly channelId: string,
    private readonly token: () => string | null,
  ) {}

  settings(): Promise<WidgetSettings> {
    return this.request('GET', '');
  }

  startSession(name: string, email: string): Promise<StartedSession> {
    return this.request('POST', '/sessions', { name: name || null, email: email || null });
  }

  thread(): Promise<VisitorThread> {
    return this.request('GET', '/messages');
  }

  send(text: string): Promise<VisitorMessage> {
    return this.request('POST', '/messages', { text });
  }

  async read(): Promise<void> {
    await this.request('POST', '/read');
  }

  /** Ends the visitor's chat; ending an ended chat again is fine. */
  async end(): Promise<void> {
    await this.request('POST', '/end');
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.base}/widget-api/${this.channelId}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => null) as { detail?: string; title?: string; errors?: Record<string, string[]> } | null;
      // A validation problem names its field: "email must be an email address."
      const [field, messages] = Object.entries(problem?.errors ?? {})[0] ?? [];
      const detail = field ? `${field} ${messages?.[0] ?? 'is not valid.'}` : problem?.detail ?? problem?.title ?? response.statusText;
      const retryAfter = Number(response.headers.get('Retry-After'));
      throw new ApiError(response.status, detail, retryAfter > 0 ? retryAfter : null);
    }
    return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  }
}
