import type { WebhookDeliveryStatus, WebhookEventType } from '../api';

/* Wording and small rules of the Webhooks pages (docs/webhooks.md). */

/** What each event is, for the event checkboxes and the list. */
export const WEBHOOK_EVENT_INFO: Record<WebhookEventType, string> = {
  'message.created': 'A customer’s message arrives or an agent sends one',
  'message.status': 'An outbound message is sent, delivered, read, fails or is retried',
  'conversation.created': 'A customer’s first message opens a conversation',
  'conversation.updated': 'Anything on a conversation changes (new message, status, read, assignment, tags)',
  'conversation.assigned': 'A conversation is assigned or unassigned',
};

/** The headers every delivery carries, in the order the signing help explains them. */
export const WEBHOOK_HEADERS: { name: string; what: string }[] = [
  { name: 'X-Switchboard-Signature', what: '“sha256=” and the lower-case hex HMAC-SHA256 of the timestamp, a dot and the raw body, keyed with the webhook secret.' },
  { name: 'X-Switchboard-Timestamp', what: 'Unix seconds when this attempt was signed; refuse requests more than a few minutes old.' },
  { name: 'X-Switchboard-Event', what: 'The event type, e.g. message.created (ping for a test).' },
  { name: 'X-Switchboard-Event-Id', what: 'The same for every retry and resend of one event: use it to drop duplicates.' },
  { name: 'X-Switchboard-Delivery', what: 'This delivery’s id in the delivery log.' },
];

type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

export const DELIVERY_STATUS: Record<WebhookDeliveryStatus, { label: string; tone: Tone }> = {
  pending: { label: 'Pending', tone: 'warning' },
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
};

/** A receiver's answer (or error) cut to `max` characters on one line, for tables and summaries. */
export function excerpt(text: string | null | undefined, max = 120): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "All events" for an empty list (it receives every event, including ones added later). */
export function eventsLabel(events: readonly string[]): string {
  return events.length === 0 ? 'All events' : events.join(', ');
}

/** The host of a subscription URL, for short confirmations ("hooks.example.com"). */
export function urlHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
