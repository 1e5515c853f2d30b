import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, type CannedResponse } from '../api';
import { CheckboxField, TextAreaField, TextField } from '../components/Field';
import { ConfirmItemDialog, Dialog } from '../components/Dialog';
import { Badge, EmptyState, ErrorBanner, FormErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { FilterField } from '../components/Filters';
import { DialogFormActions } from '../components/FormActions';
import { ActionsHeader, EditDeleteButtons, TableCard } from '../components/Table';
import { FieldErrors } from '../lib/fieldErrors';
import { useAsyncAction, useDebouncedValue } from '../lib/hooks';
import { normalizeShortcut } from '../lib/inbox';
import { useEditDialogs } from '../lib/useEditDialogs';
import { useRequiredSession } from '../session';

function CannedForm({
  response,
  canShare,
  onSaved,
  onCancel,
}: {
  response: CannedResponse | null;
  canShare: boolean;
  onSaved: (r: CannedResponse) => void;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(response?.title ?? '');
  const [shortcut, setShortcut] = useState(response?.shortcut ?? '');
  const [content, setContent] = useState(response?.content ?? '');
  const [category, setCategory] = useState(response?.category ?? '');
  const [isShared, setIsShared] = useState(response?.isShared ?? canShare);
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const input = {
      title: title.trim(),
      shortcut: normalizeShortcut(shortcut),
      content,
      category: category.trim() || null,
      ...(canShare ? { isShared } : {}),
    };
    await run(async () => {
      onSaved(response ? await api.updateCannedResponse(response.id, input) : await api.createCannedResponse(input));
    });
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(['title', 'shortcut', 'content', 'category', 'isShared'])} /> : null}
      <TextField id="canned-title" label="Title" required value={title} onChange={setTitle} error={fe.get('title')} autoComplete="off" />
      <TextField
        id="canned-shortcut"
        label="Shortcut"
        required
        value={shortcut}
        onChange={setShortcut}
        error={fe.get('shortcut')}
        hint="Agents type / and this shortcut in the reply box, e.g. “hours” for /hours."
        autoComplete="off"
      />
      <TextAreaField id="canned-content" label="Content" required value={content} onChange={setContent} error={fe.get('content')} rows={5} />
      <TextField id="canned-category" label="Category" value={category} onChange={setCategory} error={fe.get('category')} autoComplete="off" placeholder="e.g. Billing" />
      {canShare ? (
        <CheckboxField id="canned-shared" label="Shared with the whole team" checked={isShared} onChange={setIsShared} hint="Unshared responses are only yours." />
      ) : (
        <p className="form__note muted">This response will be personal: only you will see it.</p>
      )}
      <DialogFormActions onCancel={onCancel} busy={busy} busyLabel="Saving…">
        {response ? 'Save response' : 'Create response'}
      </DialogFormActions>
    </form>
  );
}

/**
 * Canned responses: shared ones (managed with conversations.manage) and each agent's personal ones, inserted in the inbox
 * composer by typing /shortcut.
 */
export function CannedResponsesPage() {
  const session = useRequiredSession();
  const canManage = session.can('conversations.manage');
  const meId = String(session.user.id);
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 300);
  const [items, setItems] = useState<CannedResponse[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const { editing, setEditing, deleting, setDeleting, message, saved, confirmDelete } = useEditDialogs({
    setItems,
    nameOf: (r: CannedResponse) => r.title,
    remove: (r) => api.deleteCannedResponse(r.id),
  });

  useEffect(() => {
    let cancelled = false;
    setError(null);
    api.listCannedResponses(q || undefined).then(
      (r) => !cancelled && setItems(r.items),
      (err: unknown) => !cancelled && setError(errorMessage(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [q, attempt]);

  const canEdit = (r: CannedResponse) => canManage || (!r.isShared && r.ownerId != null && String(r.ownerId) === meId);
  const newButton = (label: string) => (
    <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
      {label}
    </button>
  );

  return (
    <div className="page">
      <PageHeader
        title="Canned responses"
        description={
          <>
            Ready-made replies. In the inbox, type <kbd>/</kbd> and a shortcut to insert one.
          </>
        }
        actions={newButton('New response')}
      />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      <section className="card filters" aria-label="Filters">
        <FilterField id="canned-filter" label="Search responses" className="filters__search">
          <input id="canned-filter" className="input input--search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Title, shortcut or text" autoComplete="off" />
        </FilterField>
      </section>
      {error && (
        <ErrorBanner title="Could not load canned responses." onRetry={() => setAttempt((a) => a + 1)}>
          {error}
        </ErrorBanner>
      )}
      {!items && !error && <Loading label="Loading canned responses…" />}
      {items && items.length === 0 && (
        <EmptyState icon="⚡" title={q ? 'No responses match' : 'No canned responses yet'} actions={q ? undefined : newButton('Create a response')}>
          {q ? 'Try a different search.' : 'Save the answers your team types again and again — opening hours, payment details, next steps.'}
        </EmptyState>
      )}
      {items && items.length > 0 && (
        <TableCard
          caption="Canned responses"
          head={
            <>
              <th scope="col">Title</th>
              <th scope="col">Shortcut</th>
              <th scope="col">Content</th>
              <th scope="col">Category</th>
              <th scope="col">Visibility</th>
              <th scope="col" className="num">
                Used
              </th>
              <ActionsHeader />
            </>
          }
        >
          {items.map((r) => (
            <tr key={r.id}>
              <th scope="row">{r.title}</th>
              <td className="nowrap">
                <code>/{r.shortcut}</code>
              </td>
              <td className="canned-content-cell" title={r.content}>
                {r.content.length > 90 ? `${r.content.slice(0, 90)}…` : r.content}
              </td>
              <td>{r.category || <span className="muted">—</span>}</td>
              <td>{r.isShared ? <Badge tone="info">Shared</Badge> : <Badge>Personal</Badge>}</td>
              <td className="num">{r.usageCount}</td>
              <td className="row-actions">
                {canEdit(r) && <EditDeleteButtons name={r.title} onEdit={() => setEditing(r)} onDelete={() => setDeleting(r)} />}
              </td>
            </tr>
          ))}
        </TableCard>
      )}

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New canned response' : `Edit ${editing?.title ?? ''}`}>
        {editing !== null && (
          <CannedForm
            response={editing === 'new' ? null : editing}
            canShare={canManage}
            onCancel={() => setEditing(null)}
            onSaved={saved}
          />
        )}
      </Dialog>

      <ConfirmItemDialog
        item={deleting}
        title="Delete canned response?"
        message={(r) => (
          <p>
            <strong>{r.title}</strong> (<code>/{r.shortcut}</code>) will be deleted.
          </p>
        )}
        confirmLabel="Delete response"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={confirmDelete}
      />
    </div>
  );
}
