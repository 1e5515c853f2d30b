import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, CHANNELS, type Contact, type ContactQuery, type ContactSort, type Department, type User } from '../api';
import { EmptyState, ErrorBanner, Loading, PageHeader } from '../components/Feedback';
import { FilterField, FilterSelect, userOptions } from '../components/Filters';
import { LoadMoreFooter, TableCard } from '../components/Table';
import { formatDate } from '../lib/format';
import { useDebouncedValue, useGlobalShortcut } from '../lib/hooks';
import { useCursorList } from '../lib/useCursorList';
import { useRequiredSession } from '../session';

const PAGE_SIZE = 50;
const CHANNEL_OPTIONS = CHANNELS.map((c) => ({ value: c, label: c === 'sms' ? 'SMS' : c === 'whatsapp' ? 'WhatsApp' : 'E-mail' }));

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

  const { items, nextCursor, loading, loadingMore, error, loadMore, reload } = useCursorList(api.listContacts, filters, {
    pageSize: PAGE_SIZE,
    loadError: 'Could not load contacts.',
    loadMoreError: 'Could not load more contacts.',
    clearErrorOnLoadMore: true,
  });

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
        <FilterField id="contacts-search" label="Search contacts" className="filters__search">
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
        </FilterField>
        <FilterField id="contacts-tag" label="Tag">
          <input id="contacts-tag" className="input" value={tag} onChange={(e) => setTag(e.target.value)} placeholder="e.g. vip" autoComplete="off" />
        </FilterField>
        {departments && (
          <FilterSelect
            id="contacts-department"
            label="Department"
            value={departmentId}
            onChange={setDepartmentId}
            emptyLabel="All departments"
            options={departments.map((d) => ({ value: String(d.id), label: d.name }))}
          />
        )}
        {users && <FilterSelect id="contacts-owner" label="Owner" value={assignedToId} onChange={setAssignedToId} emptyLabel="Anyone" options={userOptions(users)} />}
        <FilterSelect id="contacts-optin" label="Opted in to" value={optIn} onChange={setOptIn} emptyLabel="Any channel" options={CHANNEL_OPTIONS} />
        {hasFilters && (
          <button type="button" className="btn btn--ghost filters__clear" onClick={clearFilters}>
            Clear filters
          </button>
        )}
      </section>

      {error && <ErrorBanner title="Could not load contacts." onRetry={reload}>{error}</ErrorBanner>}

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
        <TableCard
          className="table table--clickable"
          caption={<>Contacts{loading ? ' (updating)' : ''}</>}
          busy={loading}
          head={
            <>
              <SortHeader label="Name" field="name" sort={sort} onSort={setSort} />
              <th scope="col">Email</th>
              <th scope="col">Phone</th>
              <th scope="col">Tags</th>
              <th scope="col">Owner</th>
              <SortHeader label="Created" field="createdAt" sort={sort} onSort={setSort} />
            </>
          }
          footer={
            <LoadMoreFooter
              summary={<>Showing {items.length} contact{items.length === 1 ? '' : 's'}</>}
              hasMore={!!nextCursor}
              loadingMore={loadingMore}
              onLoadMore={loadMore}
            />
          }
        >
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
        </TableCard>
      ) : null}
    </div>
  );
}
