import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  api,
  errorMessage,
  type CannedResponse,
  type ConversationPage,
  type ConversationQuery,
  type ConversationSummary,
  type ConversationTag,
  type Department,
  type Message,
  type MessagingChannel,
  type TemplateRef,
  type TransferInput,
  type UpdateConversationInput,
  type UploadProgress,
  type User,
} from '../api';
import { Dialog } from '../components/Dialog';
import { Badge, EmptyState, ErrorBanner, PageHeader } from '../components/Feedback';
import { Composer, COMPOSER_TEXT_ID } from '../components/inbox/Composer';
import { ConversationList, conversationPath, conversationRowId } from '../components/inbox/ConversationList';
import { SidePanel } from '../components/inbox/SidePanel';
import { Thread } from '../components/inbox/Thread';
import { titleCase } from '../lib/format';
import { useDebouncedValue, useGlobalShortcut, useNow } from '../lib/hooks';
import {
  channelKind,
  contactLabel,
  DEFAULT_FILTERS,
  firstNonEmptyTab,
  isWhatsApp,
  messagePreview,
  readTabChoice,
  saveTabChoice,
  tabChoiceKey,
  type InboxFilters,
} from '../lib/inbox';
import { useInboxHub, type HubStatus } from '../lib/inboxHub';
import { useConversationList, useNotes, useThread } from '../lib/useInbox';
import { useRequiredSession } from '../session';

const HUB_LABEL: Record<HubStatus, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline — retrying' };

export const INBOX_SHORTCUTS: { keys: string[]; joiner?: string; what: string }[] = [
  { keys: ['j', 'k'], joiner: '/', what: 'Next / previous conversation' },
  { keys: ['Enter', 'o'], joiner: 'or', what: 'Open the highlighted conversation' },
  { keys: ['r'], what: 'Reply (focus the reply box)' },
  { keys: ['e'], what: 'Resolve the open conversation' },
  { keys: ['a'], what: 'Assign the open conversation to me' },
  { keys: ['/'], what: 'Search conversations' },
  { keys: ['?'], what: 'Show these shortcuts' },
];

function HubIndicator({ status }: { status: HubStatus }) {
  return (
    <span className={`hub-status hub-status--${status}`} role="status" title="Real-time updates">
      <span className="hub-status__dot" aria-hidden="true" />
      {HUB_LABEL[status]}
    </span>
  );
}

function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" size="sm">
      <p className="muted">Shortcuts work whenever you are not typing in a field.</p>
      <dl className="shortcuts">
        {INBOX_SHORTCUTS.map(({ keys, joiner, what }) => (
          <div key={what} className="shortcuts__row">
            <dt>
              {keys.map((k, i) => (
                <span key={k}>
                  {i > 0 && ` ${joiner} `}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <div className="form-actions">
        <button type="button" className="btn btn--primary" onClick={onClose} autoFocus>
          Got it
        </button>
      </div>
    </Dialog>
  );
}

/** An outbound message shown at once while the server accepts it (negative ids never clash with the server's). */
let optimisticSeq = 0;
function optimisticText(conversationId: number, text: string, me: { id: number; name: string }): Message {
  optimisticSeq += 1;
  return {
    id: -optimisticSeq,
    conversationId,
    direction: 'outbound',
    type: 'text',
    text,
    isTemplate: false,
    template: null,
    senderType: 'agent',
    agent: me,
    status: 'pending',
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    errorCode: null,
    errorMessage: null,
    attachments: [],
    createdAt: new Date().toISOString(),
  };
}

/** The agent inbox: conversation list, thread with composer, and the conversation's details, updated live over the hub. */
export function InboxPage() {
  const session = useRequiredSession();
  const me = useMemo(() => ({ id: Number(session.user.id), name: session.user.name }), [session.user.id, session.user.name]);
  const canReply = session.can('conversations.reply');
  const navigate = useNavigate();
  const params = useParams();
  const selectedId = params.conversationId && /^\d+$/.test(params.conversationId) ? Number(params.conversationId) : null;
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;
  const now = useNow(30_000);
  const searchRef = useRef<HTMLInputElement>(null);

  // The tab: the one the agent chose earlier in this browser session, else the first of New, Open, Pending that has
  // conversations ('auto' asks for New, whose answer carries every tab's count; 'switching' moves to the one to show).
  const tabKey = tabChoiceKey(session.tenant.id, session.user.id);
  const [chosenTab] = useState(() => readTabChoice(tabKey));
  const [filters, setFilters] = useState<InboxFilters>(() => ({ ...DEFAULT_FILTERS, status: chosenTab ?? DEFAULT_FILTERS.status }));
  const [tabMode, setTabMode] = useState<'auto' | 'switching' | 'settled'>(chosenTab ? 'settled' : 'auto');
  const tabModeRef = useRef(tabMode);
  const settleTab = useCallback((mode: 'switching' | 'settled') => {
    tabModeRef.current = mode;
    setTabMode(mode);
  }, []);
  const onFirstPage = useCallback(
    (page: ConversationPage, query: ConversationQuery) => {
      if (tabModeRef.current === 'settled') return;
      const pick = tabModeRef.current === 'auto' ? firstNonEmptyTab(page.counts) : null;
      if (pick && pick !== query.status) {
        settleTab('switching');
        setFilters((f) => ({ ...f, status: pick }));
      } else {
        settleTab('settled');
      }
    },
    [settleTab],
  );
  const choosingTab = tabMode !== 'settled';
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 300);
  const effectiveFilters = useMemo(() => ({ ...filters, q }), [filters, q]);

  const [users, setUsers] = useState<User[] | null>(null);
  const [departments, setDepartments] = useState<Department[] | null>(null);
  const [channels, setChannels] = useState<MessagingChannel[] | null>(null);
  const [tags, setTags] = useState<ConversationTag[] | null>(null);
  const [canned, setCanned] = useState<CannedResponse[] | null>(null);

  useEffect(() => {
    // Lookups for filters and pickers; one that fails only hides its filter or picker.
    api.listUsers().then((r) => setUsers(r.items), () => setUsers(null));
    api.listDepartments().then((r) => setDepartments(r.items), () => setDepartments(null));
    api.listChannels().then((r) => setChannels(r.items), () => setChannels(null));
    api.listConversationTags().then((r) => setTags(r.items), () => setTags(null));
    if (canReply) api.listCannedResponses().then((r) => setCanned(r.items), () => setCanned(null));
  }, [canReply]);

  const list = useConversationList(effectiveFilters, me.id, selectedId, { onFirstPage });
  const thread = useThread(selectedId);
  const notes = useNotes(selectedId);
  const [conversation, setConversation] = useState<ConversationSummary | null>(null);
  const [conversationError, setConversationError] = useState<string | null>(null);
  const [highlightedId, setHighlightedId] = useState<number | null>(null);
  const [historyKey, setHistoryKey] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const listItems = useRef(list.items);
  listItems.current = list.items;
  const { patch: patchListed, applyUpdate } = list;

  const markRead = useCallback(
    (id: number) => {
      api.markConversationRead(id).then(
        () => {
          patchListed(id, (c) => ({ ...c, unreadCount: 0 }));
          setConversation((c) => (c && c.id === id ? { ...c, unreadCount: 0 } : c));
        },
        () => {},
      );
    },
    [patchListed],
  );

  // Opening a conversation: show the listed summary at once, fetch the fresh one, mark it read.
  useEffect(() => {
    setConversationError(null);
    setActionError(null);
    setDetailsOpen(false);
    if (selectedId === null) {
      setConversation(null);
      return;
    }
    setHighlightedId(selectedId);
    setConversation(listItems.current.find((c) => c.id === selectedId) ?? null);
    let cancelled = false;
    api.getConversation(selectedId).then(
      (c) => {
        if (cancelled) return;
        const fresh = { ...c, unreadCount: 0 };
        setConversation(fresh);
        patchListed(c.id, () => fresh);
      },
      (err: unknown) => !cancelled && setConversationError(errorMessage(err)),
    );
    markRead(selectedId);
    return () => {
      cancelled = true;
    };
  }, [selectedId, markRead, patchListed]);

  // New customer messages in the open conversation are read as they arrive (throttled).
  const readTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const readWhenVisible = useRef(false);
  const scheduleRead = useCallback(() => {
    if (readTimer.current) return;
    readTimer.current = setTimeout(() => {
      readTimer.current = null;
      const id = selectedRef.current;
      if (id === null) return;
      if (document.visibilityState === 'hidden') readWhenVisible.current = true;
      else markRead(id);
    }, 800);
  }, [markRead]);
  // Messages that arrived while the browser tab was hidden are read when the agent comes back.
  useEffect(() => {
    function onVisibility() {
      const id = selectedRef.current;
      if (document.visibilityState === 'hidden' || !readWhenVisible.current || id === null) return;
      readWhenVisible.current = false;
      markRead(id);
    }
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      if (readTimer.current) clearTimeout(readTimer.current);
    };
  }, [markRead]);

  /** A newer summary of a conversation, from an action's answer or the hub. */
  const applyConversation = useCallback(
    (c: ConversationSummary) => {
      const open = c.id === selectedRef.current;
      const next = open ? { ...c, unreadCount: 0 } : c;
      applyUpdate(next);
      if (open) setConversation(next);
    },
    [applyUpdate],
  );

  const refetchOpen = useCallback(() => {
    const id = selectedRef.current;
    if (id === null) return;
    api.getConversation(id).then((c) => selectedRef.current === id && applyConversation(c), () => {});
  }, [applyConversation]);

  const hubStatus = useInboxHub(String(session.tenant.id), selectedId, {
    onMessageCreated: ({ conversationId, message }) => {
      const open = conversationId === selectedRef.current;
      if (open) thread.upsert(message);
      // A system message (the visitor ended the chat) is a notice, not activity: the row stays as the server keeps it.
      if (message.senderType === 'system') return;
      if (open && message.direction === 'inbound') scheduleRead();
      // The conversationUpdated that follows carries the server's numbers; this only keeps the row current meanwhile.
      patchListed(conversationId, (c) =>
        Date.parse(message.createdAt) >= Date.parse(c.lastMessageAt ?? c.createdAt)
          ? {
              ...c,
              lastMessageAt: message.createdAt,
              lastMessagePreview: messagePreview(message),
              unreadCount: message.direction === 'inbound' && !open ? Math.max(c.unreadCount, 1) : c.unreadCount,
            }
          : c,
      );
    },
    onMessageStatus: (e) => thread.applyStatus(e),
    onConversationUpdated: (c) => {
      if (c.id === selectedRef.current && c.unreadCount > 0) scheduleRead();
      applyConversation(c);
    },
    onAssignmentChanged: (e) => {
      patchListed(e.conversationId, (c) => ({ ...c, assignedTo: e.assignedTo }));
      if (e.conversationId === selectedRef.current) {
        setConversation((c) => (c && c.id === e.conversationId ? { ...c, assignedTo: e.assignedTo } : c));
        setHistoryKey((k) => k + 1);
      }
      if (e.assignedTo && e.assignedTo.id === me.id && e.assignedBy?.id !== me.id) {
        setNotice(`${e.assignedBy?.name ?? 'Someone'} assigned conversation #${e.conversationId} to you.`);
      }
    },
    onResync: () => {
      // Events may have been missed while disconnected.
      list.reload();
      thread.resync();
      notes.reload();
      refetchOpen();
    },
  });

  // ------------------------------------------------------------ actions on the open conversation

  const requireOpen = () => {
    const id = selectedRef.current;
    if (id === null) throw new Error('No conversation is open.');
    return id;
  };
  const update = async (input: UpdateConversationInput) => applyConversation(await api.updateConversation(requireOpen(), input));
  const assign = async (userId: number | null) => {
    applyConversation(await api.assignConversation(requireOpen(), userId));
    setHistoryKey((k) => k + 1);
  };
  const transfer = async (input: TransferInput) => {
    applyConversation(await api.transferConversation(requireOpen(), input));
    setHistoryKey((k) => k + 1);
  };
  const setConversationTags = async (tagIds: number[]) => applyConversation(await api.setConversationTags(requireOpen(), tagIds));

  async function runShortcut(action: () => Promise<void>) {
    setActionError(null);
    try {
      await action();
    } catch (err) {
      setActionError(errorMessage(err));
    }
  }

  async function sendText(text: string) {
    const id = requireOpen();
    const temp = optimisticText(id, text, me);
    thread.upsert(temp);
    try {
      const sent = await api.sendMessage(id, { type: 'text', text });
      thread.replace(temp.id, sent);
      patchListed(id, (c) => ({ ...c, lastMessageAt: sent.createdAt, lastMessagePreview: messagePreview(sent) }));
    } catch (err) {
      thread.remove(temp.id);
      throw err;
    }
  }
  async function sendFile(file: File, caption: string, onProgress: (p: UploadProgress) => void) {
    const id = requireOpen();
    thread.upsert(await api.sendFile(id, file, caption, onProgress));
  }
  async function sendTemplate(template: TemplateRef) {
    const id = requireOpen();
    thread.upsert(await api.sendMessage(id, { type: 'template', template }));
  }
  async function sendNote(text: string) {
    const id = requireOpen();
    notes.upsert(await api.sendNote(id, text));
    setNotice('Note added. Notes are listed in the details panel and only your team sees them.');
  }
  async function retry(m: Message) {
    setActionError(null);
    try {
      thread.upsert(await api.retryMessage(m.conversationId, m.id));
    } catch (err) {
      setActionError(`Could not retry the message: ${errorMessage(err)}`);
    }
  }

  // ------------------------------------------------------------ keyboard

  const moveHighlight = useCallback(
    (delta: number) => {
      const items = listItems.current;
      if (items.length === 0) return;
      const from = items.findIndex((c) => c.id === (highlightedId ?? selectedRef.current));
      const index = from === -1 ? (delta > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, from + delta));
      const id = items[index].id;
      setHighlightedId(id);
      const row = document.getElementById(conversationRowId(id));
      row?.focus();
      row?.scrollIntoView?.({ block: 'nearest' });
    },
    [highlightedId],
  );

  const open = useCallback(
    (id: number | null) => {
      if (id !== null) navigate(conversationPath(id));
    },
    [navigate],
  );

  useGlobalShortcut((key, event) => {
    const current = conversation && conversation.id === selectedId ? conversation : null;
    switch (key) {
      case 'j':
        moveHighlight(1);
        return true;
      case 'k':
        moveHighlight(-1);
        return true;
      case 'o':
        open(highlightedId ?? listItems.current[0]?.id ?? null);
        return true;
      case 'Enter': {
        // Enter on a link or button does its own thing.
        const target = event.target instanceof Element ? event.target : null;
        if (target?.closest('a, button, summary, [role="button"], [role="tab"]')) return false;
        open(highlightedId ?? listItems.current[0]?.id ?? null);
        return true;
      }
      case 'r': {
        const box = document.getElementById(COMPOSER_TEXT_ID) ?? document.getElementById('template-select');
        if (!box || (box instanceof HTMLTextAreaElement && box.disabled)) return false;
        box.focus();
        return true;
      }
      case 'e':
        if (!current || !canReply || current.status === 'resolved') return false;
        void runShortcut(() => update({ status: 'resolved' }));
        return true;
      case 'a':
        if (!current || !canReply || current.assignedTo?.id === me.id) return false;
        void runShortcut(() => assign(me.id));
        return true;
      case '/':
        searchRef.current?.focus();
        return true;
      case '?':
        setShortcutsOpen(true);
        return true;
      default:
        return false;
    }
  });

  // ------------------------------------------------------------ render

  const onFilters = (change: Partial<InboxFilters>) => {
    if (change.status) {
      // An explicit choice: kept for the session, and no automatic switch any more.
      saveTabChoice(tabKey, change.status);
      settleTab('settled');
    }
    setFilters((f) => ({ ...f, ...change }));
    setHighlightedId(null);
  };
  const clearFilters = () => {
    setFilters((f) => ({ ...DEFAULT_FILTERS, status: f.status }));
    setSearch('');
  };
  const shown = conversation && conversation.id === selectedId ? conversation : null;
  const kind = shown ? channelKind(shown.channel.type) : null;

  return (
    <div className={`page inbox${selectedId !== null ? ' inbox--thread-open' : ''}${detailsOpen ? ' inbox--details-open' : ''}`}>
      <div className="inbox__header">
        <PageHeader
          title="Inbox"
          description={
            <>
              Customer conversations from every channel. Press <kbd>?</kbd> for keyboard shortcuts.
            </>
          }
          actions={
            <>
              <HubIndicator status={hubStatus} />
              <button type="button" className="btn btn--ghost btn--sm" onClick={() => setShortcutsOpen(true)} aria-keyshortcuts="?">
                Shortcuts
              </button>
            </>
          }
        />
      </div>
      {notice && (
        <div className="banner banner--info inbox__notice" role="status">
          <div className="banner__body">{notice}</div>
          <button type="button" className="btn btn--ghost btn--sm" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      )}

      <div className="inbox__panes">
        <ConversationList
          filters={filters}
          onFilters={onFilters}
          search={search}
          onSearch={(v) => {
            setSearch(v);
            setHighlightedId(null);
          }}
          searchRef={searchRef}
          counts={list.counts}
          items={choosingTab ? [] : list.items}
          loading={list.loading || choosingTab}
          error={list.error}
          onRetry={list.reload}
          hasMore={!!list.nextCursor}
          loadingMore={list.loadingMore}
          onLoadMore={list.loadMore}
          users={users}
          channels={channels}
          departments={departments}
          tags={tags}
          selectedId={selectedId}
          highlightedId={highlightedId}
          now={now}
          meId={me.id}
          onClearFilters={clearFilters}
        />

        <section className="inbox-thread" aria-label="Conversation">
          {selectedId === null ? (
            <EmptyState icon="✉" title="Pick a conversation">
              Choose one from the list, or press <kbd>j</kbd> and <kbd>o</kbd>. New messages arrive here live.
            </EmptyState>
          ) : (
            <>
              <header className="inbox-thread__header">
                <Link to="/inbox" className="inbox-thread__back btn btn--ghost btn--sm" aria-label="Back to conversations">
                  ←
                </Link>
                <div className="inbox-thread__title">
                  <h2>{shown ? contactLabel(shown.contact) : conversationError ? 'Conversation' : 'Loading…'}</h2>
                  {shown && kind && (
                    <span className="muted">
                      {kind.label} · {shown.channel.name} · <Badge tone={shown.status === 'resolved' ? 'neutral' : 'info'}>{titleCase(shown.status)}</Badge>
                      {shown.chatEndedAt && (
                        <>
                          {' · '}
                          <Badge tone="warning">Visitor left</Badge>
                        </>
                      )}
                    </span>
                  )}
                </div>
                <button
                  type="button"
                  className="btn btn--secondary btn--sm inbox-thread__details-toggle"
                  aria-expanded={detailsOpen}
                  aria-controls="inbox-side"
                  onClick={() => setDetailsOpen((o) => !o)}
                >
                  Details
                </button>
              </header>
              {conversationError && (
                <ErrorBanner title="Could not open this conversation.">
                  {conversationError} <Link to="/inbox">Back to the list</Link>
                </ErrorBanner>
              )}
              {actionError && <ErrorBanner title={actionError} />}
              <Thread
                key={`thread-${selectedId}`}
                messages={thread.messages}
                contactName={shown ? contactLabel(shown.contact) : 'Customer'}
                loading={thread.loading}
                error={thread.error}
                hasEarlier={thread.hasEarlier}
                loadingEarlier={thread.loadingEarlier}
                onLoadEarlier={thread.loadEarlier}
                onReload={thread.reload}
                canRetry={canReply}
                onRetry={retry}
              />
              {shown && (
                <Composer
                  key={`composer-${shown.id}`}
                  conversation={shown}
                  canReply={canReply}
                  canSyncTemplates={session.can('conversations.manage') && isWhatsApp(shown.channel.type)}
                  role={String(session.role)}
                  now={now}
                  cannedResponses={canned}
                  draft={drafts[shown.id] ?? ''}
                  onDraft={(text) => setDrafts((d) => ({ ...d, [shown.id]: text }))}
                  onSendText={sendText}
                  onSendFile={sendFile}
                  onSendTemplate={sendTemplate}
                  onSendNote={sendNote}
                />
              )}
            </>
          )}
        </section>

        <aside id="inbox-side" className="inbox-side" aria-label="Conversation details">
          {shown && (
            <SidePanel
              conversation={shown}
              canReply={canReply}
              canSeeContacts={session.can('contacts.read')}
              meId={me.id}
              users={users}
              departments={departments}
              tags={tags}
              notes={notes.notes}
              notesError={notes.error}
              historyKey={historyKey}
              onUpdate={update}
              onAssign={assign}
              onTransfer={transfer}
              onSetTags={setConversationTags}
              onNoteSaved={notes.upsert}
              onNoteRemoved={notes.remove}
            />
          )}
        </aside>
      </div>

      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
    </div>
  );
}
