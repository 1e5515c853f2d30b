import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, type PlatformTenant, type TenantStatus } from '../api';
import { ConfirmItemDialog, Dialog } from '../components/Dialog';
import { TextField } from '../components/Field';
import { Badge, EmptyState, ErrorBanner, FormErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { DialogFormActions } from '../components/FormActions';
import { ActionsHeader, TableCard } from '../components/Table';
import { FieldErrors } from '../lib/fieldErrors';
import { formatDate, titleCase } from '../lib/format';
import { useAsyncAction, useNameWithSlug } from '../lib/hooks';
import { replaceById, upsertById } from '../lib/lists';
import { messageOr, useLoadedList } from '../lib/useLoadedList';
import { useRequiredSession } from '../session';

const FIELDS = ['name', 'slug', 'ownerName', 'ownerEmail', 'ownerPassword'];

const byName = (a: PlatformTenant, b: PlatformTenant) => a.name.localeCompare(b.name);

function CreateWorkspaceForm({ onCreated, onCancel }: { onCreated: (t: PlatformTenant) => void; onCancel: () => void }) {
  const { name, setName, slug, setSlug } = useNameWithSlug();
  const [ownerName, setOwnerName] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [ownerPassword, setOwnerPassword] = useState('');
  const { busy, error, run } = useAsyncAction();
  // 409 means the slug is taken: show it next to the slug, where it can be fixed.
  const conflict: Record<string, string[]> = error instanceof ApiError && error.status === 409 ? { slug: [errorMessage(error)] } : {};
  const fe = new FieldErrors({ ...(error instanceof ApiError ? error.errors : {}), ...conflict });

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run(async () => {
      onCreated(
        await api.createPlatformTenant({
          name: name.trim(),
          slug,
          ownerName: ownerName.trim(),
          ownerEmail: ownerEmail.trim(),
          ownerPassword,
        }),
      );
    });
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(FIELDS)} /> : null}
      <TextField id="workspace-name" label="Workspace name" required value={name} onChange={setName} error={fe.get('name')} autoComplete="off" />
      <TextField
        id="workspace-slug"
        label="Slug"
        required
        value={slug}
        onChange={setSlug}
        error={fe.get('slug')}
        hint="Used to pick this workspace when signing in. Derived from the name; you can change it."
        autoComplete="off"
        spellCheck={false}
      />
      <TextField id="workspace-owner-name" label="Owner name" required value={ownerName} onChange={setOwnerName} error={fe.get('ownerName')} autoComplete="off" />
      <TextField
        id="workspace-owner-email"
        label="Owner email"
        type="email"
        required
        value={ownerEmail}
        onChange={setOwnerEmail}
        error={fe.get('ownerEmail')}
        autoComplete="off"
        hint="The owner signs in with this email. An existing Switchboard account becomes the owner of the new workspace."
      />
      <TextField
        id="workspace-owner-password"
        label="Owner password"
        type="password"
        required
        value={ownerPassword}
        onChange={setOwnerPassword}
        error={fe.get('ownerPassword')}
        autoComplete="new-password"
        hint="Share it with the owner over a safe channel."
      />
      <DialogFormActions onCancel={onCancel} busy={busy} busyLabel="Creating…">
        Create workspace
      </DialogFormActions>
    </form>
  );
}

function StatusBadge({ status }: { status: PlatformTenant['status'] }) {
  return <Badge tone={status === 'active' ? 'success' : status === 'suspended' ? 'danger' : 'neutral'}>{titleCase(String(status))}</Badge>;
}

export function PlatformPage() {
  const session = useRequiredSession();
  const { items: tenants, setItems: setTenants, error, load } = useLoadedList(api.listPlatformTenants, messageOr('Could not load workspaces.'));
  const [creating, setCreating] = useState(false);
  const [suspending, setSuspending] = useState<PlatformTenant | null>(null);
  const [activatingId, setActivatingId] = useState<string | null>(null);
  const { error: activateError, run: runActivate } = useAsyncAction();
  const [message, setMessage] = useState<string | null>(null);

  const isCurrent = (t: PlatformTenant) => String(t.id) === String(session.tenant.id);
  const setStatus = (t: PlatformTenant, status: TenantStatus) => setTenants((prev) => replaceById(prev, { ...t, status }));

  async function activate(t: PlatformTenant) {
    setMessage(null);
    setActivatingId(String(t.id));
    await runActivate(async () => {
      await api.activatePlatformTenant(t.id);
      setStatus(t, 'active');
      setMessage(`${t.name} was activated.`);
    });
    setActivatingId(null);
  }

  const newButton = (label: string) => (
    <button
      type="button"
      className="btn btn--primary"
      onClick={() => {
        setMessage(null);
        setCreating(true);
      }}
    >
      {label}
    </button>
  );

  return (
    <div className="page">
      <PageHeader
        title="Platform"
        description="Every workspace on this Switchboard installation. Only installation operators see this page."
        actions={newButton('New workspace')}
      />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {activateError ? <ErrorBanner title="Could not activate the workspace.">{errorMessage(activateError)}</ErrorBanner> : null}
      {error && (
        <ErrorBanner title="Could not load workspaces." onRetry={load}>
          {error}
        </ErrorBanner>
      )}
      {!tenants && !error && <Loading label="Loading workspaces…" />}
      {tenants && tenants.length === 0 && (
        <EmptyState icon="◈" title="No workspaces yet" actions={newButton('Create a workspace')}>
          Each workspace is a separate company with its own users, contacts and settings.
        </EmptyState>
      )}
      {tenants && tenants.length > 0 && (
        <TableCard
          caption="Workspaces"
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Status</th>
              <th scope="col">Members</th>
              <th scope="col">Created</th>
              <ActionsHeader />
            </>
          }
        >
          {tenants.map((t) => (
            <tr key={String(t.id)} data-testid="workspace-row" className={t.status === 'suspended' ? 'row--muted' : undefined}>
              <th scope="row">
                {t.name}
                {isCurrent(t) && (
                  <>
                    {' '}
                    <Badge tone="info">Current</Badge>
                  </>
                )}
              </th>
              <td>
                <code>{t.slug}</code>
              </td>
              <td>
                <StatusBadge status={t.status} />
              </td>
              <td>{t.memberCount}</td>
              <td className="nowrap">{formatDate(t.createdAt)}</td>
              <td className="row-actions">
                {t.status === 'suspended' ? (
                  <button type="button" className="btn btn--ghost btn--sm" onClick={() => activate(t)} disabled={activatingId !== null}>
                    {activatingId === String(t.id) ? 'Activating…' : 'Activate'}
                    <span className="visually-hidden"> {t.name}</span>
                  </button>
                ) : (
                  <button
                    type="button"
                    className="btn btn--ghost btn--sm btn--danger-text"
                    onClick={() => {
                      setMessage(null);
                      setSuspending(t);
                    }}
                    disabled={isCurrent(t)}
                    title={isCurrent(t) ? 'You are signed in to this workspace. Switch to another workspace to suspend it.' : undefined}
                  >
                    Suspend<span className="visually-hidden"> {t.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </TableCard>
      )}

      <Dialog open={creating} onClose={() => setCreating(false)} title="New workspace" description="Creates the workspace and its owner account.">
        {creating && (
          <CreateWorkspaceForm
            onCancel={() => setCreating(false)}
            onCreated={(created) => {
              setTenants((prev) => upsertById(prev, created).sort(byName));
              setMessage(`${created.name} was created. Its owner can sign in now.`);
              setCreating(false);
            }}
          />
        )}
      </Dialog>

      <ConfirmItemDialog
        item={suspending}
        title="Suspend workspace?"
        message={(t) => (
          <p>
            Members of <strong>{t.name}</strong> lose access until you activate it again. Its data is kept.
          </p>
        )}
        confirmLabel="Suspend workspace"
        danger
        onClose={() => setSuspending(null)}
        onConfirm={async (t) => {
          await api.suspendPlatformTenant(t.id);
          setStatus(t, 'suspended');
          setMessage(`${t.name} was suspended.`);
        }}
      />
    </div>
  );
}
