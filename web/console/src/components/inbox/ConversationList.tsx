import { useRef, type KeyboardEvent, type Ref } from 'react';
import { Link } from 'react-router-dom';
import type { ConversationCounts, ConversationSummary, ConversationTag, Department, MessagingChannel, User } from '../../api';
import { channelKind, contactLabel, hasNarrowingFilters, relativeTime, STATUS_TABS, type InboxFilters } from '../../lib/inbox';
import { formatDateTime } from '../../lib/format';
import { ErrorBanner, Loading } from '../Feedback';
import { FilterField, FilterSelect, userOptions } from '../Filters';
import { TagChip } from './TagChip';

export const conversationPath = (id: number) => `/inbox/${id}`;
export const conversationRowId = (id: number) => `conversation-row-${id}`;

const EMPTY_TEXT: Record<string, { title: string; body: string }> = {
  new: { title: 'No new conversations', body: 'New customer messages will appear here live.' },
  open: { title: 'No open conversations', body: 'New customer messages will appear here live.' },
  pending: { title: 'Nothing pending', body: 'Conversations waiting on the customer or a colleague are listed here.' },
  snoozed: { title: 'No snoozed conversations', body: 'Snoozed conversations come back on their own when their time is up.' },
  resolved: { title: 'No resolved conversations', body: 'Conversations you resolve are kept here; a new customer message reopens them.' },
};

function StatusTabs({ status, counts, onChange }: { status: InboxFilters['status']; counts: ConversationCounts; onChange: (s: InboxFilters['status']) => void }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  function onKeyDown(e: KeyboardEvent, index: number) {
    const last = STATUS_TABS.length - 1;
    const target = e.key === 'ArrowRight' ? (index === last ? 0 : index + 1) : e.key === 'ArrowLeft' ? (index === 0 ? last : index - 1) : e.key === 'Home' ? 0 : e.key === 'End' ? last : -1;
    if (target < 0) return;
    e.preventDefault();
    onChange(STATUS_TABS[target].status);
    refs.current[target]?.focus();
  }
  return (
    <div className="inbox-tabs" role="tablist" aria-label="Conversation status">
      {STATUS_TABS.map((t, i) => {
        const selected = t.status === status;
        return (
          <button
            key={t.status}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`inbox-tab-${t.status}`}
            aria-selected={selected}
            aria-label={`${t.label}, ${counts[t.status]} conversation${counts[t.status] === 1 ? '' : 's'}`}
            aria-controls="inbox-list-panel"
            tabIndex={selected ? 0 : -1}
            className={`inbox-tab${selected ? ' inbox-tab--selected' : ''}`}
            onClick={() => onChange(t.status)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            {t.label}
            <span className="inbox-tab__count">{counts[t.status]}</span>
          </button>
        );
      })}
    </div>
  );
}

function ConversationRow({
  c,
  open,
  highlighted,
  now,
  meId,
}: {
  c: ConversationSummary;
  open: boolean;
  highlighted: boolean;
  now: number;
  meId: number | string;
}) {
  const kind = channelKind(c.channel.type);
  const time = c.lastMessageAt ?? c.createdAt;
  const mine = c.assignedTo && String(c.assignedTo.id) === String(meId);
  return (
    <li>
      <Link
        id={conversationRowId(c.id)}
        to={conversationPath(c.id)}
        data-testid="conversation-row"
        className={`conv-row${open ? ' conv-row--open' : ''}${highlighted ? ' conv-row--highlighted' : ''}${c.unreadCount > 0 ? ' conv-row--unread' : ''}`}
        aria-current={open ? 'true' : undefined}
      >
        <span className="conv-row__top">
          <span className="conv-row__name">{contactLabel(c.contact)}</span>
          <time className="conv-row__time" dateTime={time} title={formatDateTime(time)}>
            {relativeTime(time, now)}
          </time>
        </span>
        <span className="conv-row__middle">
          <span className={`channel-icon channel-icon--${c.channel.type}`} title={`${kind.label} · ${c.channel.name}`}>
            <span aria-hidden="true">{kind.icon}</span>
            <span className="visually-hidden">{kind.label}</span>
          </span>
          <span className="conv-row__preview">{c.lastMessagePreview || <span className="muted">No messages yet</span>}</span>
          {c.unreadCount > 0 && (
            <span className="unread-badge">
              {c.unreadCount}
              <span className="visually-hidden"> unread</span>
            </span>
          )}
        </span>
        <span className="conv-row__meta">
          <span className="conv-row__assignee">{c.assignedTo ? (mine ? 'You' : c.assignedTo.name) : 'Unassigned'}</span>
          {(c.priority === 'high' || c.priority === 'urgent') && <span className={`priority priority--${c.priority}`}>{c.priority}</span>}
          {c.tags.map((t) => (
            <TagChip key={t.id} tag={t} small />
          ))}
        </span>
      </Link>
    </li>
  );
}

export function ConversationList({
  filters,
  onFilters,
  search,
  onSearch,
  searchRef,
  counts,
  items,
  loading,
  error,
  onRetry,
  hasMore,
  loadingMore,
  onLoadMore,
  users,
  channels,
  departments,
  tags,
  selectedId,
  highlightedId,
  now,
  meId,
  onClearFilters,
}: {
  filters: InboxFilters;
  onFilters: (change: Partial<InboxFilters>) => void;
  search: string;
  onSearch: (value: string) => void;
  searchRef: Ref<HTMLInputElement>;
  counts: ConversationCounts;
  items: ConversationSummary[];
  loading: boolean;
  error: string | null;
  onRetry: () => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  users: User[] | null;
  channels: MessagingChannel[] | null;
  departments: Department[] | null;
  tags: ConversationTag[] | null;
  selectedId: number | null;
  highlightedId: number | null;
  now: number;
  meId: number | string;
  onClearFilters: () => void;
}) {
  const narrowed = hasNarrowingFilters(filters);
  const moreActive = !!(filters.channelId || filters.departmentId || filters.tagId);
  const empty = EMPTY_TEXT[filters.status] ?? EMPTY_TEXT.open;

  return (
    <section className="inbox-list" aria-label="Conversations">
      <div className="inbox-list__filters">
        <FilterField id="inbox-search" label="Search conversations" className="inbox-search">
          <input
            ref={searchRef}
            id="inbox-search"
            className="input input--search"
            type="search"
            value={search}
            placeholder="Name, phone or message text"
            onChange={(e) => onSearch(e.target.value)}
            aria-keyshortcuts="/"
            autoComplete="off"
          />
        </FilterField>
        <div className="inbox-list__row">
          <FilterSelect
            compact
            id="inbox-assignee"
            label="Assignee"
            value={filters.assignee}
            onChange={(assignee) => onFilters({ assignee })}
            emptyLabel="Everyone"
            options={[{ value: 'me', label: 'Mine' }, { value: 'unassigned', label: 'Unassigned' }, ...userOptions(users)]}
          />
          <div className="checkbox inbox-unread">
            <input id="inbox-unread" type="checkbox" checked={filters.unread} onChange={(e) => onFilters({ unread: e.target.checked })} />
            <label htmlFor="inbox-unread">Unread only</label>
          </div>
        </div>
        <details className="inbox-more-filters" open={moreActive || undefined}>
          <summary>More filters{moreActive ? ' (active)' : ''}</summary>
          <div className="inbox-more-filters__body">
            {channels && channels.length > 0 && (
              <FilterSelect
                compact
                id="inbox-channel"
                label="Channel"
                value={filters.channelId}
                onChange={(channelId) => onFilters({ channelId })}
                emptyLabel="All channels"
                options={channels.map((c) => ({ value: String(c.id), label: `${c.name} (${channelKind(c.type).label})` }))}
              />
            )}
            {departments && departments.length > 0 && (
              <FilterSelect
                compact
                id="inbox-department"
                label="Department"
                value={filters.departmentId}
                onChange={(departmentId) => onFilters({ departmentId })}
                emptyLabel="All departments"
                options={departments.map((d) => ({ value: String(d.id), label: d.name }))}
              />
            )}
            {tags && tags.length > 0 && (
              <FilterSelect
                compact
                id="inbox-tag"
                label="Tag"
                value={filters.tagId}
                onChange={(tagId) => onFilters({ tagId })}
                emptyLabel="Any tag"
                options={tags.map((t) => ({ value: String(t.id), label: t.name }))}
              />
            )}
          </div>
        </details>
      </div>

      <StatusTabs status={filters.status} counts={counts} onChange={(status) => onFilters({ status })} />

      <div id="inbox-list-panel" role="tabpanel" aria-labelledby={`inbox-tab-${filters.status}`} className="inbox-list__panel" aria-busy={loading}>
        {error && (
          <ErrorBanner title="Could not load conversations." onRetry={onRetry}>
            {error}
          </ErrorBanner>
        )}
        {loading && items.length === 0 && !error && <Loading label="Loading conversations…" />}
        {!loading && !error && items.length === 0 && (
          <div className="inbox-empty">
            {narrowed ? (
              <>
                <p className="inbox-empty__title">No conversations match these filters</p>
                <p className="muted">Try a different search or remove a filter.</p>
                <button type="button" className="btn btn--secondary btn--sm" onClick={onClearFilters}>
                  Clear filters
                </button>
              </>
            ) : (
              <>
                <p className="inbox-empty__title">{empty.title}</p>
                <p className="muted">{empty.body}</p>
              </>
            )}
          </div>
        )}
        {items.length > 0 && (
          <ul className="conv-list">
            {items.map((c) => (
              <ConversationRow key={c.id} c={c} open={c.id === selectedId} highlighted={c.id === highlightedId} now={now} meId={meId} />
            ))}
          </ul>
        )}
        {hasMore && (
          <div className="inbox-list__more">
            <button type="button" className="btn btn--secondary btn--sm" onClick={onLoadMore} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
