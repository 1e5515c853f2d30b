import { useEffect, useMemo, useState } from 'react';
import { api, AUDIT_MODULES, type AuditEntry, type AuditQuery, type User } from '../api';
import { EmptyState, ErrorBanner, Loading, PageHeader } from '../components/Feedback';
import { FilterField, FilterSelect, userOptions } from '../components/Filters';
import { LoadMoreFooter, TableCard } from '../components/Table';
import { dateInputToIso, formatDateTime, titleCase } from '../lib/format';
import { useDebouncedValue } from '../lib/hooks';
import { useCursorList } from '../lib/useCursorList';

const PAGE_SIZE = 50;
const MODULE_OPTIONS = AUDIT_MODULES.map((m) => ({ value: m, label: titleCase(m) }));

function metaSummary(meta: AuditEntry['meta']): string {
  if (!meta || Object.keys(meta).length === 0) return '';
  return Object.entries(meta)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

function MetaCell({ meta }: { meta: AuditEntry['meta'] }) {
  const summary = metaSummary(meta);
  if (!summary) return <span className="muted">—</span>;
  if (summary.length <= 60) return <code className="meta-inline">{summary}</code>;
  return (
    <details className="meta">
      <summary>
        <code className="meta-inline">{summary.slice(0, 60)}…</code>
      </summary>
      <pre className="meta__full">{JSON.stringify(meta, null, 2)}</pre>
    </details>
  );
}

export function AuditLogPage() {
  const [module, setModule] = useState('');
  const [userId, setUserId] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');
  const debouncedAction = useDebouncedValue(action.trim(), 300);
  const q = useDebouncedValue(search.trim(), 300);

  const [users, setUsers] = useState<User[] | null>(null);

  useEffect(() => {
    api.listUsers().then((r) => setUsers(r.items), () => setUsers(null));
  }, []);

  const query: AuditQuery = useMemo(
    () => ({
      module: module || undefined,
      userId: userId || undefined,
      action: debouncedAction || undefined,
      from: dateInputToIso(from),
      to: dateInputToIso(to, true),
      q: q || undefined,
    }),
    [module, userId, debouncedAction, from, to, q],
  );
  const hasFilters = Object.values(query).some((v) => v !== undefined);

  const { items, nextCursor, loading, loadingMore, error, loadMore, reload } = useCursorList(api.listAuditLogs, query, {
    pageSize: PAGE_SIZE,
    loadError: 'Could not load the audit log.',
    loadMoreError: 'Could not load more entries.',
  });

  function clear() {
    setModule('');
    setUserId('');
    setAction('');
    setFrom('');
    setTo('');
    setSearch('');
  }

  return (
    <div className="page">
      <PageHeader title="Audit log" description="Who did what, and when. Newest first." />
      <section className="card filters" aria-label="Filters">
        <FilterField id="audit-search" label="Search audit log" className="filters__search">
          <input id="audit-search" className="input input--search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Action, module or details" autoComplete="off" />
        </FilterField>
        <FilterSelect id="audit-module" label="Module" value={module} onChange={setModule} emptyLabel="All modules" options={MODULE_OPTIONS} />
        <FilterSelect id="audit-user" label="User" value={userId} onChange={setUserId} emptyLabel="Anyone" options={userOptions(users)} disabled={!users} />
        <FilterField id="audit-action" label="Action">
          <input id="audit-action" className="input" value={action} onChange={(e) => setAction(e.target.value)} placeholder="e.g. contacts.create" autoComplete="off" />
        </FilterField>
        <FilterField id="audit-from" label="From">
          <input id="audit-from" className="input" type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </FilterField>
        <FilterField id="audit-to" label="To">
          <input id="audit-to" className="input" type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </FilterField>
        {hasFilters && (
          <button type="button" className="btn btn--ghost filters__clear" onClick={clear}>
            Clear filters
          </button>
        )}
      </section>

      {error && <ErrorBanner title="Could not load the audit log." onRetry={reload}>{error}</ErrorBanner>}
      {loading && items.length === 0 ? (
        <Loading label="Loading audit log…" />
      ) : !error && items.length === 0 ? (
        <EmptyState
          icon="☰"
          title={hasFilters ? 'No entries match these filters' : 'No activity recorded yet'}
          actions={hasFilters ? <button type="button" className="btn btn--secondary" onClick={clear}>Clear filters</button> : undefined}
        >
          {hasFilters ? 'Try a wider date range or a different module.' : 'Sign-ins, changes to contacts, users and settings appear here.'}
        </EmptyState>
      ) : items.length > 0 ? (
        <TableCard
          className="table table--top"
          caption="Audit log entries"
          busy={loading}
          head={
            <>
              <th scope="col">Time</th>
              <th scope="col">User</th>
              <th scope="col">Action</th>
              <th scope="col">Module</th>
              <th scope="col">IP</th>
              <th scope="col">Details</th>
            </>
          }
          footer={
            <LoadMoreFooter
              summary={<>Showing {items.length} entr{items.length === 1 ? 'y' : 'ies'}</>}
              hasMore={!!nextCursor}
              loadingMore={loadingMore}
              onLoadMore={loadMore}
            />
          }
        >
          {items.map((e) => (
            <tr key={String(e.id)} data-testid="audit-row">
              <td className="nowrap">
                <time dateTime={e.loggedAt}>{formatDateTime(e.loggedAt)}</time>
              </td>
              <td>{e.userName ?? (e.apiKeyId != null ? `API key #${e.apiKeyId}` : e.userId != null ? `#${e.userId}` : <span className="muted">System</span>)}</td>
              <td>
                <code className={`action${/fail|denied|locked/i.test(e.action) ? ' action--warn' : ''}`}>{e.action}</code>
              </td>
              <td>{titleCase(e.module)}</td>
              <td className="nowrap">{e.ipAddress || '—'}</td>
              <td className="meta-cell">
                <MetaCell meta={e.meta} />
              </td>
            </tr>
          ))}
        </TableCard>
      ) : null}
    </div>
  );
}
