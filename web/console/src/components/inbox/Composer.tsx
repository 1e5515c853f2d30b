import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage, type CannedResponse, type ConversationSummary, type TemplateRef, type UploadProgress } from '../../api';
import { formatBytes } from '../../lib/format';
import { hasProblemCode, isWhatsApp, isWindowClosed, shortcutAtCaret, timeLeft } from '../../lib/inbox';
import { Dialog } from '../Dialog';
import { ErrorBanner } from '../Feedback';
import { TemplatePicker } from './TemplatePicker';

export const COMPOSER_TEXT_ID = 'composer-text';

type Mode = 'reply' | 'note';

function CannedResponsesDialog({
  open,
  onClose,
  responses,
  onPick,
}: {
  open: boolean;
  onClose: () => void;
  responses: CannedResponse[] | null;
  onPick: (r: CannedResponse) => void;
}) {
  const [q, setQ] = useState('');
  useEffect(() => {
    if (open) setQ('');
  }, [open]);
  const needle = q.trim().toLowerCase();
  const shown = (responses ?? []).filter(
    (r) => !needle || r.title.toLowerCase().includes(needle) || r.shortcut.toLowerCase().includes(needle) || r.content.toLowerCase().includes(needle),
  );
  return (
    <Dialog open={open} onClose={onClose} title="Canned responses" description={<p>Pick a response to insert it into your reply. Tip: type / and its shortcut in the reply box.</p>}>
      <div className="field">
        <label htmlFor="canned-search" className="field__label">
          Search responses
        </label>
        <input id="canned-search" className="input input--search" type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" autoFocus />
      </div>
      {responses === null && <p className="muted">Canned responses could not be loaded.</p>}
      {responses && shown.length === 0 && (
        <p className="muted">
          {responses.length === 0 ? 'No canned responses yet.' : 'No responses match.'} <Link to="/canned-responses">Manage canned responses</Link>
        </p>
      )}
      <ul className="canned-list">
        {shown.map((r) => (
          <li key={r.id}>
            <button type="button" className="canned-list__item" onClick={() => onPick(r)}>
              <span className="canned-list__title">
                {r.title} <code>/{r.shortcut}</code>
              </span>
              <span className="canned-list__content">{r.content}</span>
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

/**
 * The reply box: Enter sends (Shift+Enter for a new line), a file with the text as its caption, canned responses by
 * "/shortcut" or the picker, internal notes, and WhatsApp templates once the 24-hour window has closed.
 */
export function Composer({
  conversation,
  canReply,
  canSyncTemplates,
  role,
  now,
  cannedResponses,
  draft,
  onDraft,
  onSendText,
  onSendFile,
  onSendTemplate,
  onSendNote,
}: {
  conversation: ConversationSummary;
  canReply: boolean;
  canSyncTemplates: boolean;
  role: string;
  now: number;
  cannedResponses: CannedResponse[] | null;
  draft: string;
  onDraft: (text: string) => void;
  onSendText: (text: string) => Promise<void>;
  onSendFile: (file: File, caption: string, onProgress: (p: UploadProgress) => void) => Promise<void>;
  onSendTemplate: (template: TemplateRef) => Promise<void>;
  onSendNote: (text: string) => Promise<void>;
}) {
  const [mode, setMode] = useState<Mode>('reply');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [optedOut, setOptedOut] = useState(false);
  const [serverClosed, setServerClosed] = useState(false);
  const [caret, setCaret] = useState(0);
  const [suggestIndex, setSuggestIndex] = useState(0);
  const [suggestDismissed, setSuggestDismissed] = useState(false);
  const [pickerOpen, setPickerOpen] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const closed = mode === 'reply' && (serverClosed || isWindowClosed(conversation, now));
  const token = shortcutAtCaret(draft, caret);
  const needle = token?.query.toLowerCase() ?? '';
  const suggestions =
    token && cannedResponses && !suggestDismissed
      ? cannedResponses.filter((r) => r.shortcut.toLowerCase().startsWith(needle) || (needle && r.title.toLowerCase().includes(needle))).slice(0, 8)
      : [];
  const suggesting = suggestions.length > 0;

  useEffect(() => setSuggestIndex(0), [needle]);

  if (!canReply) {
    return (
      <div className="composer composer--locked">
        <label htmlFor={COMPOSER_TEXT_ID} className="visually-hidden">
          Reply
        </label>
        <textarea id={COMPOSER_TEXT_ID} className="input textarea composer__text" disabled rows={2} aria-describedby="composer-locked" placeholder="Replying is not available" />
        <p id="composer-locked" className="composer__locked" role="note">
          You can read this conversation, but your role ({role}) cannot reply to customers. Ask an administrator for the
          “reply to conversations” permission.
        </p>
      </div>
    );
  }

  function insertText(start: number, end: number, text: string) {
    const next = draft.slice(0, start) + text + draft.slice(end);
    onDraft(next);
    const pos = start + text.length;
    setCaret(pos);
    requestAnimationFrame(() => {
      const el = textRef.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  }

  function pickCanned(r: CannedResponse) {
    if (token && suggesting) insertText(token.start, caret, r.content);
    else {
      const el = textRef.current;
      const start = el?.selectionStart ?? draft.length;
      const end = el?.selectionEnd ?? draft.length;
      insertText(start, end, r.content);
    }
    setPickerOpen(false);
  }

  function handleError(err: unknown) {
    if (hasProblemCode(err, 'window_closed')) {
      setServerClosed(true);
      return;
    }
    if (hasProblemCode(err, 'opted_out')) {
      setOptedOut(true);
      return;
    }
    setError(errorMessage(err));
  }

  async function send() {
    if (sending) return;
    const text = draft;
    if (!text.trim() && !(file && mode === 'reply')) return;
    setError(null);
    setSending(true);
    try {
      if (mode === 'note') {
        onDraft('');
        await onSendNote(text.trim()).catch((err: unknown) => {
          onDraft(text);
          throw err;
        });
      } else if (file) {
        setProgress(0);
        await onSendFile(file, text.trim(), (p) => setProgress(p.total ? Math.round((p.loaded / p.total) * 100) : null));
        setFile(null);
        onDraft('');
      } else {
        onDraft(''); // the message shows at once as pending
        await onSendText(text).catch((err: unknown) => {
          onDraft(text);
          throw err;
        });
      }
      setOptedOut(false);
    } catch (err) {
      handleError(err);
    } finally {
      setSending(false);
      setProgress(null);
    }
  }

  async function sendTemplate(t: TemplateRef) {
    try {
      await onSendTemplate(t);
      setOptedOut(false);
    } catch (err) {
      if (hasProblemCode(err, 'opted_out')) setOptedOut(true);
      throw err;
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void send();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (suggesting) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setSuggestIndex((i) => (i + d + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pickCanned(suggestions[Math.min(suggestIndex, suggestions.length - 1)]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setSuggestDismissed(true);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  const whatsapp = isWhatsApp(conversation.channel.type);
  const windowNote =
    whatsapp && mode === 'reply' && !closed && conversation.windowExpiresAt ? `WhatsApp window closes in ${timeLeft(conversation.windowExpiresAt, now)}` : null;
  const activeSuggestion = suggesting ? `canned-option-${suggestions[Math.min(suggestIndex, suggestions.length - 1)].id}` : undefined;

  return (
    <div className={`composer${mode === 'note' ? ' composer--note' : ''}`}>
      <div className="composer__modes" role="group" aria-label="Message kind">
        <button type="button" className={`composer__mode${mode === 'reply' ? ' composer__mode--active' : ''}`} aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" className={`composer__mode${mode === 'note' ? ' composer__mode--active' : ''}`} aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          Internal note
        </button>
        {windowNote && <span className="composer__window muted">{windowNote}</span>}
      </div>

      {optedOut && (
        <ErrorBanner title="This contact has opted out.">
          They asked not to receive messages on this channel, so nothing can be sent until they opt in again. Internal notes still
          work.
        </ErrorBanner>
      )}

      {closed ? (
        <TemplatePicker channelId={conversation.channel.id} channelType={conversation.channel.type} canSync={canSyncTemplates} onSend={sendTemplate} />
      ) : (
        <form className="composer__form" onSubmit={onSubmit} noValidate>
          {error && <ErrorBanner title={error} />}
          <label htmlFor={COMPOSER_TEXT_ID} className="visually-hidden">
            {mode === 'note' ? 'Internal note (only your team sees it)' : file ? 'Caption' : 'Reply'}
          </label>
          <div className="composer__box">
            <textarea
              id={COMPOSER_TEXT_ID}
              ref={textRef}
              className="input textarea composer__text"
              rows={3}
              value={draft}
              placeholder={
                mode === 'note' ? 'Write an internal note — only your team sees it' : file ? 'Add a caption (optional)' : 'Type a reply — Enter to send, Shift+Enter for a new line, / for canned responses'
              }
              onChange={(e) => {
                onDraft(e.target.value);
                setCaret(e.target.selectionStart ?? e.target.value.length);
                setSuggestDismissed(false);
              }}
              onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
              onKeyDown={onKeyDown}
              aria-keyshortcuts="r"
              aria-autocomplete="list"
              aria-controls={suggesting ? 'canned-suggestions' : undefined}
              aria-activedescendant={activeSuggestion}
            />
            {suggesting && (
              <ul id="canned-suggestions" className="canned-suggestions" role="listbox" aria-label="Canned responses">
                {suggestions.map((r, i) => (
                  <li
                    key={r.id}
                    id={`canned-option-${r.id}`}
                    role="option"
                    aria-selected={i === suggestIndex}
                    className={`canned-suggestions__item${i === suggestIndex ? ' canned-suggestions__item--active' : ''}`}
                    onMouseDown={(e) => {
                      e.preventDefault();
                      pickCanned(r);
                    }}
                  >
                    <code>/{r.shortcut}</code> <span className="canned-suggestions__title">{r.title}</span>
                    <span className="canned-suggestions__content">{r.content}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
          {file && (
            <div className="composer__file">
              <span aria-hidden="true">⇩</span> {file.name} <span className="muted">({formatBytes(file.size)})</span>
              {progress !== null && <progress max={100} value={progress} aria-label="Upload progress" />}
              <button type="button" className="btn btn--ghost btn--sm" onClick={() => setFile(null)} disabled={sending} aria-label={`Remove ${file.name}`}>
                Remove
              </button>
            </div>
          )}
          <div className="composer__actions">
            {mode === 'reply' && (
              <>
                <input
                  ref={fileRef}
                  id="composer-file"
                  type="file"
                  className="visually-hidden"
                  tabIndex={-1}
                  aria-hidden="true"
                  onChange={(e) => {
                    setFile(e.target.files?.[0] ?? null);
                    e.target.value = '';
                  }}
                />
                <button type="button" className="btn btn--ghost btn--sm" onClick={() => fileRef.current?.click()} disabled={sending}>
                  <span aria-hidden="true">+ </span>Attach file
                </button>
              </>
            )}
            <button type="button" className="btn btn--ghost btn--sm" onClick={() => setPickerOpen(true)}>
              <span aria-hidden="true">⚡ </span>Canned responses
            </button>
            <span className="composer__spacer" />
            <button type="submit" className="btn btn--primary" disabled={sending || (!draft.trim() && !(file && mode === 'reply'))}>
              {sending ? 'Sending…' : mode === 'note' ? 'Add internal note' : 'Send'}
            </button>
          </div>
        </form>
      )}
      <CannedResponsesDialog open={pickerOpen} onClose={() => setPickerOpen(false)} responses={cannedResponses} onPick={pickCanned} />
    </div>
  );
}
