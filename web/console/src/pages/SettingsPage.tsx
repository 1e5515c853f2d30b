import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { api, ApiError, errorMessage, type Tenant } from '../api';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { TextField } from '../components/Field';
import { ErrorBanner, FormErrorBanner, Loading, PageHeader, SecretReveal, SuccessBanner } from '../components/Feedback';
import { FieldErrors } from '../lib/fieldErrors';
import { formatDate } from '../lib/format';
import { useSession } from '../session';
import { SubmitButton } from '../components/FormActions';

export function SettingsPage() {
  const { session, setSession, can } = useSession();
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const fe = new FieldErrors(saveError instanceof ApiError ? saveError.errors : undefined);
  const { hash } = useLocation();
  const loaded = tenant !== null;

  // Links such as /settings#settings-webhook (from the Webhooks page) land on their section once it is shown.
  useEffect(() => {
    if (!loaded || !hash) return;
    document.getElementById(decodeURIComponent(hash.slice(1)))?.scrollIntoView?.({ block: 'start' });
  }, [loaded, hash]);

  useEffect(() => {
    setLoadError(null);
    api.getTenant().then(
      (t) => {
        setTenant(t);
        setName(t.name);
        setDomain(t.domain ?? '');
      },
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, [attempt]);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setSaveError(null);
    setSaved(false);
    try {
      const t = await api.updateTenant({ name: name.trim(), domain: domain.trim() || null });
      setTenant(t);
      setName(t.name);
      setDomain(t.domain ?? '');
      setSaved(true);
      // Keep the top bar in sync with the new name.
      if (session) {
        setSession({
          ...session,
          tenant: { ...session.tenant, name: t.name },
          tenants: session.tenants.map((x) => (String(x.id) === String(t.id) ? { ...x, name: t.name } : x)),
        });
      }
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="page">
      <PageHeader title="Settings" description="Workspace details and integration secrets." />
      {loadError && <ErrorBanner title="Could not load the workspace settings." onRetry={() => setAttempt((a) => a + 1)}>{loadError}</ErrorBanner>}
      {!tenant && !loadError && <Loading label="Loading settings…" />}
      {tenant && (
        <>
          <section className="card" aria-labelledby="settings-general">
            <h2 id="settings-general" className="card__title">
              Workspace
            </h2>
            <form className="form" onSubmit={save} noValidate>
              {saved && <SuccessBanner>Settings saved.</SuccessBanner>}
              {saveError ? <FormErrorBanner error={saveError} extra={fe.unmatched(['name', 'domain', 'settings'])} /> : null}
              <TextField id="tenant-name" label="Workspace name" required value={name} onChange={setName} error={fe.get('name')} autoComplete="organization" />
              <TextField
                id="tenant-domain"
                label="Domain"
                value={domain}
                onChange={setDomain}
                error={fe.get('domain')}
                placeholder="support.example.com"
                hint="Optional. The domain your team uses to reach Switchboard."
                autoComplete="off"
              />
              <dl className="meta-list">
                <div>
                  <dt>Slug</dt>
                  <dd>
                    <code>{tenant.slug}</code>
                  </dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>{tenant.status}</dd>
                </div>
                <div>
                  <dt>Created</dt>
                  <dd>{formatDate(tenant.createdAt)}</dd>
                </div>
              </dl>
              <div className="form-actions form-actions--start">
                <SubmitButton busy={saving} busyLabel="Saving…">
                  Save settings
                </SubmitButton>
              </div>
            </form>
          </section>

          <section className="card" aria-labelledby="settings-webhook">
            <h2 id="settings-webhook" className="card__title">
              Webhook secret
            </h2>
            <p>
              Outgoing webhooks are signed with this secret. Rotating it invalidates the current secret immediately; update your receivers
              right away.{can('webhooks.manage') ? (
                <>
                  {' '}
                  Subscriptions and their delivery logs are on the <Link to="/webhooks">Webhooks</Link> page.
                </>
              ) : null}
            </p>
            <button type="button" className="btn btn--danger-outline" onClick={() => setConfirmRotate(true)}>
              Rotate webhook secret
            </button>
          </section>

          <ConfirmDialog
            open={confirmRotate}
            title="Rotate the webhook secret?"
            message={<p>The current secret stops working at once. Receivers must be updated with the new one.</p>}
            confirmLabel="Rotate secret"
            danger
            onClose={() => setConfirmRotate(false)}
            onConfirm={async () => {
              const r = await api.rotateWebhookSecret();
              setSecret(r.webhookSecret);
            }}
          />
          <Dialog open={!!secret} onClose={() => setSecret(null)} title="New webhook secret">
            {secret && (
              <div className="stack">
                <SecretReveal
                  warning="This secret is shown only once. Copy it into your webhook receivers now."
                  value={secret}
                  valueLabel="Webhook secret"
                  copyLabel="Copy secret"
                />
                <div className="form-actions">
                  <button type="button" className="btn btn--primary" onClick={() => setSecret(null)}>
                    Done
                  </button>
                </div>
              </div>
            )}
          </Dialog>
        </>
      )}
    </div>
  );
}
