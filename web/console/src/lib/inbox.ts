import {
  ApiError,
  type ConversationCounts,
  type ConversationQuery,
  type ConversationStatus,
  type ConversationSummary,
  type Message,
  type MessageStatus,
  type MessageStatusEvent,
  type MessageTemplate,
} from '../api';

/* Pure helpers of the inbox: filters, ordering, message merging, templates, snooze times. */

/** The status tabs of the conversation list (archived conversations are not shown). */
export const STATUS_TABS: { status: ConversationStatus; label: string }[] = [
  { status: 'new', label: 'New' },
  { status: 'open', label: 'Open' },
  { status: 'pending', label: 'Pending' },
  { status: 'snoozed', label: 'Snoozed' },
  { status: 'resolved', label: 'Resolved' },
];

export const EMPTY_COUNTS: ConversationCounts = { new: 0, open: 0, pending: 0, snoozed: 0, resolved: 0, archived: 0 };

export interface InboxFilters {
  status: ConversationStatus;
  /** '' = everyone, 'me', 'unassigned' or a user id. */
  assignee: string;
  channelId: string;
  departmentId: string;
  tagId: string;
  unread: boolean;
  q: string;
}

export const DEFAULT_FILTERS: InboxFilters = { status: 'new', assignee: '', channelId: '', departmentId: '', tagId: '', unread: false, q: '' };

/** The tabs the inbox may open on by itself, in order: new customer conversations first. */
export const STARTING_TABS: ConversationStatus[] = ['new', 'open', 'pending'];

/** The first of New, Open, Pending with conversations; null when all three are empty. */
export function firstNonEmptyTab(counts: Partial<ConversationCounts>): ConversationStatus | null {
  return STARTING_TABS.find((s) => (counts[s] ?? 0) > 0) ?? null;
}

export function toConversationQuery(f: InboxFilters): ConversationQuery {
  return {
    status: f.status,
    assignee: f.assignee || undefined,
    channelId: f.channelId ? Number(f.channelId) : undefined,
    departmentId: f.departmentId ? Number(f.departmentId) : undefined,
    tagId: f.tagId ? Number(f.tagId) : undefined,
    unread: f.unread || undefined,
    q: f.q || undefined,
  };
}

/** Where an agent's explicit tab choice is kept for the browser session (per workspace and person). */
export const tabChoiceKey = (tenantId: number | string, userId: number | string) => `switchboard.inbox.tab.${tenantId}.${userId}`;

/** The tab the agent chose earlier in this browser session, if any. */
export function readTabChoice(key: string): ConversationStatus | null {
  try {
    const value = window.sessionStorage.getItem(key);
    return STATUS_TABS.some((t) => t.status === value) ? (value as ConversationStatus) : null;
  } catch {
    return null; // storage unavailable: every visit starts on the first non-empty tab
  }
}

export function saveTabChoice(key: string, status: ConversationStatus) {
  try {
    window.sessionStorage.setItem(key, status);
  } catch {
    // storage unavailable or full: the choice lasts while the page is open
  }
}

/** Any filter besides the status tab. */
export function hasNarrowingFilters(f: InboxFilters): boolean {
  return !!(f.assignee || f.channelId || f.departmentId || f.tagId || f.unread || f.q);
}

const same = (a: number | string | null | undefined, b: number | string | null | undefined) => a != null && b != null && String(a) === String(b);

/**
 * Whether a conversation belongs in the list for these filters (used for live updates; the server decides on load).
 * `q` also matches message text on the server, which the console cannot check: a row already shown stays (`wasShown`).
 */
export function matchesFilters(
  c: ConversationSummary,
  f: InboxFilters,
  meId: number | string,
  { ignoreStatus = false, ignoreUnread = false, wasShown = false }: { ignoreStatus?: boolean; ignoreUnread?: boolean; wasShown?: boolean } = {},
): boolean {
  if (!ignoreStatus && c.status !== f.status) return false;
  if (f.assignee === 'me' && !same(c.assignedTo?.id, meId)) return false;
  if (f.assignee === 'unassigned' && c.assignedTo) return false;
  if (f.assignee && f.assignee !== 'me' && f.assignee !== 'unassigned' && !same(c.assignedTo?.id, f.assignee)) return false;
  if (f.channelId && !same(c.channel.id, f.channelId)) return false;
  if (f.departmentId && !same(c.departmentId, f.departmentId)) return false;
  if (f.tagId && !c.tags.some((t) => same(t.id, f.tagId))) return false;
  if (f.unread && !ignoreUnread && c.unreadCount <= 0) return false;
  if (f.q && !wasShown) {
    const q = f.q.toLowerCase();
    const hay = [c.contact.name, c.contact.phone, c.contact.email].filter(Boolean).join(' ').toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}

/** Newest activity first, as the server orders the list. */
export function activityTime(c: ConversationSummary): number {
  const t = Date.parse(c.lastMessageAt ?? c.createdAt);
  return Number.isNaN(t) ? 0 : t;
}

/** Puts `c` where its activity time belongs (replacing its old row). */
export function placeConversation(list: ConversationSummary[], c: ConversationSummary): ConversationSummary[] {
  const rest = list.filter((x) => x.id !== c.id);
  const t = activityTime(c);
  const at = rest.findIndex((x) => activityTime(x) <= t);
  return at === -1 ? [...rest, c] : [...rest.slice(0, at), c, ...rest.slice(at)];
}

export function contactLabel(contact: ConversationSummary['contact']): string {
  return contact.name || contact.phone || contact.email || `Contact #${contact.id}`;
}

export const WHATSAPP_TYPES = ['whatsapp', 'twilio_whatsapp'];
export const isWhatsApp = (type: string) => WHATSAPP_TYPES.includes(type);

/** The icon and short label of a channel type in the list and the thread. */
export function channelKind(type: string): { icon: string; label: string } {
  switch (type) {
    case 'whatsapp':
    case 'twilio_whatsapp':
      return { icon: '◍', label: 'WhatsApp' };
    case 'twilio_sms':
      return { icon: '▭', label: 'SMS' };
    case 'email':
      return { icon: '✉', label: 'Email' };
    case 'webchat':
      return { icon: '◌', label: 'Web chat' };
    default:
      return { icon: '•', label: type };
  }
}

/**
 * WhatsApp only lets a business send free-form messages within 24 h of the customer's last message. A WhatsApp conversation
 * whose window has passed, or was never opened (null), needs an approved template.
 */
export function isWindowClosed(c: Pick<ConversationSummary, 'channel' | 'windowExpiresAt'>, now: number): boolean {
  if (!isWhatsApp(c.channel.type)) return false;
  if (!c.windowExpiresAt) return true;
  const t = Date.parse(c.windowExpiresAt);
  return Number.isNaN(t) || t <= now;
}

/** True for a 422 problem with this `code` (window_closed, opted_out). */
export function hasProblemCode(err: unknown, code: string): boolean {
  return err instanceof ApiError && err.status === 422 && err.problem.code === code;
}

/** "now", "5m", "3h", "Yesterday", "Mon", "12 Mar" — short, for list rows. */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = Math.max(0, now - t);
  const minute = 60_000;
  if (diff < minute) return 'now';
  if (diff < 60 * minute) return `${Math.floor(diff / minute)}m`;
  const d = new Date(t);
  const today = new Date(now);
  const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  if (t >= startOfToday) return `${Math.floor(diff / (60 * minute))}h`;
  if (t >= startOfToday - 86_400_000) return 'Yesterday';
  if (t >= startOfToday - 6 * 86_400_000) return d.toLocaleDateString(undefined, { weekday: 'short' });
  if (d.getFullYear() === today.getFullYear()) return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** "in 3 h", "in 25 min" for the WhatsApp window. */
/** WhatsApp's customer-service window: what is left of it is never shown as more. */
const WINDOW_MINUTES = 24 * 60;

/** Time left until `iso`, in whole minutes rounded down (and at most the window, whatever the clocks say). */
export function timeLeft(iso: string, now: number): string {
  const diff = Date.parse(iso) - now;
  if (diff <= 0) return 'closed';
  const minutes = Math.min(WINDOW_MINUTES, Math.floor(diff / 60_000));
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60 ? `${minutes % 60} min` : ''}`.trim();
}

// ---------------------------------------------------------------- messages

const STATUS_RANK: Record<MessageStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Whether a status update may replace the current one: provider callbacks arrive out of order (delivered before sent), so
 * ticks only move forward; failed wins, and a failed message may go back to pending when retried.
 */
export function statusAdvances(current: MessageStatus, next: MessageStatus): boolean {
  if (next === current) return false;
  if (next === 'failed' || current === 'failed') return true;
  return STATUS_RANK[next] > STATUS_RANK[current];
}

function byTime(a: Message, b: Message): number {
  const ta = Date.parse(a.createdAt);
  const tb = Date.parse(b.createdAt);
  if (ta !== tb) return ta - tb;
  // Optimistic messages (negative ids) sort after the server's at the same instant.
  if (a.id < 0 !== b.id < 0) return a.id < 0 ? 1 : -1;
  return a.id - b.id;
}

/** Adds or replaces messages by id, oldest → newest, never moving a message's ticks backwards. */
export function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  const map = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) {
    const existing = map.get(m.id);
    if (existing && !statusAdvances(existing.status, m.status) && existing.status !== m.status) {
      map.set(m.id, {
        ...m,
        status: existing.status,
        sentAt: existing.sentAt ?? m.sentAt,
        deliveredAt: existing.deliveredAt ?? m.deliveredAt,
        readAt: existing.readAt ?? m.readAt,
        failedAt: existing.failedAt ?? m.failedAt,
        errorCode: existing.errorCode ?? m.errorCode,
        errorMessage: existing.errorMessage ?? m.errorMessage,
      });
    } else {
      map.set(m.id, m);
    }
  }
  return [...map.values()].sort(byTime);
}

/** Applies a `messageStatus` event to the message it names (if loaded). */
export function applyMessageStatus(list: Message[], e: MessageStatusEvent): Message[] {
  return list.map((m) => {
    if (m.id !== e.messageId || !statusAdvances(m.status, e.status)) return m;
    const next: Message = { ...m, status: e.status };
    if (e.status === 'sent') next.sentAt = e.at;
    if (e.status === 'delivered') next.deliveredAt = e.at;
    if (e.status === 'read') next.readAt = e.at;
    if (e.status === 'failed') {
      next.failedAt = e.at;
      next.errorCode = e.errorCode;
      next.errorMessage = e.errorMessage;
    } else {
      next.errorCode = null;
      next.errorMessage = null;
    }
    return next;
  });
}

/** The list preview of a message, as the server writes `lastMessagePreview`: its text, or "[image]" etc. */
export function messagePreview(m: Message): string {
  if (m.text) return m.text;
  return `[${m.type}]`;
}

// ---------------------------------------------------------------- templates

export const isApproved = (t: MessageTemplate) => t.status.toLowerCase() === 'approved';

/** Who holds a WhatsApp channel's templates: Meta for the Cloud API, Twilio (Content templates) for Twilio's WhatsApp. */
export const templateProvider = (channelType: string) => (channelType === 'twilio_whatsapp' ? 'Twilio' : 'Meta');

/** How many `{{n}}` parameters a template takes: its parameterCount, or the highest placeholder in the body. */
export function templateParameterCount(t: Pick<MessageTemplate, 'body' | 'parameterCount'>): number {
  let max = 0;
  for (const match of t.body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) max = Math.max(max, Number(match[1]));
  return Math.max(t.parameterCount, max);
}

/** The body split into text and parameter parts, for a preview that marks what is filled in. */
export function templateParts(body: string, parameters: string[]): { text: string; param?: number; filled?: boolean }[] {
  const parts: { text: string; param?: number; filled?: boolean }[] = [];
  let last = 0;
  for (const match of body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ text: body.slice(last, index) });
    const n = Number(match[1]);
    const value = parameters[n - 1]?.trim();
    parts.push({ text: value ? value : `{{${n}}}`, param: n, filled: !!value });
    last = index + match[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last) });
  return parts;
}

export function fillTemplate(body: string, parameters: string[]): string {
  return templateParts(body, parameters)
    .map((p) => p.text)
    .join('');
}

// ---------------------------------------------------------------- snooze

export interface SnoozeOption {
  key: string;
  label: string;
  at: Date;
}

/** 1 hour from now, tomorrow 9:00, next Monday 9:00 (local time). */
export function snoozeOptions(now: Date): SnoozeOption[] {
  const inHour = new Date(now.getTime() + 3_600_000);
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0, 0);
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  const nextWeek = new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysToMonday, 9, 0, 0, 0);
  return [
    { key: 'hour', label: 'In 1 hour', at: inHour },
    { key: 'tomorrow', label: 'Tomorrow at 9:00', at: tomorrow },
    { key: 'week', label: 'Next week (Monday 9:00)', at: nextWeek },
  ];
}

/** <input type="datetime-local"> value (local time, minutes) for a date. */
export function toDateTimeLocal(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ---------------------------------------------------------------- canned responses

/** The `/shortcut` being typed just before the caret, if any: its start index and the text after the slash. */
export function shortcutAtCaret(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)\/([\w.-]*)$/.exec(before);
  if (!match) return null;
  return { start: before.length - match[2].length - 1, query: match[2] };
}

/** Shortcuts are stored without the slash; people may type one. */
export const normalizeShortcut = (value: string) => value.trim().replace(/^\/+/, '').replace(/\s+/g, '-');

// ---------------------------------------------------------------- formatting

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function formatDay(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}
