/*
 * Typed client for the Switchboard REST API (/api/v1). See docs/api.md for the contract.
 *
 * - Cookie session (credentials: 'same-origin').
 * - Unsafe requests (POST/PUT/PATCH/DELETE) carry X-CSRF-TOKEN, fetched lazily from GET /auth/csrf.
 *   Sign-in, setup and sign-out are exempt. After sign-in / setup / tenant switch the token is refetched.
 *   If a request fails with a 400 problem that talks about the CSRF token, the token is refreshed and the
 *   request is retried once.
 * - Errors are thrown as ApiError, carrying the RFC 9457 problem document.
 */

// ---------------------------------------------------------------- types

export type Id = number | string;

export interface ProblemDetails {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  instance?: string;
  traceId?: string;
  errors?: Record<string, string[]>;
  existingId?: Id;
  [extension: string]: unknown;
}

export type Role = 'owner' | 'admin' | 'supervisor' | 'agent' | 'viewer';
export const ROLES: Role[] = ['owner', 'admin', 'supervisor', 'agent', 'viewer'];

export interface SessionUser {
  id: Id;
  name: string;
  email: string;
  isSuperAdmin: boolean;
}
export interface TenantRef {
  id: Id;
  name: string;
  slug: string;
}
export interface TenantMembership extends TenantRef {
  role: Role | string;
}
export interface Session {
  user: SessionUser;
  tenant: TenantRef;
  role: Role | string;
  permissions: string[];
  tenants: TenantMembership[];
}

export interface Tenant {
  id: Id;
  name: string;
  slug: string;
  domain: string | null;
  status: string;
  settings: Record<string, unknown>;
  createdAt: string;
}

export type TenantStatus = 'active' | 'suspended';

/** A workspace as the installation operator (superadmin) sees it on the Platform page. */
export interface PlatformTenant {
  id: Id;
  name: string;
  slug: string;
  domain: string | null;
  status: TenantStatus | string;
  memberCount: number;
  createdAt: string;
}
export interface CreatePlatformTenantInput {
  name: string;
  slug: string;
  ownerName: string;
  ownerEmail: string;
  ownerPassword: string;
}

/** A person as this workspace sees them: their membership here, never their own profile. */
export interface User {
  id: Id;
  name: string;
  email: string;
  role: Role | string;
  /** 'invited': someone with an account elsewhere who has not accepted yet (the name is the one typed when inviting). */
  status: 'active' | 'disabled' | 'invited';
  isProvider: boolean;
  isTimeClockUser: boolean;
  departmentIds: Id[];
  /** Last sign-in to this workspace. */
  lastSignInAt: string | null;
  createdAt: string;
}
export interface CreateUserInput {
  name: string;
  email: string;
  password?: string;
  role: Role | string;
  isProvider?: boolean;
  isTimeClockUser?: boolean;
}
/** Membership fields only: the profile (name, phones, timeout) is the person's own (`updateProfile`). */
export interface UpdateUserInput {
  role?: Role | string;
  status?: 'active' | 'disabled';
  isProvider?: boolean;
  isTimeClockUser?: boolean;
}
export type CreatedUser = { user: User; temporaryPassword?: string | null };

/** The signed-in person's own profile, the same in every workspace. */
export interface Profile {
  id: Id;
  name: string;
  email: string;
  username: string | null;
  phones: string[];
  inactivityTimeoutMinutes: number;
}
export type UpdateProfileInput = Partial<Pick<Profile, 'name' | 'username' | 'phones' | 'inactivityTimeoutMinutes'>>;
export interface Invitation {
  id: Id;
  tenant: TenantMembership;
  invitedBy: string | null;
  createdAt: string;
}

export interface Department {
  id: Id;
  name: string;
  description: string | null;
  whatsappNumbers: string[];
  memberIds: Id[];
  createdAt: string;
}
export interface DepartmentInput {
  name: string;
  description?: string | null;
  whatsappNumbers?: string[];
  memberIds?: Id[];
}

export interface ApiKey {
  id: Id;
  name: string;
  role: Role | string;
  prefix: string;
  createdAt: string;
  createdById: Id | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Why a key that is not revoked no longer works (its creator's membership ended or weakened); null when it works. */
  disabledReason: string | null;
}
/** A change to a member, as `GET /api-keys/disabled-by-change` previews it. */
export type MemberChange = { role?: string; status?: string; remove?: boolean };
export type CreatedApiKey = ApiKey & { key: string };

export interface AuditEntry {
  id: Id;
  userId: Id | null;
  userName: string | null;
  apiKeyId: Id | null;
  action: string;
  module: string;
  ipAddress: string | null;
  meta: Record<string, unknown> | null;
  loggedAt: string;
}
export const AUDIT_MODULES = ['identity', 'tenancy', 'contacts', 'audit'] as const;

export type Channel = 'whatsapp' | 'sms' | 'email';
export const CHANNELS: Channel[] = ['whatsapp', 'sms', 'email'];

/** A messaging provider account (docs/api.md "Channels"). Not to be confused with `Channel`, a contact's opt-in channel. */
export type ChannelType = 'whatsapp' | 'twilio_sms' | 'twilio_whatsapp' | 'email' | 'webchat';
export type ChannelStatus = 'active' | 'disabled';
/** Plain setting values as the server stores them (strings, numbers, booleans, string lists). */
export type ChannelSettingValue = string | number | boolean | string[];
export interface MessagingChannel {
  id: Id;
  type: ChannelType;
  name: string;
  status: ChannelStatus;
  settings: Record<string, ChannelSettingValue>;
  /** Names of the secret settings that are set; their values never come back. */
  secretsSet: string[];
  /** Where the provider must send this channel's webhooks, e.g. { inbound: 'https://…/webhooks/whatsapp/7' }. */
  webhookUrls: Record<string, string>;
  departmentIds: Id[];
  createdAt: string;
  updatedAt: string;
}
export interface CreateChannelInput {
  type: ChannelType;
  name: string;
  settings: Record<string, ChannelSettingValue>;
  departmentIds?: Id[];
}
/** Settings given replace, `null` removes an optional one, secrets left out are kept. */
export interface UpdateChannelInput {
  name?: string;
  status?: ChannelStatus;
  settings?: Record<string, ChannelSettingValue | null>;
  departmentIds?: Id[];
}

export interface OptIn {
  optedIn: boolean;
  at?: string | null;
  source?: string | null;
}
export interface Banking {
  bankName?: string | null;
  accountHolder?: string | null;
  accountNumber?: string | null;
  routingNumber?: string | null;
  iban?: string | null;
}
export interface Contact {
  id: Id;
  name: string | null;
  email: string | null;
  phone: string | null;
  extraPhones: string[];
  waId: string | null;
  tags: string[];
  optIns: Partial<Record<Channel, OptIn | null>>;
  customAttributes: Record<string, string>;
  banking: Banking | null;
  assignedToId: Id | null;
  departmentIds: Id[];
  createdAt: string;
  updatedAt: string;
}
export type ContactInput = Partial<Omit<Contact, 'id' | 'createdAt' | 'updatedAt'>>;

export type ContactSort = 'name' | '-name' | 'createdAt' | '-createdAt' | 'updatedAt' | '-updatedAt';
export interface ContactQuery {
  q?: string;
  tag?: string;
  departmentId?: Id | '';
  assignedToId?: Id | '';
  optIn?: Channel | '';
  optedOut?: Channel | '';
  sort?: ContactSort;
  limit?: number;
  cursor?: string | null;
}

export interface ImportError {
  row: number;
  field: string | null;
  message: string;
}
export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';
export interface ContactImport {
  id: Id;
  fileName: string | null;
  status: ImportStatus;
  bytesTotal: number;
  bytesProcessed: number;
  rowsProcessed: number;
  rowsCreated: number;
  rowsUpdated: number;
  rowsRejected: number;
  errors: ImportError[];
  createdAt: string;
  completedAt: string | null;
}

export interface AuditQuery {
  module?: string;
  userId?: Id | '';
  action?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  cursor?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

// ---------------------------------------------------------------- outbound webhooks (docs/webhooks.md)

/** The events a subscription can choose; none chosen = every event (including ones added later). */
export const WEBHOOK_EVENTS = ['message.created', 'message.status', 'conversation.created', 'conversation.updated', 'conversation.assigned'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
  id: Id;
  url: string;
  /** Empty = every event. */
  events: string[];
  description: string | null;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}
/** Create: `url` required. Update: fields left out are kept; `description: ''` clears it. */
export interface WebhookInput {
  url?: string;
  events?: string[];
  description?: string;
  isActive?: boolean;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';
export const WEBHOOK_DELIVERY_STATUSES: WebhookDeliveryStatus[] = ['pending', 'succeeded', 'failed'];
export interface WebhookDelivery {
  id: Id;
  subscriptionId: Id;
  /** One of WEBHOOK_EVENTS, or `ping` for a test. */
  eventType: string;
  /** The same for every delivery of one event (retries, resends, other subscriptions). */
  eventId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** The receiver's last HTTP status; null when it never answered. */
  responseStatus: number | null;
  /** The first 2 KB of the receiver's last answer. */
  responseBody: string | null;
  error: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  /** The body sent. */
  payload: unknown;
}
export interface WebhookDeliveryQuery {
  status?: WebhookDeliveryStatus | '';
  limit?: number;
  cursor?: string | null;
}
/** What the receiver answered to a `ping` sent by "Send test"; `ok` is a 2xx answer. */
export interface WebhookTestResult {
  ok: boolean;
  deliveryId: Id;
  eventId: string;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

// ---------------------------------------------------------------- inbox (docs/inbox-api.md)

export type ConversationStatus = 'new' | 'open' | 'pending' | 'snoozed' | 'resolved' | 'archived';
export const CONVERSATION_STATUSES: ConversationStatus[] = ['new', 'open', 'pending', 'snoozed', 'resolved', 'archived'];
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
export type MessageType = 'text' | 'image' | 'video' | 'audio' | 'document' | 'location' | 'template' | 'interactive' | 'unsupported';
export interface UserRef {
  id: number;
  name: string;
}

export interface ConversationSummary {
  id: number;
  status: ConversationStatus;
  priority: Priority;
  contact: { id: number; name: string | null; phone: string | null; email: string | null };
  channel: { id: number; name: string; type: ChannelType | string };
  assignedTo: UserRef | null;
  departmentId: number | null;
  lastMessageAt: string | null;
  /** Text of the newest message, or "[image]" etc. */
  lastMessagePreview: string | null;
  unreadCount: number;
  messageCount: number;
  tags: { id: number; name: string; color: string }[];
  /** WhatsApp 24 h window; null = not a WhatsApp conversation or never opened. */
  windowExpiresAt: string | null;
  snoozedUntil: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  createdAt: string;
  /** Null when the conversation started without an SLA policy. */
  sla: {
    policyId: number | null;
    firstResponseDueAt: string | null;
    resolutionDueAt: string | null;
    firstResponseBreached: boolean;
    resolutionBreached: boolean;
  } | null;
  /** Web chat: when the visitor ended the chat (replies can no longer reach them); null otherwise. */
  chatEndedAt: string | null;
}

export type ConversationCounts = Record<ConversationStatus, number>;
export interface ConversationPage extends Page<ConversationSummary> {
  /** Per status, with every filter applied except `status`. */
  counts: ConversationCounts;
}
export interface ConversationQuery {
  status?: ConversationStatus;
  /** 'me', 'unassigned' or a user id; absent = everyone. */
  assignee?: string;
  departmentId?: Id;
  channelId?: Id;
  tagId?: Id;
  unread?: boolean;
  q?: string;
  cursor?: string | null;
  limit?: number;
}
export interface UpdateConversationInput {
  status?: ConversationStatus;
  priority?: Priority;
  /** Required (in the future) with status 'snoozed'. */
  snoozedUntil?: string | null;
}
export interface TransferInput {
  toUserId?: number;
  toDepartmentId?: number;
  reason?: string;
}

/** `url`: GET with the cookie session (or an API key). */
export interface Attachment {
  id: number;
  type: string;
  mimeType: string;
  filename: string | null;
  fileSize: number;
  url: string;
}
export interface TemplateRef {
  name: string;
  language: string;
  parameters: string[];
}
export interface Message {
  id: number;
  conversationId: number;
  direction: 'inbound' | 'outbound';
  type: MessageType;
  text: string | null;
  isTemplate: boolean;
  template: TemplateRef | null;
  senderType: 'customer' | 'agent' | 'system' | 'bot';
  agent: UserRef | null;
  status: MessageStatus;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attachments: Attachment[];
  createdAt: string;
}
export type SendMessageInput = { type: 'text'; text: string } | { type: 'template'; template: TemplateRef };

export interface Note {
  id: number;
  conversationId: number;
  author: UserRef | null;
  content: string;
  isPinned: boolean;
  createdAt: string;
  updatedAt: string;
}
export interface NoteInput {
  content: string;
  isPinned?: boolean;
}

/** A conversation tag definition (`/conversation-tags`). Not a contact's free-text tag. */
export interface ConversationTag {
  id: number;
  name: string;
  color: string;
  description: string | null;
}
export interface ConversationTagInput {
  name: string;
  color: string;
  description?: string | null;
}

export interface CannedResponse {
  id: number;
  title: string;
  shortcut: string;
  content: string;
  category: string | null;
  isShared: boolean;
  ownerId: number | null;
  usageCount: number;
}
export interface CannedResponseInput {
  title: string;
  shortcut: string;
  content: string;
  category?: string | null;
  isShared?: boolean;
}

export type TemplateCategory = 'marketing' | 'utility' | 'authentication';
/** A channel's WhatsApp template: Meta's on `whatsapp` channels, a Twilio Content template on `twilio_whatsapp` ones
 * (`providerTemplateId` is then its Content SID, `HX…`). */
export interface MessageTemplate {
  id: number;
  channelId: number;
  name: string;
  language: string;
  category: TemplateCategory;
  status: string;
  body: string;
  parameterCount: number;
  providerTemplateId: string | null;
}
/** A Twilio Content template registered by hand; `category` defaults to marketing. */
export interface ContentTemplateInput {
  contentSid: string;
  name: string;
  language: string;
  body: string;
  category?: TemplateCategory;
}

export interface Assignment {
  id: number;
  assignedTo: UserRef | null;
  assignedBy: UserRef | null;
  assignmentType: string;
  assignedAt: string;
  unassignedAt: string | null;
}
export interface Transfer {
  id: number;
  fromUser: UserRef | null;
  toUser: UserRef | null;
  toDepartmentId: number | null;
  transferredBy: UserRef | null;
  reason: string | null;
  transferredAt: string;
}

// Hub events (`/hubs/inbox`), one argument each.
export interface MessageCreatedEvent {
  conversationId: number;
  message: Message;
}
export interface MessageStatusEvent {
  conversationId: number;
  messageId: number;
  status: MessageStatus;
  errorCode: string | null;
  errorMessage: string | null;
  at: string;
}
export interface AssignmentChangedEvent {
  conversationId: number;
  assignedTo: UserRef | null;
  assignedBy: UserRef | null;
}

// ---------------------------------------------------------------- errors

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;

  constructor(problem: ProblemDetails) {
    super(problem.detail || problem.title || `Request failed with status ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  /** Validation errors, keyed by field name as sent by the server. */
  get errors(): Record<string, string[]> {
    return this.problem.errors ?? {};
  }

  get existingId(): Id | undefined {
    return this.problem.existingId;
  }
}

/** A human-readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem;
    if (p.detail) return p.detail;
    if (p.title) return p.title;
    return `Request failed (${p.status})`;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

/** True when a problem document says the CSRF token is missing or invalid. */
export function isCsrfProblem(problem: ProblemDetails): boolean {
  if (problem.status !== 400) return false;
  const text = [problem.type, problem.title, problem.detail].filter(Boolean).join(' ');
  return /csrf|xsrf|antiforgery|anti-forgery/i.test(text);
}

function normalizeErrors(raw: unknown): Record<string, string[]> | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (Array.isArray(value)) out[key] = value.map(String);
    else if (value != null) out[key] = [String(value)];
  }
  return out;
}

/** Builds a ProblemDetails from any error response body. Never throws. */
export function parseProblem(status: number, statusText: string, contentType: string | null, body: string): ProblemDetails {
  let parsed: unknown = undefined;
  if (body && (contentType?.includes('json') || /^\s*[{[]/.test(body))) {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const obj = parsed as Record<string, unknown>;
    const problem: ProblemDetails = { ...obj, status: typeof obj.status === 'number' ? obj.status : status };
    const errors = normalizeErrors(obj.errors);
    if (errors) problem.errors = errors;
    else delete problem.errors;
    if (typeof problem.title !== 'string') problem.title = statusText || undefined;
    return problem;
  }
  const text = body.trim();
  return {
    status,
    title: statusText || `HTTP ${status}`,
    detail: text && text.length < 500 && !text.startsWith('<') ? text : undefined,
  };
}

// ---------------------------------------------------------------- client

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const UNSAFE_METHODS = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);
const CSRF_EXEMPT_PATHS = ['/auth/sign-in', '/auth/sign-out', '/setup'];
export const CSRF_HEADER = 'X-CSRF-TOKEN';

export type QueryValue = string | number | boolean | null | undefined;

export function buildQuery(params: Record<string, QueryValue> | object | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, QueryValue>)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, QueryValue> | object;
  signal?: AbortSignal;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface ApiClientOptions {
  /** Defaults to '/api/v1'. */
  baseUrl?: string;
  /** Defaults to globalThis.fetch (looked up at call time). */
  fetch?: typeof fetch;
  /** Defaults to globalThis.XMLHttpRequest (looked up at call time). */
  xhr?: () => XMLHttpRequest;
}

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? '/api/v1';
  const doFetch: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);
  const makeXhr = options.xhr ?? (() => new XMLHttpRequest());

  let csrfToken: string | null = null;
  let csrfPending: Promise<string> | null = null;
  let unauthorizedHandler: ((problem: ProblemDetails) => void) | null = null;

  function needsCsrf(method: Method, path: string): boolean {
    if (!UNSAFE_METHODS.has(method)) return false;
    const bare = path.split('?')[0];
    return !CSRF_EXEMPT_PATHS.includes(bare);
  }

  async function refreshCsrf(): Promise<string> {
    if (!csrfPending) {
      csrfPending = (async () => {
        try {
          const res = await doFetch(`${baseUrl}/auth/csrf`, {
            method: 'GET',
            credentials: 'same-origin',
            headers: { Accept: 'application/json' },
          });
          const text = await res.text();
          if (!res.ok) throw new ApiError(parseProblem(res.status, res.statusText, res.headers.get('content-type'), text));
          const token = (JSON.parse(text) as { token?: string }).token;
          if (!token) throw new ApiError({ status: res.status, title: 'The server returned no CSRF token.' });
          csrfToken = token;
          return token;
        } finally {
          csrfPending = null;
        }
      })();
    }
    return csrfPending;
  }

  async function getCsrf(): Promise<string> {
    return csrfToken ?? refreshCsrf();
  }

  function clearCsrf() {
    csrfToken = null;
  }

  async function send(method: Method, path: string, opts: RequestOptions, csrf: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
    let body: BodyInit | undefined;
    if (opts.body !== undefined) {
      if (typeof FormData !== 'undefined' && opts.body instanceof FormData) {
        body = opts.body;
      } else {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.body);
      }
    }
    if (csrf) headers[CSRF_HEADER] = csrf;
    try {
      return await doFetch(`${baseUrl}${path}${buildQuery(opts.query)}`, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: opts.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError({ status: 0, title: 'Network error', detail: 'Could not reach the server. Check your connection and try again.' });
    }
  }

  async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
    const useCsrf = needsCsrf(method, path);
    let res = await send(method, path, opts, useCsrf ? await getCsrf() : null);
    let text = await res.text();

    if (!res.ok) {
      let problem = parseProblem(res.status, res.statusText, res.headers.get('content-type'), text);
      if (useCsrf && isCsrfProblem(problem)) {
        // Token missing/expired (e.g. after a sign-in elsewhere): refresh it and retry exactly once.
        clearCsrf();
        res = await send(method, path, opts, await refreshCsrf());
        text = await res.text();
        if (!res.ok) problem = parseProblem(res.status, res.statusText, res.headers.get('content-type'), text);
      }
      if (!res.ok) {
        if (problem.status === 401 && unauthorizedHandler && !path.startsWith('/auth/')) unauthorizedHandler(problem);
        throw new ApiError(problem);
      }
    }

    if (res.status === 204 || text === '') return undefined as T;
    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.includes('json')) return JSON.parse(text) as T;
    return text as unknown as T;
  }

  /** Multipart upload via XMLHttpRequest so that upload progress can be reported. */
  async function upload<T>(path: string, form: FormData, onProgress?: (p: UploadProgress) => void): Promise<T> {
    const attempt = (csrf: string) =>
      new Promise<{ status: number; statusText: string; contentType: string | null; text: string }>((resolve, reject) => {
        const xhr = makeXhr();
        xhr.open('POST', `${baseUrl}${path}`);
        xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
        xhr.setRequestHeader(CSRF_HEADER, csrf);
        xhr.upload.onprogress = (e) => {
          if (onProgress) onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
        };
        xhr.onload = () =>
          resolve({ status: xhr.status, statusText: xhr.statusText, contentType: xhr.getResponseHeader('content-type'), text: xhr.responseText });
        xhr.onerror = () =>
          reject(new ApiError({ status: 0, title: 'Network error', detail: 'The upload failed. Check your connection and try again.' }));
        xhr.onabort = () => reject(new ApiError({ status: 0, title: 'Upload cancelled' }));
        xhr.send(form);
      });

    let res = await attempt(await getCsrf());
    const ok = (s: number) => s >= 200 && s < 300;
    if (!ok(res.status)) {
      const problem = parseProblem(res.status, res.statusText, res.contentType, res.text);
      if (isCsrfProblem(problem)) {
        clearCsrf();
        res = await attempt(await refreshCsrf());
      }
    }
    if (!ok(res.status)) throw new ApiError(parseProblem(res.status, res.statusText, res.contentType, res.text));
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }

  /** After the identity behind the cookie changes, the CSRF token must be fetched again. */
  async function afterIdentityChange<T>(promise: Promise<T>): Promise<T> {
    const result = await promise;
    clearCsrf();
    try {
      await refreshCsrf();
    } catch {
      // Not fatal: the next unsafe request fetches it again.
    }
    return result;
  }

  const get = <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) => request<T>('GET', path, { query, signal });
  const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body });
  const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });
  const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body });
  const del = (path: string) => request<void>('DELETE', path);
  const enc = encodeURIComponent;
  const conv = (id: Id) => `/conversations/${enc(String(id))}`;

  return {
    request,
    upload,
    refreshCsrf,
    clearCsrf,
    /** Called for 401 answers outside /auth/* (session expired). */
    onUnauthorized(handler: ((problem: ProblemDetails) => void) | null) {
      unauthorizedHandler = handler;
    },

    // setup & session
    getSetup: () => get<{ required: boolean }>('/setup'),
    setup: (input: { tenantName: string; tenantSlug: string; ownerName: string; ownerEmail: string; ownerPassword: string }) =>
      afterIdentityChange(post<Session>('/setup', input)),
    signIn: (input: { email: string; password: string; tenantSlug?: string }) =>
      afterIdentityChange(post<Session>('/auth/sign-in', input)),
    signOut: async () => {
      await post<void>('/auth/sign-out');
      clearCsrf();
    },
    getSession: () => get<Session>('/auth/session'),
    switchTenant: (tenantId: Id) => afterIdentityChange(post<Session>('/auth/switch-tenant', { tenantId })),

    // tenant
    getTenant: () => get<Tenant>('/tenant'),
    updateTenant: (input: { name?: string; domain?: string | null; settings?: Record<string, unknown> }) => patch<Tenant>('/tenant', input),
    rotateWebhookSecret: () => post<{ webhookSecret: string }>('/tenant/webhook-secret'),

    // platform (superadmin only): every workspace of the installation
    listPlatformTenants: () => get<Page<PlatformTenant>>('/platform/tenants'),
    createPlatformTenant: (input: CreatePlatformTenantInput) => post<PlatformTenant>('/platform/tenants', input),
    suspendPlatformTenant: (id: Id) => post<void>(`/platform/tenants/${enc(String(id))}/suspend`),
    activatePlatformTenant: (id: Id) => post<void>(`/platform/tenants/${enc(String(id))}/activate`),

    // users
    listUsers: (query?: { q?: string; role?: string; status?: string }) => get<Page<User>>('/users', query),
    getUser: (id: Id) => get<User>(`/users/${enc(String(id))}`),
    createUser: (input: CreateUserInput) => post<CreatedUser>('/users', input),
    updateUser: (id: Id, input: UpdateUserInput) => patch<User>(`/users/${enc(String(id))}`, input),
    deleteUser: (id: Id) => del(`/users/${enc(String(id))}`),

    // the signed-in person: own profile and invitations from other workspaces
    getProfile: () => get<Profile>('/me'),
    updateProfile: (input: UpdateProfileInput) => patch<Profile>('/me', input),
    listInvitations: () => get<Page<Invitation>>('/me/invitations'),
    acceptInvitation: (id: Id) => post<TenantMembership>(`/me/invitations/${enc(String(id))}/accept`),
    declineInvitation: (id: Id) => post<void>(`/me/invitations/${enc(String(id))}/decline`),

    // departments
    listDepartments: () => get<Page<Department>>('/departments'),
    getDepartment: (id: Id) => get<Department>(`/departments/${enc(String(id))}`),
    createDepartment: (input: DepartmentInput) => post<Department>('/departments', input),
    updateDepartment: (id: Id, input: Partial<DepartmentInput>) => patch<Department>(`/departments/${enc(String(id))}`, input),
    deleteDepartment: (id: Id) => del(`/departments/${enc(String(id))}`),

    // channels
    listChannels: () => get<Page<MessagingChannel>>('/channels'),
    getChannel: (id: Id) => get<MessagingChannel>(`/channels/${enc(String(id))}`),
    createChannel: (input: CreateChannelInput) => post<MessagingChannel>('/channels', input),
    updateChannel: (id: Id, input: UpdateChannelInput) => patch<MessagingChannel>(`/channels/${enc(String(id))}`, input),
    deleteChannel: (id: Id) => del(`/channels/${enc(String(id))}`),

    // api keys
    listApiKeys: () => get<Page<ApiKey>>('/api-keys'),
    createApiKey: (input: { name: string; role: string }) => post<CreatedApiKey>('/api-keys', input),
    revokeApiKey: (id: Id) => del(`/api-keys/${enc(String(id))}`),
    /** The working keys a member created that `change` would disable. */
    apiKeysDisabledByChange: (userId: Id, change: MemberChange) => get<Page<ApiKey>>('/api-keys/disabled-by-change', { userId, ...change }),

    // outbound webhooks (webhooks.manage)
    listWebhooks: () => get<Page<Webhook>>('/webhooks'),
    getWebhook: (id: Id) => get<Webhook>(`/webhooks/${enc(String(id))}`),
    createWebhook: (input: WebhookInput) => post<Webhook>('/webhooks', input),
    updateWebhook: (id: Id, input: WebhookInput) => patch<Webhook>(`/webhooks/${enc(String(id))}`, input),
    deleteWebhook: (id: Id) => del(`/webhooks/${enc(String(id))}`),
    /** Newest first; keyset pages through `cursor` (the previous answer's nextCursor). */
    listWebhookDeliveries: (id: Id, query: WebhookDeliveryQuery = {}, signal?: AbortSignal) =>
      get<Page<WebhookDelivery>>(`/webhooks/${enc(String(id))}/deliveries`, query, signal),
    /** 202: a new pending delivery of the same event; 409 while the webhook is disabled. */
    resendWebhookDelivery: (id: Id, deliveryId: Id) =>
      post<WebhookDelivery>(`/webhooks/${enc(String(id))}/deliveries/${enc(String(deliveryId))}/resend`),
    /** Sends a `ping` now and answers what the receiver said (it is in the delivery log too). */
    testWebhook: (id: Id) => post<WebhookTestResult>(`/webhooks/${enc(String(id))}/test`),

    // audit
    listAuditLogs: (query: AuditQuery, signal?: AbortSignal) => get<Page<AuditEntry>>('/audit-logs', query, signal),

    // contacts
    listContacts: (query: ContactQuery, signal?: AbortSignal) => get<Page<Contact>>('/contacts', query, signal),
    getContact: (id: Id) => get<Contact>(`/contacts/${enc(String(id))}`),
    createContact: (input: ContactInput) => post<Contact>('/contacts', input),
    updateContact: (id: Id, input: ContactInput) => patch<Contact>(`/contacts/${enc(String(id))}`, input),
    deleteContact: (id: Id) => del(`/contacts/${enc(String(id))}`),
    mergeContacts: (primaryId: Id, secondaryId: Id) => post<Contact>('/contacts/merge', { primaryId, secondaryId }),
    contactsExportUrl: (query: Omit<ContactQuery, 'cursor' | 'limit'>) => `${baseUrl}/contacts/export${buildQuery(query)}`,
    uploadContactsImport: (file: File, onProgress?: (p: UploadProgress) => void) => {
      const form = new FormData();
      form.append('file', file, file.name);
      return upload<ContactImport>('/contacts/imports', form, onProgress);
    },
    listImports: () => get<Page<ContactImport>>('/contacts/imports'),
    getImport: (id: Id) => get<ContactImport>(`/contacts/imports/${enc(String(id))}`),

    // inbox: conversations
    listConversations: (query: ConversationQuery, signal?: AbortSignal) =>
      get<ConversationPage>('/conversations', { ...query, unread: query.unread ? true : undefined }, signal),
    getConversation: (id: Id) => get<ConversationSummary>(conv(id)),
    updateConversation: (id: Id, input: UpdateConversationInput) => patch<ConversationSummary>(conv(id), input),
    markConversationRead: (id: Id) => post<void>(`${conv(id)}/read`),
    assignConversation: (id: Id, userId: number | null) => post<ConversationSummary>(`${conv(id)}/assign`, { userId }),
    transferConversation: (id: Id, input: TransferInput) => post<ConversationSummary>(`${conv(id)}/transfer`, input),
    listAssignments: (id: Id) => get<Page<Assignment>>(`${conv(id)}/assignments`),
    listTransfers: (id: Id) => get<Page<Transfer>>(`${conv(id)}/transfers`),
    setConversationTags: (id: Id, tagIds: number[]) => put<ConversationSummary>(`${conv(id)}/tags`, { tagIds }),

    // inbox: messages (pages go backwards: `before` is the previous answer's nextCursor)
    listMessages: (id: Id, query: { before?: string | null; limit?: number } = {}, signal?: AbortSignal) =>
      get<Page<Message>>(`${conv(id)}/messages`, query, signal),
    sendMessage: (id: Id, input: SendMessageInput) => post<Message>(`${conv(id)}/messages`, input),
    /** An internal note through the messages route (`type: note`); answers the created Note. */
    sendNote: (id: Id, text: string) => post<Note>(`${conv(id)}/messages`, { type: 'note', text }),
    /** A file (multipart `file` + optional `caption`), with the CSRF header like every unsafe request. */
    sendFile: (id: Id, file: File, caption?: string, onProgress?: (p: UploadProgress) => void) => {
      const form = new FormData();
      form.append('file', file, file.name);
      if (caption && caption.trim()) form.append('caption', caption);
      return upload<Message>(`${conv(id)}/messages`, form, onProgress);
    },
    retryMessage: (id: Id, messageId: Id) => post<Message>(`${conv(id)}/messages/${enc(String(messageId))}/retry`),

    // inbox: notes
    listNotes: (id: Id) => get<Page<Note>>(`${conv(id)}/notes`),
    createNote: (id: Id, input: NoteInput) => post<Note>(`${conv(id)}/notes`, input),
    updateNote: (id: Id, noteId: Id, input: Partial<NoteInput>) => patch<Note>(`${conv(id)}/notes/${enc(String(noteId))}`, input),
    deleteNote: (id: Id, noteId: Id) => del(`${conv(id)}/notes/${enc(String(noteId))}`),

    // inbox: conversation tag definitions
    listConversationTags: () => get<Page<ConversationTag>>('/conversation-tags'),
    createConversationTag: (input: ConversationTagInput) => post<ConversationTag>('/conversation-tags', input),
    updateConversationTag: (id: Id, input: Partial<ConversationTagInput>) => patch<ConversationTag>(`/conversation-tags/${enc(String(id))}`, input),
    deleteConversationTag: (id: Id) => del(`/conversation-tags/${enc(String(id))}`),

    // inbox: canned responses
    listCannedResponses: (q?: string) => get<Page<CannedResponse>>('/canned-responses', { q }),
    createCannedResponse: (input: CannedResponseInput) => post<CannedResponse>('/canned-responses', input),
    updateCannedResponse: (id: Id, input: Partial<CannedResponseInput>) => patch<CannedResponse>(`/canned-responses/${enc(String(id))}`, input),
    deleteCannedResponse: (id: Id) => del(`/canned-responses/${enc(String(id))}`),

    // inbox: WhatsApp message templates (Meta's, or Twilio Content templates)
    listMessageTemplates: (channelId: Id) => get<Page<MessageTemplate>>('/message-templates', { channelId }),
    syncMessageTemplates: (channelId: Id) => post<Page<MessageTemplate>>(`/channels/${enc(String(channelId))}/templates/sync`),
    createContentTemplate: (channelId: Id, input: ContentTemplateInput) => post<MessageTemplate>(`/channels/${enc(String(channelId))}/templates`, input),
    deleteMessageTemplate: (channelId: Id, templateId: Id) => del(`/channels/${enc(String(channelId))}/templates/${enc(String(templateId))}`),
    attachmentUrl: (id: Id) => `${baseUrl}/attachments/${enc(String(id))}`,
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The app-wide client. */
export const api = createApiClient();
