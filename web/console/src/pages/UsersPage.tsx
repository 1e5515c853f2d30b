import { useState, type FormEvent } from 'react';
import { api, ApiError, ROLES, type CreatedUser, type User } from '../api';
import { ConfirmItemDialog, Dialog } from '../components/Dialog';
import { CheckboxField, SelectField, TextField } from '../components/Field';
import { Badge, EmptyState, ErrorBanner, FormErrorBanner, Loading, PageHeader, SecretReveal, SuccessBanner } from '../components/Feedback';
import { ActionsHeader, TableCard } from '../components/Table';
import { FieldErrors } from '../lib/fieldErrors';
import { formatDateTime, titleCase } from '../lib/format';
import { useAsyncAction } from '../lib/hooks';
import { removeById, replaceById, upsertById } from '../lib/lists';
import { messageOr, useLoadedList } from '../lib/useLoadedList';
import { useRequiredSession } from '../session';
import { DialogFormActions } from '../components/FormActions';
import { DisabledKeysNotice } from '../components/DisabledKeysNotice';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: titleCase(r) }));

function InviteForm({ onCreated, onCancel }: { onCreated: (u: CreatedUser) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('agent');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run(async () => {
      const created = await api.createUser({ name: name.trim(), email: email.trim(), role, password: password || undefined });
      onCreated(created);
    });
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(['name', 'email', 'role', 'password'])} /> : null}
      <TextField id="invite-name" label="Name" required value={name} onChange={setName} error={fe.get('name')} autoComplete="off" />
      <TextField id="invite-email" label="Email" type="email" required value={email} onChange={setEmail} error={fe.get('email')} autoComplete="off" hint="If this person already has a Switchboard account, they are sent an invitation and join once they accept it." />
      <SelectField id="invite-role" label="Role" required value={role} onChange={setRole} options={ROLE_OPTIONS} error={fe.get('role')} />
      <TextField
        id="invite-password"
        label="Password (optional)"
        type="password"
        value={password}
        onChange={setPassword}
        error={fe.get('password')}
        autoComplete="new-password"
        hint="For new accounts only. Leave empty to generate a temporary password."
      />
      <DialogFormActions onCancel={onCancel} busy={busy} busyLabel="Inviting…">
        Send invite
      </DialogFormActions>
    </form>
  );
}

function EditUserForm({ user, onSaved, onCancel }: { user: User; onSaved: (u: User) => void; onCancel: () => void }) {
  const [role, setRole] = useState(String(user.role));
  const [status, setStatus] = useState<'active' | 'disabled'>(user.status === 'disabled' ? 'disabled' : 'active');
  const [isProvider, setIsProvider] = useState(user.isProvider);
  const [isTimeClockUser, setIsTimeClockUser] = useState(user.isTimeClockUser);
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run(async () => {
      onSaved(await api.updateUser(user.id, { role, status, isProvider, isTimeClockUser }));
    });
  }

  const known = ['role', 'status', 'isProvider', 'isTimeClockUser'];
  return (
    <form className="form" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(known)} /> : null}
      <p className="muted">
        {user.name} ({user.email}) manages their own name, phones and sign-in timeout. Here you set what they may do in this workspace.
      </p>
      <div className="grid-2">
        <SelectField id="edit-user-role" label="Role" value={role} onChange={setRole} options={ROLE_OPTIONS} error={fe.get('role')} />
        <SelectField
          id="edit-user-status"
          label="Status"
          value={status}
          onChange={(v) => setStatus(v as 'active' | 'disabled')}
          options={[
            { value: 'active', label: 'Active' },
            { value: 'disabled', label: 'Disabled' },
          ]}
          error={fe.get('status')}
        />
      </div>
      <CheckboxField id="edit-user-provider" label="Is provider" checked={isProvider} onChange={setIsProvider} />
      <CheckboxField id="edit-user-timeclock" label="Time-clock user" checked={isTimeClockUser} onChange={setIsTimeClockUser} />
      {(role !== String(user.role) || status !== user.status) && (
        <DisabledKeysNotice userId={user.id} change={{ role: role !== String(user.role) ? role : undefined, status: status !== user.status ? status : undefined }} />
      )}
      <DialogFormActions onCancel={onCancel} busy={busy} busyLabel="Saving…">
        Save user
      </DialogFormActions>
    </form>
  );
}

export function UsersPage() {
  const session = useRequiredSession();
  const { items: users, setItems: setUsers, error, load } = useLoadedList(api.listUsers, messageOr('Could not load users.'));
  const [inviteOpen, setInviteOpen] = useState(false);
  const [invited, setInvited] = useState<CreatedUser | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  function closeInvite() {
    setInviteOpen(false);
    setInvited(null);
  }

  return (
    <div className="page">
      <PageHeader
        title="Users"
        description="People who can sign in to this workspace, and what they may do."
        actions={
          <button type="button" className="btn btn--primary" onClick={() => setInviteOpen(true)}>
            Invite user
          </button>
        }
      />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {error && <ErrorBanner title="Could not load users." onRetry={load}>{error}</ErrorBanner>}
      {!users && !error && <Loading label="Loading users…" />}
      {users && users.length === 0 && (
        <EmptyState icon="◉" title="No users yet" actions={<button type="button" className="btn btn--primary" onClick={() => setInviteOpen(true)}>Invite user</button>}>
          Invite your agents and supervisors.
        </EmptyState>
      )}
      {users && users.length > 0 && (
        <TableCard
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Last sign-in</th>
              <ActionsHeader />
            </>
          }
        >
          {users.map((u) => {
            const isMe = String(u.id) === String(session.user.id);
            return (
              <tr key={String(u.id)}>
                <th scope="row">
                  {u.name}
                  {isMe && <span className="muted"> (you)</span>}
                </th>
                <td>{u.email}</td>
                <td>
                  <Badge tone={u.role === 'owner' ? 'info' : 'neutral'}>{titleCase(String(u.role))}</Badge>
                </td>
                <td>
                  <Badge tone={u.status === 'active' ? 'success' : u.status === 'invited' ? 'info' : 'warning'}>{titleCase(u.status)}</Badge>
                </td>
                <td className="nowrap">{u.lastSignInAt ? formatDateTime(u.lastSignInAt) : 'Never'}</td>
                <td className="row-actions">
                  {u.status !== 'invited' && (
                    <button type="button" className="btn btn--ghost btn--sm" onClick={() => setEditing(u)}>
                      Edit<span className="visually-hidden"> {u.name}</span>
                    </button>
                  )}
                  {u.role !== 'owner' && !isMe && (
                    <button type="button" className="btn btn--ghost btn--sm btn--danger-text" onClick={() => setRemoving(u)}>
                      {u.status === 'invited' ? 'Cancel invitation' : 'Remove'}
                      <span className="visually-hidden"> {u.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </TableCard>
      )}

      <Dialog open={inviteOpen} onClose={closeInvite} title={invited ? 'User invited' : 'Invite user'}>
        {invited ? (
          <div className="stack">
            {invited.user.status === 'invited' ? (
              <p>
                <strong>{invited.user.email}</strong> already has an account. They were invited as {invited.user.role} and join this
                workspace once they accept the invitation after signing in.
              </p>
            ) : (
              <p>
                <strong>{invited.user.name}</strong> ({invited.user.email}) can now sign in as {invited.user.role}.
              </p>
            )}
            {invited.temporaryPassword ? (
              <SecretReveal
                warning="This temporary password is shown only once. Share it securely; the user should change it after signing in."
                value={invited.temporaryPassword}
                valueLabel="Temporary password"
                copyLabel="Copy password"
              />
            ) : null}
            <div className="form-actions">
              <button type="button" className="btn btn--primary" onClick={closeInvite}>
                Done
              </button>
            </div>
          </div>
        ) : (
          <InviteForm
            onCancel={closeInvite}
            onCreated={(created) => {
              setInvited(created);
              const u = created.user;
              setUsers((prev) => upsertById(prev, u));
            }}
          />
        )}
      </Dialog>

      <Dialog open={!!editing} onClose={() => setEditing(null)} title={editing ? `Edit ${editing.name}` : 'Edit user'}>
        {editing && (
          <EditUserForm
            user={editing}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              setUsers((prev) => replaceById(prev, saved));
              setEditing(null);
              setMessage(`${saved.name} was updated.`);
            }}
          />
        )}
      </Dialog>

      <ConfirmItemDialog
        item={removing}
        title="Remove user?"
        message={(u) =>
          u.status === 'invited' ? (
            <p>
              The invitation to <strong>{u.email}</strong> will be withdrawn.
            </p>
          ) : (
            <>
              <p>
                <strong>{u.name}</strong> will lose access to this workspace. Their account in other workspaces is not affected.
              </p>
              <DisabledKeysNotice userId={u.id} change={{ remove: true }} />
            </>
          )
        }
        confirmLabel="Remove user"
        danger
        onClose={() => setRemoving(null)}
        onConfirm={async (removed) => {
          await api.deleteUser(removed.id);
          setUsers((prev) => removeById(prev, removed.id));
          setMessage(`${removed.name} was removed.`);
        }}
      />
    </div>
  );
}
