import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Attachment, Message, MessageStatus } from '../../api';
import { formatBytes, formatDateTime } from '../../lib/format';
import { dayKey, formatDay, formatTime } from '../../lib/inbox';
import { ErrorBanner, Loading } from '../Feedback';

const STATUS_LABEL: Record<MessageStatus, string> = { pending: 'Pending', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Failed' };
const STATUS_ICON: Record<MessageStatus, string> = { pending: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

/** Outbound delivery ticks: clock, ✓, ✓✓, blue ✓✓, red ! — each with a text label for assistive technology. */
export function StatusTicks({ message }: { message: Message }) {
  const at =
    message.status === 'read' ? message.readAt : message.status === 'delivered' ? message.deliveredAt : message.status === 'sent' ? message.sentAt : message.status === 'failed' ? message.failedAt : null;
  const label = STATUS_LABEL[message.status];
  return (
    <span
      className={`ticks ticks--${message.status}`}
      role="img"
      aria-label={label}
      title={at ? `${label} · ${formatDateTime(at)}` : label}
      data-testid={`ticks-${message.id}`}
    >
      {STATUS_ICON[message.status]}
    </span>
  );
}

function isImage(a: Attachment) {
  return a.type === 'image' || a.mimeType.startsWith('image/');
}

/** Files download rather than open: a file people sent never becomes a page of the console's origin. The server names
 * the download (an empty `download` takes its Content-Disposition name). */
function Attachments({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <ul className="msg__attachments">
      {attachments.map((a) =>
        isImage(a) ? (
          <li key={a.id}>
            <a href={a.url} download="" className="msg__image-link" title={`Download ${a.filename ?? 'image'}`}>
              <img className="msg__image" src={a.url} alt={a.filename ?? 'Image'} loading="lazy" />
            </a>
          </li>
        ) : (
          <li key={a.id}>
            <a className="msg__file" href={a.url} download="">
              <span aria-hidden="true">⇩ </span>
              {a.filename ?? `${a.type} attachment`} <span className="muted">({formatBytes(a.fileSize)})</span>
            </a>
          </li>
        ),
      )}
    </ul>
  );
}

function senderLabel(m: Message, contactName: string): string {
  switch (m.senderType) {
    case 'customer':
      return contactName;
    case 'agent':
      return m.agent?.name ?? 'Agent';
    case 'bot':
      return 'Bot';
    default:
      return 'System';
  }
}

function MessageText({ m }: { m: Message }) {
  if (m.text) return <p className="msg__text">{m.text}</p>;
  if (m.attachments.length > 0) return null;
  if (m.type === 'unsupported') return <p className="msg__text msg__text--muted">This message type is not supported yet; see it on the customer's phone.</p>;
  return <p className="msg__text msg__text--muted">[{m.type}]</p>;
}

function MessageBubble({ m, contactName, canRetry, onRetry }: { m: Message; contactName: string; canRetry: boolean; onRetry: (m: Message) => Promise<void> }) {
  const [retrying, setRetrying] = useState(false);
  const outbound = m.direction === 'outbound';
  const system = m.senderType === 'system';
  async function retry() {
    setRetrying(true);
    try {
      await onRetry(m);
    } finally {
      setRetrying(false);
    }
  }
  return (
    <li className={`msg ${system ? 'msg--system' : outbound ? 'msg--out' : 'msg--in'}${m.status === 'failed' && outbound ? ' msg--failed' : ''}`} data-testid="message">
      <div className="msg__bubble">
        <div className="msg__sender">
          {senderLabel(m, contactName)}
          {m.senderType === 'customer' && <span className="visually-hidden"> (customer)</span>}
          {m.isTemplate && (
            <span className="msg__template" title={m.template ? `${m.template.name} (${m.template.language})` : undefined}>
              Template{m.template ? ` · ${m.template.name}` : ''}
            </span>
          )}
        </div>
        <MessageText m={m} />
        <Attachments attachments={m.attachments} />
        <div className="msg__footer">
          <time dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
            {formatTime(m.createdAt)}
          </time>
          {outbound && !system && <StatusTicks message={m} />}
        </div>
      </div>
      {outbound && m.status === 'failed' && (
        <div className="msg__error">
          <span>
            Not delivered{m.errorMessage ? `: ${m.errorMessage}` : '.'}
            {m.errorCode && <span className="muted"> (code {m.errorCode})</span>}
          </span>
          {canRetry && (
            <button type="button" className="btn btn--secondary btn--sm" onClick={retry} disabled={retrying}>
              {retrying ? 'Retrying…' : 'Retry'}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/** Messages oldest → newest, kept scrolled to the newest unless the reader scrolled up; "Load earlier" keeps the place. */
export function Thread({
  messages,
  contactName,
  loading,
  error,
  hasEarlier,
  loadingEarlier,
  onLoadEarlier,
  onReload,
  canRetry,
  onRetry,
}: {
  messages: Message[];
  contactName: string;
  loading: boolean;
  error: string | null;
  hasEarlier: boolean;
  loadingEarlier: boolean;
  onLoadEarlier: () => void;
  onReload: () => void;
  canRetry: boolean;
  onRetry: (m: Message) => Promise<void>;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // The first page is not read out as it loads; messages that arrive afterwards are.
  const [announce, setAnnounce] = useState(false);
  useEffect(() => {
    if (loading || announce) return;
    const t = setTimeout(() => setAnnounce(true), 300);
    return () => clearTimeout(t);
  }, [loading, announce]);
  const atBottom = useRef(true);
  const previous = useRef<{ firstId: number | null; lastId: number | null; height: number }>({ firstId: null, lastId: null, height: 0 });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstId = messages[0]?.id ?? null;
    const lastId = messages[messages.length - 1]?.id ?? null;
    const prev = previous.current;
    const last = messages[messages.length - 1];
    if (prev.firstId !== null && firstId !== prev.firstId && lastId === prev.lastId) {
      // Older messages were added above: keep the reader where they were.
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (prev.lastId === null || atBottom.current || (lastId !== prev.lastId && last?.direction === 'outbound')) {
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { firstId, lastId, height: el.scrollHeight };
  }, [messages]);

  return (
    <div
      className="thread"
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
      }}
    >
      {hasEarlier && (
        <div className="thread__earlier">
          <button type="button" className="btn btn--ghost btn--sm" onClick={onLoadEarlier} disabled={loadingEarlier}>
            {loadingEarlier ? 'Loading…' : 'Load earlier messages'}
          </button>
        </div>
      )}
      {error && (
        <ErrorBanner title="Could not load messages." onRetry={onReload}>
          {error}
        </ErrorBanner>
      )}
      {loading && messages.length === 0 && <Loading label="Loading messages…" />}
      {!loading && !error && messages.length === 0 && <p className="thread__empty muted">No messages in this conversation yet.</p>}
      <div role="log" aria-label="Messages" aria-live={announce ? 'polite' : 'off'}>
      <ol className="thread__messages">
        {messages.map((m, i) => {
          const day = dayKey(m.createdAt);
          const newDay = i === 0 || dayKey(messages[i - 1].createdAt) !== day;
          return (
            <Fragment key={m.id}>
              {newDay && (
                <li className="thread__day" aria-hidden="true">
                  <span>{formatDay(m.createdAt)}</span>
                </li>
              )}
              <MessageBubble m={m} contactName={contactName} canRetry={canRetry} onRetry={onRetry} />
            </Fragment>
          );
        })}
      </ol>
      </div>
    </div>
  );
}
