import type { MessageStatus, VisitorMessage, VisitorMessageStatus } from './types';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** http(s) links, without trailing punctuation that usually ends the sentence rather than the address. */
const LINK = /\bhttps?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]]/g;

/** A message's text as HTML: everything escaped, http(s) links clickable (opening elsewhere), line breaks kept. */
export function messageHtml(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const url = match[0];
    const at = match.index ?? 0;
    html += escapeHtml(text.slice(last, at));
    html += `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer nofollow">${escapeHtml(url)}</a>`;
    last = at + url.length;
  }
  html += escapeHtml(text.slice(last));
  return html.replace(/\r?\n/g, '<br>');
}

/** Adds a message or replaces the copy with its id (it may arrive both as an answer and live), oldest first. */
export function upsertMessage(messages: VisitorMessage[], message: VisitorMessage): VisitorMessage[] {
  const others = messages.filter((m) => m.id !== message.id);
  return [...others, message].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
}

const RANK: Record<MessageStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: -1 };

/** A status only moves forward, as on the server. */
export function applyStatus(messages: VisitorMessage[], update: VisitorMessageStatus): VisitorMessage[] {
  return messages.map((m) => (m.id === update.messageId && RANK[update.status] > RANK[m.status] ? { ...m, status: update.status } : m));
}

export function unreadCount(messages: VisitorMessage[]): number {
  return messages.filter((m) => m.senderType === 'agent' && m.status !== 'read').length;
}

/** Black or white, whichever reads better on a #rrggbb background (WCAG relative luminance). */
export function textColorOn(hex: string): '#000000' | '#ffffff' {
  const match = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!match) return '#ffffff';
  const channel = (offset: number) => {
    const c = parseInt(match[1].slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}
