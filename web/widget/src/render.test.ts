import { describe, expect, it } from 'vitest';
import { applyStatus, escapeHtml, messageHtml, textColorOn, unreadCount, upsertMessage } from './render';
import type { VisitorMessage } from './types';

const message = (id: number, senderType: 'customer' | 'agent', status: VisitorMessage['status'] = 'sent', createdAt = '2025-01-01T10:00:00Z'): VisitorMessage => ({
  id, senderType, agentName: senderType === 'agent' ? 'Ana' : null, type: 'text', text: `m${id}`, attachments: [], status, createdAt,
});

describe('messageHtml', () => {
  it('escapes markup so a message can never inject HTML', () => {
    expect(messageHtml('<img src=x onerror="alert(1)">')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(escapeHtml(`Tom & "Jerry" 'n' <b>`)).toBe('Tom &amp; &quot;Jerry&quot; &#39;n&#39; &lt;b&gt;');
  });

  it('links http(s) addresses, leaving trailing punctuation and other schemes alone', () => {
    expect(messageHtml('See https://example.com/a?b=1&c=2.')).toBe(
      'See <a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">https://example.com/a?b=1&amp;c=2</a>.');
    expect(messageHtml('javascript:alert(1)')).toBe('javascript:alert(1)');
    expect(messageHtml('http://x.test/"onmouseover="alert(1)')).not.toContain('"onmouseover');
  });

  it('keeps line breaks', () => {
    expect(messageHtml('one\ntwo\r\n<three>')).toBe('one<br>two<br>&lt;three&gt;');
  });
});

describe('the thread', () => {
  it('adds a message once, whether it comes as an answer or live, in time order', () => {
    let thread = [message(1, 'customer'), message(3, 'agent', 'sent', '2025-01-01T10:02:00Z')];
    thread = upsertMessage(thread, message(2, 'agent', 'sent', '2025-01-01T10:01:00Z'));
    thread = upsertMessage(thread, message(2, 'agent', 'delivered', '2025-01-01T10:01:00Z'));
    expect(thread.map((m) => [m.id, m.status])).toEqual([[1, 'sent'], [2, 'delivered'], [3, 'sent']]);
  });

  it('moves statuses forward only and counts unread agent messages', () => {
    let thread = [message(1, 'customer'), message(2, 'agent'), message(3, 'agent')];
    expect(unreadCount(thread)).toBe(2);
    thread = applyStatus(thread, { messageId: 2, status: 'read' });
    thread = applyStatus(thread, { messageId: 2, status: 'delivered' });
    expect(thread[1].status).toBe('read');
    expect(unreadCount(thread)).toBe(1);
  });
});

describe('textColorOn', () => {
  it('picks the readable text colour for the channel colour', () => {
    expect(textColorOn('#3b5bdb')).toBe('#ffffff');
    expect(textColorOn('#ffd43b')).toBe('#000000');
    expect(textColorOn('red')).toBe('#ffffff');
  });
});
