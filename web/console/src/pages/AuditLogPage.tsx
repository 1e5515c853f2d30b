import { useEffect, useMemo, useState } from 'react';
import { api, AUDIT_MODULES, type AuditEntry, type AuditQuery, type User } from '../api';
import { EmptyState, ErrorBanner, Loading, PageHeader } from '../components/Feedback';
import { dateInputToIso, formatDateTime, titleCase } from '../lib/format';
import { useDebouncedValue } from '../lib/hooks';

const PAGE_SIZE = 50;

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
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

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

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api
      .listAuditLogs({ ...query, limit: PAGE_SIZE }, controller.signal)
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor ?? null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof Error ? err.message : 'Could not load the audit log.');
        setLoading(false);
      });
    return () => controller.abort();
  }, [query, reloadKey]);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await api.listAuditLogs({ ...query, limit: PAGE_SIZE, cursor: nextCursor });
      setItems((prev) => [...prev, ...page.items]);
      setNextCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not load more entries.');
    } finally {
      setLoadingMore(false);
    }
  }

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
        <div className="filters__search field">
          <label htmlFor="audit-search" className="field__label">
            Search audit log
          </label>
          <input id="audit-search" className="input input--search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Action, module or details" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="audit-module" className="field__label">
            Module
          </label>
          <select id="audit-module" className="input select" value={module} onChange={(e) => setModule(e.target.value)}>
            <option value="">All modules</option>
            {AUDIT_MODULES.map((m) => (
              <option key={m} value={m}>
                {titleCase(m)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-user" className="field__label">
            User
          </label>
          <select id="audit-user" className="input select" value={userId} onChange={(e) => setUserId(e.target.value)} disabled={!users}>
            <option value="">Anyone</option>
            {(users ?? []).map((u) => (
              <option key={String(u.id)} value={String(u.id)}>
                {u.name || u.email}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-action" className="field__label">
            Action
          </label>
          <input id="audit-action" className="input" value={action} onChange={(e) => setAction(e.target.value)} placeholder="e.g. contacts.create" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="audit-from" className="field__label">
            From
          </label>
          <input id="audit-from" className="input" type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-to" className="field__label">
            To
          </label>
          <input id="audit-to" className="input" type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </div>
        {hasFilters && (
          <button type="button" className="btn btn--ghost filters__clear" onClick={clear}>
            Clear filters
          </button>
        )}
      </section>

      {error && <ErrorBanner title="Could not load the audit log." onRetry={() => setReloadKey((k) => k + 1)}>{error}</ErrorBanner>}
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
        <div className="card card--flush">
          <div className="table-wrap" aria-busy={loading}>
            <table className="table table--top">
              <caption className="visually-hidden">Audit log entries</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">User</th>
                  <th scope="col">Action</th>
                  <th scope="col">Module</th>
                  <th scope="col">IP</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
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
              </tbody>
            </table>
          </div>
          <div className="table-footer">
            <span className="muted" aria-live="polite">
              Showing {items.length} entr{items.length === 1 ? 'y' : 'ies'}
            </span>
            {nextCursor && (
              <button type="button" className="btn btn--secondary" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </button>
            )}
          </div>
        </div>
      ) : null}
    </div>
  );
}
