import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, CHANNELS, type Contact, type ContactQuery, type ContactSort, type Department, type User } from '../api';
import { EmptyState, ErrorBanner, Loading, PageHeader } from '../components/Feedback';
import { formatDate } from '../lib/format';
import { useDebouncedValue, useGlobalShortcut } from '../lib/hooks';
import { useRequiredSession } from '../session';

const PAGE_SIZE = 50;

type Filters = Omit<ContactQuery, 'cursor' | 'limit'>;

function SortHeader({
  label,
  field,
  sort,
  onSort,
}: {
  label: string;
  field: 'name' | 'createdAt';
  sort: ContactSort;
  onSort: (sort: ContactSort) => void;
}) {
  const active = sort === field || sort === `-${field}`;
  const descending = sort === `-${field}`;
  const ariaSort = active ? (descending ? 'descending' : 'ascending') : 'none';
  // Names sort A→Z first; dates newest first.
  const next: ContactSort = active
    ? ((descending ? field : `-${field}`) as ContactSort)
    : ((field === 'name' ? field : `-${field}`) as ContactSort);
  return (
    <th scope="col" aria-sort={ariaSort}>
      <button type="button" className="th-sort" onClick={() => onSort(next)}>
        {label}
        <span className="th-sort__arrow" aria-hidden="true">
          {active ? (descending ? '▼' : '▲') : '↕'}
        </span>
      </button>
    </th>
  );
}

export function ContactsPage() {
  const session = useRequiredSession();
  const navigate = useNavigate();
  const searchRef = useRef<HTMLInputElement>(null);

  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 300);
  const [tag, setTag] = useState('');
  const debouncedTag = useDebouncedValue(tag.trim(), 300);
  const [departmentId, setDepartmentId] = useState('');
  const [assignedToId, setAssignedToId] = useState('');
  const [optIn, setOptIn] = useState('');
  const [sort, setSort] = useState<ContactSort>('-createdAt');

  const [items, setItems] = useState<Contact[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const [users, setUsers] = useState<User[] | null>(null);
  const [departments, setDepartments] = useState<Department[] | null>(null);

  const canWrite = session.can('contacts.write');
  const canImport = session.can('contacts.import');

  const filters: Filters = useMemo(
    () => ({
      q: q || undefined,
      tag: debouncedTag || undefined,
      departmentId: departmentId || undefined,
      assignedToId: assignedToId || undefined,
      optIn: (optIn || undefined) as Filters['optIn'],
      sort,
    }),
    [q, debouncedTag, departmentId, assignedToId, optIn, sort],
  );
  const hasFilters = !!(filters.q || filters.tag || filters.departmentId || filters.assignedToId || filters.optIn);

  useEffect(() => {
    // Lookups for the filters and the owner column; a role without access simply gets fewer filters.
    api.listUsers().then((r) => setUsers(r.items), () => setUsers(null));
    api.listDepartments().then((r) => setDepartments(r.items), () => setDepartments(null));
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api
      .listContacts({ ...filters, limit: PAGE_SIZE }, controller.signal)
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor ?? null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof Error ? err.message : 'Could not load contacts.');
        setLoading(false);
      });
    return () => controller.abort();
  }, [filters, reloadKey]);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    setError(null);
    try {
      const page = await api.listContacts({ ...filters, limit: PAGE_SIZE, cursor: nextCursor });
      setItems((prev) => [...prev, ...page.items]);
      setNextCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not load more contacts.');
    } finally {
      setLoadingMore(false);
    }
  }

  useGlobalShortcut(
    useCallback(
      (key: string) => {
        if (key === '/') {
          searchRef.current?.focus();
          return true;
        }
        if (key === 'n' && canWrite) {
          navigate('/contacts/new');
          return true;
        }
        return false;
      },
      [canWrite, navigate],
    ),
  );

  function clearFilters() {
    setSearch('');
    setTag('');
    setDepartmentId('');
    setAssignedToId('');
    setOptIn('');
  }

  const userName = (id: Contact['assignedToId']) => {
    if (id == null) return '—';
    return users?.find((u) => String(u.id) === String(id))?.name ?? `#${id}`;
  };

  const exportHref = api.contactsExportUrl(filters);

  return (
    <div className="page">
      <PageHeader
        title="Contacts"
        description={
          <>
            Everyone your team talks to. Press <kbd>/</kbd> to search{canWrite ? <>, <kbd>n</kbd> for a new contact</> : null}.
          </>
        }
        actions={
          <>
            <a className="btn btn--secondary" href={exportHref} download>
              Export CSV
            </a>
            {canImport && (
              <Link className="btn btn--secondary" to="/contacts/import">
                Import CSV
              </Link>
            )}
            {canWrite && (
              <Link className="btn btn--primary" to="/contacts/new" aria-keyshortcuts="n">
                New contact
              </Link>
            )}
          </>
        }
      />

      <section className="card filters" aria-label="Filters">
        <div className="filters__search field">
          <label htmlFor="contacts-search" className="field__label">
            Search contacts
          </label>
          <input
            ref={searchRef}
            id="contacts-search"
            className="input input--search"
            type="search"
            value={search}
            placeholder="Name, email or phone"
            onChange={(e) => setSearch(e.target.value)}
            aria-keyshortcuts="/"
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor="contacts-tag" className="field__label">
            Tag
          </label>
          <input id="contacts-tag" className="input" value={tag} onChange={(e) => setTag(e.target.value)} placeholder="e.g. vip" autoComplete="off" />
        </div>
        {departments && (
          <div className="field">
            <label htmlFor="contacts-department" className="field__label">
              Department
            </label>
            <select id="contacts-department" className="input select" value={departmentId} onChange={(e) => setDepartmentId(e.target.value)}>
              <option value="">All departments</option>
              {departments.map((d) => (
                <option key={String(d.id)} value={String(d.id)}>
                  {d.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {users && (
          <div className="field">
            <label htmlFor="contacts-owner" className="field__label">
              Owner
            </label>
            <select id="contacts-owner" className="input select" value={assignedToId} onChange={(e) => setAssignedToId(e.target.value)}>
              <option value="">Anyone</option>
              {users.map((u) => (
                <option key={String(u.id)} value={String(u.id)}>
                  {u.name || u.email}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="contacts-optin" className="field__label">
            Opted in to
          </label>
          <select id="contacts-optin" className="input select" value={optIn} onChange={(e) => setOptIn(e.target.value)}>
            <option value="">Any channel</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c === 'sms' ? 'SMS' : c === 'whatsapp' ? 'WhatsApp' : 'E-mail'}
              </option>
            ))}
          </select>
        </div>
        {hasFilters && (
          <button type="button" className="btn btn--ghost filters__clear" onClick={clearFilters}>
            Clear filters
          </button>
        )}
      </section>

      {error && <ErrorBanner title="Could not load contacts." onRetry={() => setReloadKey((k) => k + 1)}>{error}</ErrorBanner>}

      {loading && items.length === 0 ? (
        <Loading label="Loading contacts…" />
      ) : !error && items.length === 0 ? (
        hasFilters ? (
          <EmptyState icon="⌕" title="No contacts match these filters" actions={<button type="button" className="btn btn--secondary" onClick={clearFilters}>Clear filters</button>}>
            Try a different search or remove a filter.
          </EmptyState>
        ) : (
          <EmptyState
            icon="☺"
            title="No contacts yet"
            actions={
              <>
                {canWrite && (
                  <Link className="btn btn--primary" to="/contacts/new">
                    Add your first contact
                  </Link>
                )}
                {canImport && (
                  <Link className="btn btn--secondary" to="/contacts/import">
                    Import a CSV
                  </Link>
                )}
              </>
            }
          >
            Contacts are the people your agents talk to over WhatsApp, SMS, email and phone.
          </EmptyState>
        )
      ) : items.length > 0 ? (
        <div className="card card--flush">
          <div className="table-wrap" aria-busy={loading}>
            <table className="table table--clickable">
              <caption className="visually-hidden">Contacts{loading ? ' (updating)' : ''}</caption>
              <thead>
                <tr>
                  <SortHeader label="Name" field="name" sort={sort} onSort={setSort} />
                  <th scope="col">Email</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Owner</th>
                  <SortHeader label="Created" field="createdAt" sort={sort} onSort={setSort} />
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={String(c.id)} data-testid="contact-row" onClick={() => navigate(`/contacts/${encodeURIComponent(String(c.id))}`)}>
                    <th scope="row">
                      <Link to={`/contacts/${encodeURIComponent(String(c.id))}`} onClick={(e) => e.stopPropagation()}>
                        {c.name || c.email || c.phone || `Contact #${c.id}`}
                      </Link>
                    </th>
                    <td>{c.email || '—'}</td>
                    <td className="nowrap">{c.phone || '—'}</td>
                    <td>
                      {c.tags.length ? (
                        <span className="tags">
                          {c.tags.map((t) => (
                            <span key={t} className="tag">
                              {t}
                            </span>
                          ))}
                        </span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{userName(c.assignedToId)}</td>
                    <td className="nowrap">{formatDate(c.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-footer">
            <span className="muted" aria-live="polite">
              Showing {items.length} contact{items.length === 1 ? '' : 's'}
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
