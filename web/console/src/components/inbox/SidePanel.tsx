import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  api,
  errorMessage,
  PRIORITIES,
  type Assignment,
  type ConversationSummary,
  type ConversationTag,
  type Department,
  type Note,
  type Priority,
  type Transfer,
  type TransferInput,
  type UpdateConversationInput,
  type User,
} from '../../api';
import { formatDateTime, titleCase } from '../../lib/format';
import { useAsyncAction } from '../../lib/hooks';
import { channelKind, contactLabel, snoozeOptions, toDateTimeLocal } from '../../lib/inbox';
import { ConfirmItemDialog, Dialog } from '../Dialog';
import { Badge, ErrorBanner, FormErrorBanner } from '../Feedback';
import { FieldError } from '../Field';
import { userOptions } from '../Filters';
import { DialogFormActions } from '../FormActions';
import { TagChip } from './TagChip';

const STATUS_TONE = { new: 'info', open: 'success', pending: 'warning', snoozed: 'neutral', resolved: 'neutral', archived: 'neutral' } as const;

function SnoozeDialog({ open, onClose, onSnooze }: { open: boolean; onClose: () => void; onSnooze: (until: Date) => Promise<void> }) {
  const [choice, setChoice] = useState('hour');
  const [custom, setCustom] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const { busy, error, run } = useAsyncAction();
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!open) return;
    const n = new Date();
    setNow(n);
    setChoice('hour');
    setCustom(toDateTimeLocal(new Date(n.getTime() + 2 * 3_600_000)));
    setInvalid(null);
  }, [open]);
  const options = snoozeOptions(now);

  async function submit(e: FormEvent) {
    e.preventDefault();
    let until: Date | undefined = options.find((o) => o.key === choice)?.at;
    if (choice === 'custom') {
      const d = custom ? new Date(custom) : null;
      if (!d || Number.isNaN(d.getTime()) || d.getTime() <= Date.now()) {
        setInvalid('Choose a time in the future.');
        return;
      }
      until = d;
    }
    setInvalid(null);
    if (!until) return;
    const at = until;
    await run(async () => {
      await onSnooze(at);
      onClose();
    });
  }

  return (
    <Dialog open={open} onClose={onClose} title="Snooze conversation" size="sm" description={<p>It leaves the open list and comes back on its own at this time.</p>}>
      <form className="form" onSubmit={submit} noValidate>
        {error ? <FormErrorBanner error={error} /> : null}
        <fieldset className="radio-list">
          <legend className="field__label">Snooze until</legend>
          {options.map((o) => (
            <div className="radio" key={o.key}>
              <input type="radio" id={`snooze-${o.key}`} name="snooze" value={o.key} checked={choice === o.key} onChange={() => setChoice(o.key)} />
              <label htmlFor={`snooze-${o.key}`}>
                {o.label} <span className="muted">· {formatDateTime(o.at.toISOString())}</span>
              </label>
            </div>
          ))}
          <div className="radio">
            <input type="radio" id="snooze-custom" name="snooze" value="custom" checked={choice === 'custom'} onChange={() => setChoice('custom')} />
            <label htmlFor="snooze-custom">Custom</label>
          </div>
        </fieldset>
        {choice === 'custom' && (
          <div className={`field${invalid ? ' field--invalid' : ''}`}>
            <label htmlFor="snooze-at" className="field__label">
              Date and time
            </label>
            <input
              id="snooze-at"
              type="datetime-local"
              className="input"
              value={custom}
              onChange={(e) => setCustom(e.target.value)}
              aria-invalid={invalid ? true : undefined}
              aria-describedby={invalid ? 'snooze-at-error' : undefined}
            />
            <FieldError id="snooze-at" error={invalid ? [invalid] : undefined} />
          </div>
        )}
        <DialogFormActions onCancel={onClose} busy={busy} busyLabel="Snoozing…">
          Snooze
        </DialogFormActions>
      </form>
    </Dialog>
  );
}

/** One of a transfer's two targets. Choosing neither makes both invalid, described by the one error shown below the second. */
function TransferTarget({
  id,
  label,
  value,
  onChange,
  invalid,
  emptyLabel,
  options,
  error,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  invalid: boolean;
  emptyLabel: string;
  options: { value: string; label: string }[];
  error?: string[];
}) {
  return (
    <div className={`field${invalid ? ' field--invalid' : ''}`}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <select
        id={id}
        className="input select"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? 'transfer-target-error' : undefined}
      >
        <option value="">{emptyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError id="transfer-target" error={error} />
    </div>
  );
}

function TransferDialog({
  open,
  onClose,
  users,
  departments,
  onTransfer,
}: {
  open: boolean;
  onClose: () => void;
  users: User[] | null;
  departments: Department[] | null;
  onTransfer: (input: TransferInput) => Promise<void>;
}) {
  const [userId, setUserId] = useState('');
  const [departmentId, setDepartmentId] = useState('');
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState(false);
  const { busy, error, run } = useAsyncAction();
  useEffect(() => {
    if (!open) return;
    setUserId('');
    setDepartmentId('');
    setReason('');
    setInvalid(false);
  }, [open]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!userId && !departmentId) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const input: TransferInput = {};
    if (userId) input.toUserId = Number(userId);
    if (departmentId) input.toDepartmentId = Number(departmentId);
    if (reason.trim()) input.reason = reason.trim();
    await run(async () => {
      await onTransfer(input);
      onClose();
    });
  }

  const targetError = invalid ? ['Choose a person, a department or both.'] : undefined;
  return (
    <Dialog open={open} onClose={onClose} title="Transfer conversation" description={<p>Hand the conversation to a colleague, a department, or both.</p>}>
      <form className="form" onSubmit={submit} noValidate>
        {error ? <FormErrorBanner error={error} /> : null}
        <TransferTarget
          id="transfer-user"
          label="To a person"
          value={userId}
          onChange={setUserId}
          invalid={invalid}
          emptyLabel="Nobody in particular"
          options={userOptions((users ?? []).filter((u) => u.status !== 'disabled'))}
        />
        <TransferTarget
          id="transfer-department"
          label="To a department"
          value={departmentId}
          onChange={setDepartmentId}
          invalid={invalid}
          emptyLabel="No department"
          options={(departments ?? []).map((d) => ({ value: String(d.id), label: d.name }))}
          error={targetError}
        />
        <div className="field">
          <label htmlFor="transfer-reason" className="field__label">
            Reason (optional)
          </label>
          <textarea id="transfer-reason" className="input textarea" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <DialogFormActions onCancel={onClose} busy={busy} busyLabel="Transferring…">
          Transfer
        </DialogFormActions>
      </form>
    </Dialog>
  );
}

function NotesSection({
  conversationId,
  notes,
  error,
  canWrite,
  onSaved,
  onRemoved,
}: {
  conversationId: number;
  notes: Note[] | null;
  error: string | null;
  canWrite: boolean;
  onSaved: (n: Note) => void;
  onRemoved: (id: number) => void;
}) {
  const [content, setContent] = useState('');
  const [pinned, setPinned] = useState(false);
  const [deleting, setDeleting] = useState<Note | null>(null);
  const add = useAsyncAction();
  const change = useAsyncAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!content.trim()) return;
    await add.run(async () => {
      onSaved(await api.createNote(conversationId, { content: content.trim(), isPinned: pinned }));
      setContent('');
      setPinned(false);
    });
  }

  return (
    <section className="side-section" aria-labelledby="side-notes">
      <h3 id="side-notes" className="side-section__title">
        Notes
      </h3>
      {error && <ErrorBanner title="Could not load notes.">{error}</ErrorBanner>}
      {change.error ? <FormErrorBanner error={change.error} /> : null}
      {notes && notes.length === 0 && <p className="muted">No notes yet. Notes are only visible to your team.</p>}
      {notes && notes.length > 0 && (
        <ul className="notes">
          {notes.map((n) => (
            <li key={n.id} className={`note${n.isPinned ? ' note--pinned' : ''}`}>
              <p className="note__content">{n.content}</p>
              <p className="note__meta muted">
                {n.isPinned && <span className="note__pin">Pinned · </span>}
                {n.author?.name ?? 'Someone'} · {formatDateTime(n.createdAt)}
              </p>
              {canWrite && (
                <div className="note__actions">
                  <button
                    type="button"
                    className="btn btn--ghost btn--sm"
                    disabled={change.busy}
                    aria-label={n.isPinned ? 'Unpin note' : 'Pin note'}
                    onClick={() => change.run(async () => onSaved(await api.updateNote(conversationId, n.id, { isPinned: !n.isPinned })))}
                  >
                    {n.isPinned ? 'Unpin' : 'Pin'}
                  </button>
                  <button type="button" className="btn btn--ghost btn--sm btn--danger-text" onClick={() => setDeleting(n)} aria-label="Delete note">
                    Delete
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <form className="note-form" onSubmit={submit} noValidate>
          {add.error ? <FormErrorBanner error={add.error} /> : null}
          <label htmlFor="note-content" className="visually-hidden">
            New note
          </label>
          <textarea id="note-content" className="input textarea" rows={2} value={content} onChange={(e) => setContent(e.target.value)} placeholder="Add a note for your team" />
          <div className="note-form__actions">
            <div className="checkbox">
              <input type="checkbox" id="note-pinned" checked={pinned} onChange={(e) => setPinned(e.target.checked)} />
              <label htmlFor="note-pinned">Pin</label>
            </div>
            <button type="submit" className="btn btn--secondary btn--sm" disabled={add.busy || !content.trim()}>
              {add.busy ? 'Adding…' : 'Add note'}
            </button>
          </div>
        </form>
      )}
      <ConfirmItemDialog
        item={deleting}
        title="Delete note?"
        message={(n) => <p>“{n.content.length > 120 ? `${n.content.slice(0, 120)}…` : n.content}” will be deleted.</p>}
        confirmLabel="Delete note"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={async (n) => {
          await api.deleteNote(conversationId, n.id);
          onRemoved(n.id);
        }}
      />
    </section>
  );
}

type HistoryEntry = { key: string; at: string; text: string; reason?: string | null };

function HistorySection({ conversationId, reloadKey, departments }: { conversationId: number; reloadKey: number; departments: Department[] | null }) {
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setEntries(null);
  }, [conversationId]);

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setError(null);
    const dept = (id: number | null) => (id == null ? null : (departments?.find((d) => String(d.id) === String(id))?.name ?? `department #${id}`));
    Promise.all([api.listAssignments(conversationId), api.listTransfers(conversationId)]).then(
      ([a, t]) => {
        if (cancelled) return;
        const list: HistoryEntry[] = [
          ...a.items.map((x: Assignment) => ({
            key: `a${x.id}`,
            at: x.assignedAt,
            text: `${x.assignedTo ? `Assigned to ${x.assignedTo.name}` : 'Unassigned'}${x.assignedBy ? ` by ${x.assignedBy.name}` : ''}${x.assignmentType && x.assignmentType !== 'manual' ? ` (${x.assignmentType})` : ''}`,
          })),
          ...t.items.map((x: Transfer) => {
            const to = [x.toUser?.name, dept(x.toDepartmentId)].filter(Boolean).join(' / ');
            return {
              key: `t${x.id}`,
              at: x.transferredAt,
              text: `Transferred${x.fromUser ? ` from ${x.fromUser.name}` : ''} to ${to || 'nobody'}${x.transferredBy ? ` by ${x.transferredBy.name}` : ''}`,
              reason: x.reason,
            };
          }),
        ].sort((p, q) => Date.parse(q.at) - Date.parse(p.at));
        setEntries(list);
      },
      (err: unknown) => !cancelled && setError(errorMessage(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [open, conversationId, reloadKey, departments]);

  return (
    <details className="side-section side-history" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="side-section__title">Assignment history</summary>
      {error && <ErrorBanner title="Could not load the history.">{error}</ErrorBanner>}
      {open && !entries && !error && <p className="muted">Loading…</p>}
      {entries && entries.length === 0 && <p className="muted">Never assigned or transferred.</p>}
      {entries && entries.length > 0 && (
        <ol className="history">
          {entries.map((h) => (
            <li key={h.key}>
              <span>{h.text}</span>
              {h.reason && <span className="history__reason">“{h.reason}”</span>}
              <time className="muted" dateTime={h.at}>
                {formatDateTime(h.at)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}

/** The open conversation's details: contact, status, priority, assignee, transfer, tags, notes and history. */
export function SidePanel({
  conversation,
  canReply,
  canSeeContacts,
  meId,
  users,
  departments,
  tags,
  notes,
  notesError,
  historyKey,
  onUpdate,
  onAssign,
  onTransfer,
  onSetTags,
  onNoteSaved,
  onNoteRemoved,
}: {
  conversation: ConversationSummary;
  canReply: boolean;
  canSeeContacts: boolean;
  meId: number;
  users: User[] | null;
  departments: Department[] | null;
  tags: ConversationTag[] | null;
  notes: Note[] | null;
  notesError: string | null;
  historyKey: number;
  onUpdate: (input: UpdateConversationInput) => Promise<void>;
  onAssign: (userId: number | null) => Promise<void>;
  onTransfer: (input: TransferInput) => Promise<void>;
  onSetTags: (tagIds: number[]) => Promise<void>;
  onNoteSaved: (n: Note) => void;
  onNoteRemoved: (id: number) => void;
}) {
  const c = conversation;
  const { busy, error, run } = useAsyncAction();
  const [snoozing, setSnoozing] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const kind = channelKind(c.channel.type);
  const department = c.departmentId == null ? null : (departments?.find((d) => String(d.id) === String(c.departmentId))?.name ?? `#${c.departmentId}`);
  const assigneeOptions = (users ?? []).filter((u) => u.status !== 'disabled').map((u) => ({ value: String(u.id), label: u.name || u.email }));
  if (c.assignedTo && !assigneeOptions.some((o) => o.value === String(c.assignedTo?.id))) assigneeOptions.push({ value: String(c.assignedTo.id), label: c.assignedTo.name });
  const tagIds = c.tags.map((t) => t.id);
  const addable = (tags ?? []).filter((t) => !tagIds.includes(t.id));
  const assignedToMe = c.assignedTo && c.assignedTo.id === meId;

  return (
    <div className="side-panel">
      {error ? <FormErrorBanner error={error} /> : null}

      <section className="side-section" aria-labelledby="side-contact">
        <h3 id="side-contact" className="side-section__title">
          Contact
        </h3>
        <p className="side-contact__name">{contactLabel(c.contact)}</p>
        <dl className="side-kv">
          {c.contact.phone && (
            <>
              <dt>Phone</dt>
              <dd>{c.contact.phone}</dd>
            </>
          )}
          {c.contact.email && (
            <>
              <dt>Email</dt>
              <dd>{c.contact.email}</dd>
            </>
          )}
          <dt>Channel</dt>
          <dd>
            {kind.label} · {c.channel.name}
          </dd>
          {department && (
            <>
              <dt>Department</dt>
              <dd>{department}</dd>
            </>
          )}
        </dl>
        {canSeeContacts && <Link to={`/contacts/${c.contact.id}`}>Open contact page</Link>}
      </section>

      <section className="side-section" aria-labelledby="side-status">
        <h3 id="side-status" className="side-section__title">
          Status
        </h3>
        <p>
          <Badge tone={STATUS_TONE[c.status]}>{titleCase(c.status)}</Badge>
          {c.status === 'snoozed' && c.snoozedUntil && <span className="muted"> until {formatDateTime(c.snoozedUntil)}</span>}
        </p>
        {canReply && (
          <div className="side-actions">
            {c.status === 'resolved' || c.status === 'snoozed' || c.status === 'archived' ? (
              <button type="button" className="btn btn--secondary btn--sm" disabled={busy} onClick={() => run(() => onUpdate({ status: 'open' }))}>
                Reopen
              </button>
            ) : (
              <button type="button" className="btn btn--primary btn--sm" disabled={busy} onClick={() => run(() => onUpdate({ status: 'resolved' }))} aria-keyshortcuts="e">
                Resolve
              </button>
            )}
            {c.status !== 'snoozed' && (
              <button type="button" className="btn btn--secondary btn--sm" disabled={busy} onClick={() => setSnoozing(true)}>
                Snooze…
              </button>
            )}
          </div>
        )}
        <div className="field field--compact">
          <label htmlFor="side-priority" className="field__label">
            Priority
          </label>
          <select
            id="side-priority"
            className="input select select--compact"
            value={c.priority}
            disabled={!canReply || busy}
            onChange={(e) => run(() => onUpdate({ priority: e.target.value as Priority }))}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {titleCase(p)}
              </option>
            ))}
          </select>
        </div>
      </section>

      <section className="side-section" aria-labelledby="side-assignee">
        <h3 id="side-assignee" className="side-section__title">
          Assignee
        </h3>
        <div className="field field--compact">
          <label htmlFor="side-assignee-select" className="field__label">
            Assigned to
          </label>
          <select
            id="side-assignee-select"
            className="input select select--compact"
            value={c.assignedTo ? String(c.assignedTo.id) : ''}
            disabled={!canReply || busy}
            onChange={(e) => run(() => onAssign(e.target.value ? Number(e.target.value) : null))}
          >
            <option value="">Unassigned</option>
            {assigneeOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.value === String(meId) ? `${o.label} (you)` : o.label}
              </option>
            ))}
          </select>
        </div>
        {canReply && (
          <div className="side-actions">
            {!assignedToMe && (
              <button type="button" className="btn btn--secondary btn--sm" disabled={busy} onClick={() => run(() => onAssign(meId))} aria-keyshortcuts="a">
                Assign to me
              </button>
            )}
            <button type="button" className="btn btn--secondary btn--sm" disabled={busy} onClick={() => setTransferring(true)}>
              Transfer…
            </button>
          </div>
        )}
      </section>

      <section className="side-section" aria-labelledby="side-tags">
        <h3 id="side-tags" className="side-section__title">
          Tags
        </h3>
        {c.tags.length === 0 ? (
          <p className="muted">No tags.</p>
        ) : (
          <div className="tags">
            {c.tags.map((t) => (
              <TagChip
                key={t.id}
                tag={t}
                onRemove={canReply ? () => run(() => onSetTags(tagIds.filter((id) => id !== t.id))) : undefined}
                removeDisabled={busy}
              />
            ))}
          </div>
        )}
        {canReply && addable.length > 0 && (
          <div className="field field--compact">
            <label htmlFor="side-add-tag" className="field__label">
              Add a tag
            </label>
            <select
              id="side-add-tag"
              className="input select select--compact"
              value=""
              disabled={busy}
              onChange={(e) => e.target.value && run(() => onSetTags([...tagIds, Number(e.target.value)]))}
            >
              <option value="">Choose a tag…</option>
              {addable.map((t) => (
                <option key={t.id} value={String(t.id)}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {canReply && tags && tags.length === 0 && <p className="muted">No tags defined yet.</p>}
      </section>

      <NotesSection conversationId={c.id} notes={notes} error={notesError} canWrite={canReply} onSaved={onNoteSaved} onRemoved={onNoteRemoved} />
      <HistorySection conversationId={c.id} reloadKey={historyKey} departments={departments} />

      <SnoozeDialog open={snoozing} onClose={() => setSnoozing(false)} onSnooze={(until) => onUpdate({ status: 'snoozed', snoozedUntil: until.toISOString() })} />
      <TransferDialog open={transferring} onClose={() => setTransferring(false)} users={users} departments={departments} onTransfer={onTransfer} />
    </div>
  );
}
