import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Department, type Id, type User } from '../api';
import { ConfirmItemDialog, Dialog } from '../components/Dialog';
import { CheckboxGroupField, TextAreaField, TextField } from '../components/Field';
import { EmptyState, ErrorBanner, FormErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { ActionsHeader, TableCard } from '../components/Table';
import { FieldErrors } from '../lib/fieldErrors';
import { joinList, splitList } from '../lib/format';
import { useAsyncAction } from '../lib/hooks';
import { toId } from '../lib/lists';
import { useEditDialogs } from '../lib/useEditDialogs';
import { messageOr, useLoadedList } from '../lib/useLoadedList';
import { DialogFormActions } from '../components/FormActions';

function DepartmentForm({
  department,
  users,
  onSaved,
  onCancel,
}: {
  department: Department | null;
  users: User[] | null;
  onSaved: (d: Department) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(department?.name ?? '');
  const [description, setDescription] = useState(department?.description ?? '');
  const [numbers, setNumbers] = useState(joinList(department?.whatsappNumbers));
  const [members, setMembers] = useState<string[]>((department?.memberIds ?? []).map(String));
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);
  const memberError = fe.get('memberIds', { prefix: true });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const known: Id[] = [...(users ?? []).map((u) => u.id), ...(department?.memberIds ?? [])];
    const input = {
      name: name.trim(),
      description: description.trim() || null,
      whatsappNumbers: splitList(numbers),
      memberIds: members.map((m) => toId(m, known)),
    };
    await run(async () => {
      onSaved(department ? await api.updateDepartment(department.id, input) : await api.createDepartment(input));
    });
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(['name', 'description', 'whatsappNumbers', 'memberIds'])} /> : null}
      <TextField id="dept-name" label="Name" required value={name} onChange={setName} error={fe.get('name')} autoComplete="off" />
      <TextAreaField id="dept-description" label="Description" value={description} onChange={setDescription} error={fe.get('description')} rows={2} />
      <TextField
        id="dept-numbers"
        label="WhatsApp numbers"
        value={numbers}
        onChange={setNumbers}
        error={fe.get('whatsappNumbers', { prefix: true })}
        hint="Comma separated, E.164 format, e.g. +15551234567"
        autoComplete="off"
      />
      <CheckboxGroupField
        id="dept-members"
        legend="Members"
        className="checkbox-group--scroll"
        options={
          users?.map((u) => ({
            value: String(u.id),
            label: (
              <>
                {u.name} <span className="muted">{u.email}</span>
              </>
            ),
          })) ?? null
        }
        values={members}
        onChange={setMembers}
        error={memberError}
        unavailableText="Users could not be loaded."
        emptyText="No users yet."
      />
      <DialogFormActions onCancel={onCancel} busy={busy} busyLabel="Saving…">
        {department ? 'Save department' : 'Create department'}
      </DialogFormActions>
    </form>
  );
}

export function DepartmentsPage() {
  const { items: departments, setItems: setDepartments, error, load } = useLoadedList(api.listDepartments, messageOr('Could not load departments.'));
  const [users, setUsers] = useState<User[] | null>(null);
  const { editing, setEditing, deleting, setDeleting, message, saved, confirmDelete } = useEditDialogs({
    setItems: setDepartments,
    nameOf: (d: Department) => d.name,
    remove: (d) => api.deleteDepartment(d.id),
  });

  useEffect(() => {
    api.listUsers().then((r) => setUsers(r.items), () => setUsers(null));
  }, []);

  const userName = (id: Id) => users?.find((u) => String(u.id) === String(id))?.name ?? `#${id}`;

  return (
    <div className="page">
      <PageHeader
        title="Departments"
        description="Group agents into teams and route WhatsApp numbers to them."
        actions={
          <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
            New department
          </button>
        }
      />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {error && <ErrorBanner title="Could not load departments." onRetry={load}>{error}</ErrorBanner>}
      {!departments && !error && <Loading label="Loading departments…" />}
      {departments && departments.length === 0 && (
        <EmptyState
          icon="▦"
          title="No departments yet"
          actions={
            <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
              Create a department
            </button>
          }
        >
          Departments such as Sales or Support let you route conversations and filter contacts.
        </EmptyState>
      )}
      {departments && departments.length > 0 && (
        <TableCard
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">WhatsApp numbers</th>
              <th scope="col">Members</th>
              <ActionsHeader />
            </>
          }
        >
          {departments.map((d) => (
            <tr key={String(d.id)}>
              <th scope="row">{d.name}</th>
              <td>{d.description || <span className="muted">—</span>}</td>
              <td className="nowrap">{d.whatsappNumbers.length ? d.whatsappNumbers.join(', ') : '—'}</td>
              <td>
                {d.memberIds.length === 0 ? (
                  <span className="muted">No members</span>
                ) : (
                  <span title={d.memberIds.map(userName).join(', ')}>
                    {d.memberIds.length} member{d.memberIds.length === 1 ? '' : 's'}
                    <span className="muted"> · {d.memberIds.slice(0, 3).map(userName).join(', ')}{d.memberIds.length > 3 ? '…' : ''}</span>
                  </span>
                )}
              </td>
              <td className="row-actions">
                <button type="button" className="btn btn--ghost btn--sm" onClick={() => setEditing(d)}>
                  Edit<span className="visually-hidden"> {d.name}</span>
                </button>
                <button type="button" className="btn btn--ghost btn--sm btn--danger-text" onClick={() => setDeleting(d)}>
                  Delete<span className="visually-hidden"> {d.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </TableCard>
      )}

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New department' : `Edit ${editing?.name ?? ''}`}>
        {editing !== null && (
          <DepartmentForm
            department={editing === 'new' ? null : editing}
            users={users}
            onCancel={() => setEditing(null)}
            onSaved={saved}
          />
        )}
      </Dialog>

      <ConfirmItemDialog
        item={deleting}
        title="Delete department?"
        message={(d) => (
          <p>
            <strong>{d.name}</strong> will be deleted. Contacts and users in it are kept.
          </p>
        )}
        confirmLabel="Delete department"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={confirmDelete}
      />
    </div>
  );
}
