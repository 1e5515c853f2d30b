import { useState, type FormEvent } from 'react';
import { api, ApiError, type ConversationTag } from '../api';
import { ConfirmItemDialog, Dialog } from '../components/Dialog';
import { EmptyState, ErrorBanner, FormErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { describedBy, FieldError, TextAreaField, TextField } from '../components/Field';
import { DialogFormActions } from '../components/FormActions';
import { safeColor, TagChip } from '../components/inbox/TagChip';
import { ActionsHeader, EditDeleteButtons, TableCard } from '../components/Table';
import { FieldErrors } from '../lib/fieldErrors';
import { useAsyncAction } from '../lib/hooks';
import { useEditDialogs } from '../lib/useEditDialogs';
import { messageOr, useLoadedList } from '../lib/useLoadedList';

const SWATCHES = ['#4f46e5', '#1d5fa8', '#1e7b48', '#9a5b00', '#c62828', '#8e24aa', '#00838f', '#6b7385'];

function TagForm({ tag, onSaved, onCancel }: { tag: ConversationTag | null; onSaved: (t: ConversationTag) => void; onCancel: () => void }) {
  const [name, setName] = useState(tag?.name ?? '');
  const [color, setColor] = useState(tag ? safeColor(tag.color) : SWATCHES[0]);
  const [description, setDescription] = useState(tag?.description ?? '');
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);
  const colorError = fe.get('color');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const input = { name: name.trim(), color, description: description.trim() || null };
    await run(async () => {
      onSaved(tag ? await api.updateConversationTag(tag.id, input) : await api.createConversationTag(input));
    });
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(['name', 'color', 'description'])} /> : null}
      <TextField id="tag-name" label="Name" required value={name} onChange={setName} error={fe.get('name')} autoComplete="off" />
      <div className={`field${colorError ? ' field--invalid' : ''}`}>
        <div className="field__label-row">
          <label htmlFor="tag-color" className="field__label">
            Colour
          </label>
        </div>
        <div className="color-row">
          <input
            id="tag-color"
            type="color"
            className="color-input"
            value={color}
            onChange={(e) => setColor(e.target.value)}
            aria-invalid={colorError ? true : undefined}
            aria-describedby={describedBy('tag-color', true, colorError)}
          />
          <div className="swatches" role="group" aria-label="Suggested colours">
            {SWATCHES.map((s) => (
              <button
                key={s}
                type="button"
                className={`swatch${s === color ? ' swatch--active' : ''}`}
                style={{ background: s }}
                aria-label={`Use ${s}`}
                aria-pressed={s === color}
                onClick={() => setColor(s)}
              />
            ))}
          </div>
          <TagChip tag={{ id: 0, name: name.trim() || 'Preview', color }} />
        </div>
        <p id="tag-color-hint" className="field__hint">
          Chips always show the name too, so colour is never the only cue.
        </p>
        <FieldError id="tag-color" error={colorError} />
      </div>
      <TextAreaField id="tag-description" label="Description" value={description} onChange={setDescription} error={fe.get('description')} rows={2} />
      <DialogFormActions onCancel={onCancel} busy={busy} busyLabel="Saving…">
        {tag ? 'Save tag' : 'Create tag'}
      </DialogFormActions>
    </form>
  );
}

/** Conversation tag definitions (`/conversation-tags`), for managers. */
export function ConversationTagsPage() {
  const { items: tags, setItems: setTags, error, load } = useLoadedList(api.listConversationTags, messageOr('Could not load tags.'));
  const { editing, setEditing, deleting, setDeleting, message, saved, confirmDelete } = useEditDialogs({
    setItems: setTags,
    nameOf: (t: ConversationTag) => t.name,
    remove: (t) => api.deleteConversationTag(t.id),
  });

  const newButton = (label: string) => (
    <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
      {label}
    </button>
  );

  return (
    <div className="page">
      <PageHeader title="Conversation tags" description="Coloured labels agents put on conversations, to filter the inbox and report on topics." actions={newButton('New tag')} />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {error && (
        <ErrorBanner title="Could not load tags." onRetry={load}>
          {error}
        </ErrorBanner>
      )}
      {!tags && !error && <Loading label="Loading tags…" />}
      {tags && tags.length === 0 && (
        <EmptyState icon="◈" title="No tags yet" actions={newButton('Create a tag')}>
          Tags such as Billing, Complaint or VIP let agents group conversations and filter the inbox.
        </EmptyState>
      )}
      {tags && tags.length > 0 && (
        <TableCard
          caption="Conversation tags"
          head={
            <>
              <th scope="col">Tag</th>
              <th scope="col">Description</th>
              <ActionsHeader />
            </>
          }
        >
          {tags.map((t) => (
            <tr key={t.id}>
              <th scope="row">
                <TagChip tag={t} />
              </th>
              <td>{t.description || <span className="muted">—</span>}</td>
              <td className="row-actions">
                <EditDeleteButtons name={t.name} onEdit={() => setEditing(t)} onDelete={() => setDeleting(t)} />
              </td>
            </tr>
          ))}
        </TableCard>
      )}

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New tag' : `Edit ${editing?.name ?? ''}`}>
        {editing !== null && (
          <TagForm
            tag={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={saved}
          />
        )}
      </Dialog>

      <ConfirmItemDialog
        item={deleting}
        title="Delete tag?"
        message={(t) => (
          <p>
            <strong>{t.name}</strong> will be deleted and taken off every conversation that has it.
          </p>
        )}
        confirmLabel="Delete tag"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={confirmDelete}
      />
    </div>
  );
}
