import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, errorMessage, type Contact, type ContactInput, type Department, type User } from '../api';
import { ContactForm } from '../components/ContactForm';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { ErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { formatDateTime } from '../lib/format';
import { useDebouncedValue, useFlash } from '../lib/hooks';
import { useRecord } from '../lib/useRecord';
import { useRequiredSession } from '../session';
import { DialogFormActions } from '../components/FormActions';

function contactLabel(c: Pick<Contact, 'id' | 'name' | 'email' | 'phone'>): string {
  return c.name || c.email || c.phone || `Contact #${c.id}`;
}

function MergeDialog({ open, onClose, primary, onMerged }: { open: boolean; onClose: () => void; primary: Contact; onMerged: (c: Contact) => void }) {
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 300);
  const [results, setResults] = useState<Contact[]>([]);
  const [searching, setSearching] = useState(false);
  const [selected, setSelected] = useState('');
  const [manualId, setManualId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) {
      setSearch('');
      setResults([]);
      setSelected('');
      setManualId('');
      setError(null);
    }
  }, [open]);

  useEffect(() => {
    if (!open || !q) {
      setResults([]);
      return;
    }
    const controller = new AbortController();
    setSearching(true);
    api
      .listContacts({ q, limit: 8 }, controller.signal)
      .then((page) => setResults(page.items.filter((c) => String(c.id) !== String(primary.id))))
      .catch(() => {
        if (!controller.signal.aborted) setResults([]);
      })
      .finally(() => {
        if (!controller.signal.aborted) setSearching(false);
      });
    return () => controller.abort();
  }, [q, open, primary.id]);

  const secondaryId = manualId.trim() || selected;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!secondaryId) {
      setError(new Error('Choose the contact to merge into this one.'));
      return;
    }
    if (secondaryId === String(primary.id)) {
      setError(new Error('A contact cannot be merged with itself.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const idValue = /^\d+$/.test(secondaryId) && typeof primary.id === 'number' ? Number(secondaryId) : secondaryId;
      const merged = await api.mergeContacts(primary.id, idValue);
      onMerged(merged);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Merge with another contact"
      description={
        <p>
          The other contact’s phones, tags, opt-ins and attributes are folded into <strong>{contactLabel(primary)}</strong>, and the other
          contact is deleted. This cannot be undone.
        </p>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        {error ? <ErrorBanner title={errorMessage(error)} /> : null}
        <div className="field">
          <label htmlFor="merge-search" className="field__label">
            Find the other contact
          </label>
          <input id="merge-search" className="input" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, email or phone" autoComplete="off" autoFocus />
        </div>
        {searching && <Loading label="Searching…" />}
        {!searching && q && results.length === 0 && <p className="muted">No other contacts match “{q}”.</p>}
        {results.length > 0 && (
          <fieldset className="radio-list">
            <legend className="field__label">Matching contacts</legend>
            {results.map((c) => (
              <div className="radio" key={String(c.id)}>
                <input
                  type="radio"
                  name="merge-secondary"
                  id={`merge-${c.id}`}
                  value={String(c.id)}
                  checked={selected === String(c.id)}
                  onChange={() => {
                    setSelected(String(c.id));
                    setManualId('');
                  }}
                />
                <label htmlFor={`merge-${c.id}`}>
                  {contactLabel(c)} <span className="muted">#{String(c.id)} {c.phone ?? ''} {c.email ?? ''}</span>
                </label>
              </div>
            ))}
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="merge-id" className="field__label">
            Or enter the contact ID
          </label>
          <input id="merge-id" className="input" value={manualId} onChange={(e) => setManualId(e.target.value)} inputMode="numeric" autoComplete="off" />
        </div>
        <DialogFormActions onCancel={onClose} className="btn btn--danger" busy={busy} busyLabel="Merging…" disabled={!secondaryId}>
          Merge contacts
        </DialogFormActions>
      </form>
    </Dialog>
  );
}

export function ContactDetailPage() {
  const { id } = useParams<{ id: string }>();
  const isNew = id === undefined;
  const session = useRequiredSession();
  const navigate = useNavigate();
  const flash = useFlash();

  const { record: contact, replace: replaceContact, loading, loadError, formKey } = useRecord(id, api.getContact);
  const [users, setUsers] = useState<User[] | null | undefined>(undefined);
  const [departments, setDepartments] = useState<Department[] | null | undefined>(undefined);
  const [message, setMessage] = useState<string | null>(flash);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [mergeOpen, setMergeOpen] = useState(false);

  const canWrite = session.can('contacts.write');
  const canDelete = session.can('contacts.delete');
  const canBanking = session.can('contacts.banking');

  useEffect(() => {
    api.listUsers().then((r) => setUsers(r.items), () => setUsers(null));
    api.listDepartments().then((r) => setDepartments(r.items), () => setDepartments(null));
  }, []);

  useEffect(() => {
    setMessage(flash);
  }, [flash, id]);

  async function save(input: ContactInput) {
    setMessage(null);
    if (isNew) {
      const created = await api.createContact(input);
      navigate(`/contacts/${encodeURIComponent(String(created.id))}`, { replace: true, state: { flash: 'Contact created.' } });
    } else if (contact) {
      const updated = await api.updateContact(contact.id, input);
      replaceContact(updated);
      setMessage('Contact saved.');
    }
  }

  const title = isNew ? 'New contact' : contact ? contactLabel(contact) : 'Contact';
  const back = (
    <Link to="/contacts" className="back-link">
      ← Contacts
    </Link>
  );

  if (loading || users === undefined || departments === undefined) {
    return (
      <div className="page">
        <PageHeader title={title} back={back} />
        <Loading label="Loading contact…" />
      </div>
    );
  }

  if (loadError) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <div className="page">
        <PageHeader title={notFound ? 'Contact not found' : 'Contact'} back={back} />
        <ErrorBanner title={notFound ? 'This contact does not exist in this workspace (it may have been deleted or merged).' : errorMessage(loadError)} />
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader
        title={title}
        back={back}
        description={contact ? `Created ${formatDateTime(contact.createdAt)} · Updated ${formatDateTime(contact.updatedAt)}` : 'Add a person your team talks to.'}
        actions={
          contact ? (
            <>
              {canWrite && canDelete && (
                <button type="button" className="btn btn--secondary" onClick={() => setMergeOpen(true)}>
                  Merge with…
                </button>
              )}
              {canDelete && (
                <button type="button" className="btn btn--danger-outline" onClick={() => setConfirmDelete(true)}>
                  Delete
                </button>
              )}
            </>
          ) : null
        }
      />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {!canWrite && <p className="muted">You can view this contact but your role cannot change it.</p>}
      <ContactForm
        key={formKey}
        contact={contact}
        users={users}
        departments={departments}
        canBanking={canBanking}
        canWrite={canWrite}
        onSubmit={save}
      />
      {contact && (
        <>
          <ConfirmDialog
            open={confirmDelete}
            title="Delete contact?"
            message={
              <p>
                <strong>{contactLabel(contact)}</strong> will be permanently deleted.
              </p>
            }
            confirmLabel="Delete contact"
            danger
            onClose={() => setConfirmDelete(false)}
            onConfirm={async () => {
              await api.deleteContact(contact.id);
              navigate('/contacts', { replace: true });
            }}
          />
          <MergeDialog
            open={mergeOpen}
            onClose={() => setMergeOpen(false)}
            primary={contact}
            onMerged={(merged) => {
              replaceContact(merged);
              setMessage('Contacts merged.');
            }}
          />
        </>
      )}
    </div>
  );
}
