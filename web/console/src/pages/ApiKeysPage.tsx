import { useState, type FormEvent } from 'react';
import { api, ApiError, ROLES, type ApiKey, type CreatedApiKey } from '../api';
import { ConfirmItemDialog, Dialog } from '../components/Dialog';
import { SelectField, TextField } from '../components/Field';
import { Badge, EmptyState, ErrorBanner, FormErrorBanner, Loading, PageHeader, SecretReveal, SuccessBanner } from '../components/Feedback';
import { ActionsHeader, TableCard } from '../components/Table';
import { FieldErrors } from '../lib/fieldErrors';
import { formatDateTime, titleCase } from '../lib/format';
import { useAsyncAction } from '../lib/hooks';
import { useLoadedList, messageOr } from '../lib/useLoadedList';
import { SubmitButton } from '../components/FormActions';

// Integrations should not hold the owner role.
const KEY_ROLES = ROLES.filter((r) => r !== 'owner').map((r) => ({ value: r, label: titleCase(r) }));

export function ApiKeysPage() {
  const { items: keys, setItems: setKeys, error, load } = useLoadedList(api.listApiKeys, messageOr('Could not load API keys.'));
  const [name, setName] = useState('');
  const [role, setRole] = useState('agent');
  const { busy: creating, error: createError, run } = useAsyncAction();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const fe = new FieldErrors(createError instanceof ApiError ? createError.errors : undefined);

  async function create(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    await run(async () => {
      const key = await api.createApiKey({ name: name.trim(), role });
      setCreated(key);
      setName('');
      const { key: _secret, ...listed } = key;
      void _secret;
      setKeys((prev) => [listed, ...(prev ?? [])]);
    });
  }

  return (
    <div className="page">
      <PageHeader title="API keys" description="Keys let integrations call the REST API with a role in this workspace. Send them as “Authorization: Bearer <key>”." />
      {message && <SuccessBanner>{message}</SuccessBanner>}

      <section className="card" aria-labelledby="create-key-title">
        <h2 id="create-key-title" className="card__title">
          Create an API key
        </h2>
        <form className="form form--inline" onSubmit={create} noValidate>
          {createError ? <FormErrorBanner error={createError} extra={fe.unmatched(['name', 'role'])} /> : null}
          <TextField id="key-name" label="Key name" required value={name} onChange={setName} error={fe.get('name')} placeholder="e.g. CRM sync" autoComplete="off" />
          <SelectField id="key-role" label="Role" required value={role} onChange={setRole} options={KEY_ROLES} error={fe.get('role')} />
          <div className="form-inline__actions">
            <SubmitButton busy={creating} busyLabel="Creating…">
              Create key
            </SubmitButton>
          </div>
        </form>
      </section>

      {error && <ErrorBanner title="Could not load API keys." onRetry={load}>{error}</ErrorBanner>}
      {!keys && !error && <Loading label="Loading API keys…" />}
      {keys && keys.length === 0 && (
        <EmptyState icon="◆" title="No API keys yet">
          Create a key above to connect your CRM, website or scripts.
        </EmptyState>
      )}
      {keys && keys.length > 0 && (
        <TableCard
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <ActionsHeader />
            </>
          }
        >
          {keys.map((k) => (
            <tr key={String(k.id)} className={k.revokedAt ? 'row--muted' : undefined}>
              <th scope="row">{k.name}</th>
              <td>{titleCase(String(k.role))}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td className="nowrap">{formatDateTime(k.createdAt)}</td>
              <td className="nowrap">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}</td>
              <td>
                {k.revokedAt ? (
                  <Badge tone="danger">Revoked {formatDateTime(k.revokedAt)}</Badge>
                ) : k.disabledReason ? (
                  <>
                    <Badge tone="warning">Disabled</Badge> <span className="muted">{k.disabledReason}</span>
                  </>
                ) : (
                  <Badge tone="success">Active</Badge>
                )}
              </td>
              <td className="row-actions">
                {!k.revokedAt && (
                  <button type="button" className="btn btn--ghost btn--sm btn--danger-text" onClick={() => setRevoking(k)}>
                    Revoke<span className="visually-hidden"> {k.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </TableCard>
      )}

      <Dialog open={!!created} onClose={() => setCreated(null)} title="Your new API key">
        {created && (
          <div className="stack">
            <SecretReveal
              warning="Copy this key now. It is shown only once and cannot be recovered — if you lose it, revoke it and create a new one."
              value={created.key}
              valueLabel="API key"
              copyLabel="Copy key"
            />
            <p className="muted">
              {created.name} · {titleCase(String(created.role))}
            </p>
            <div className="form-actions">
              <button type="button" className="btn btn--primary" onClick={() => setCreated(null)}>
                I have copied the key
              </button>
            </div>
          </div>
        )}
      </Dialog>

      <ConfirmItemDialog
        item={revoking}
        title="Revoke API key?"
        message={(k) => (
          <p>
            Integrations using <strong>{k.name}</strong> stop working immediately. This cannot be undone.
          </p>
        )}
        confirmLabel="Revoke key"
        danger
        onClose={() => setRevoking(null)}
        onConfirm={async (revoked) => {
          await api.revokeApiKey(revoked.id);
          const now = new Date().toISOString();
          setKeys((prev) => (prev ?? []).map((k) => (String(k.id) === String(revoked.id) ? { ...k, revokedAt: k.revokedAt ?? now } : k)));
          setMessage(`${revoked.name} was revoked.`);
        }}
      />
    </div>
  );
}
