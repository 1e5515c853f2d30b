import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, type Id, type MessagingChannel, type MessageTemplate, type TemplateCategory } from '../api';
import { FieldErrors } from '../lib/fieldErrors';
import { isApproved, templateProvider } from '../lib/inbox';
import { titleCase } from '../lib/format';
import { useAsyncAction } from '../lib/hooks';
import { ConfirmItemDialog } from './Dialog';
import { SelectField, TextAreaField, TextField } from './Field';
import { Badge, EmptyState, ErrorBanner, FormErrorBanner, Loading, SuccessBanner } from './Feedback';
import { SubmitButton } from './FormActions';
import { ActionsHeader, TableCard } from './Table';

type Tone = Parameters<typeof Badge>[0]['tone'];

/** Template states (Meta's APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL …; Twilio's also RECEIVED, UNSUBMITTED) as a badge. */
export function templateStatusBadge(status: string): { label: string; tone: Tone } {
  const s = status.trim().toLowerCase();
  const label = titleCase(s.replace(/_/g, ' ')) || 'Unknown';
  if (s === 'approved') return { label, tone: 'success' };
  if (s === 'pending' || s === 'received' || s === 'in_appeal' || s === 'pending_deletion') return { label, tone: 'warning' };
  if (s === 'rejected' || s === 'disabled' || s === 'deleted') return { label, tone: 'danger' };
  return { label, tone: 'neutral' };
}

const CATEGORIES: { value: TemplateCategory; label: string }[] = [
  { value: 'utility', label: 'Utility' },
  { value: 'marketing', label: 'Marketing' },
  { value: 'authentication', label: 'Authentication' },
];

const byNameThenLanguage = (a: MessageTemplate, b: MessageTemplate) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language);

/**
 * A WhatsApp channel's message templates as Switchboard last synced them: Meta's on a Cloud API channel, Twilio Content
 * templates on a Twilio WhatsApp channel. `canManage` (`conversations.manage`) may sync, and on Twilio also add a Content
 * template by its SID and remove one.
 */
export function ChannelTemplates({ channel, canManage }: { channel: MessagingChannel; canManage: boolean }) {
  const provider = templateProvider(channel.type);
  const twilio = provider === 'Twilio';
  const [templates, setTemplates] = useState<MessageTemplate[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<MessageTemplate | null>(null);

  const load = useCallback(() => {
    setLoadError(null);
    api.listMessageTemplates(channel.id).then(
      (r) => setTemplates(r.items),
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, [channel.id]);
  useEffect(load, [load]);

  async function sync() {
    setSyncing(true);
    setSyncError(null);
    setMessage(null);
    try {
      const r = await api.syncMessageTemplates(channel.id);
      setTemplates(r.items);
      setLoadError(null);
      const approved = r.items.filter(isApproved).length;
      setMessage(
        r.items.length === 0
          ? twilio
            ? 'Synced: this Twilio account has no Content templates.'
            : 'Synced: Meta has no templates for this WhatsApp Business Account.'
          : `Synced ${r.items.length} template${r.items.length === 1 ? '' : 's'} from ${provider}, ${approved} approved.`,
      );
    } catch (err) {
      setSyncError(err);
    } finally {
      setSyncing(false);
    }
  }

  function added(template: MessageTemplate) {
    setTemplates((list) => [...(list ?? []), template].sort(byNameThenLanguage));
    setAdding(false);
    setMessage(`${template.name} (${template.language}) was added.`);
  }

  const providerCode = syncError instanceof ApiError && typeof syncError.problem.code === 'string' ? syncError.problem.code : null;
  const syncTitle =
    syncError instanceof ApiError && syncError.status === 502
      ? providerCode === 'unreachable'
        ? `${provider} did not answer. Try again in a moment.`
        : `${provider} refused the template list.`
      : 'Could not sync the templates.';

  return (
    <section className="card" aria-labelledby="channel-templates-title" aria-busy={syncing}>
      <div className="section-bar">
        <h2 id="channel-templates-title" className="card__title">
          Templates
        </h2>
        {canManage && (
          <div className="section-bar__tools">
            {twilio && (
              <button type="button" className="btn btn--secondary btn--sm" aria-expanded={adding} onClick={() => setAdding((open) => !open)}>
                Add Content template
              </button>
            )}
            <button type="button" className="btn btn--secondary btn--sm" onClick={sync} disabled={syncing}>
              {syncing ? 'Syncing…' : `Sync from ${provider}`}
            </button>
          </div>
        )}
      </div>
      <div className="stack">
        <p className="muted">
          {twilio
            ? 'Approved Content templates are what agents can send once WhatsApp’s 24-hour window has closed. Create them in Twilio’s Content Template Builder and submit them for WhatsApp approval'
            : 'Approved templates are what agents can send once WhatsApp’s 24-hour window has closed. Create and edit them in Meta’s WhatsApp Manager'}
          {canManage
            ? twilio
              ? '; “Sync from Twilio” copies them and their approval here, or add one by its Content SID.'
              : '; “Sync from Meta” copies their current state here.'
            : '; someone with the “manage conversations” permission can sync them here.'}
        </p>
        {adding && <ContentTemplateForm channelId={channel.id} onAdded={added} onCancel={() => setAdding(false)} />}
        {syncing && <Loading label={`Syncing templates from ${provider}…`} />}
        {message && <SuccessBanner>{message}</SuccessBanner>}
        {syncError ? (
          <ErrorBanner title={syncTitle}>
            {errorMessage(syncError)}
            {providerCode && providerCode !== 'unreachable' && (
              <>
                {' '}
                ({provider} error <code>{providerCode}</code>)
              </>
            )}
          </ErrorBanner>
        ) : null}
        {loadError && (
          <ErrorBanner title="Could not load the templates." onRetry={load}>
            {loadError}
          </ErrorBanner>
        )}
        {!templates && !loadError && <Loading label="Loading templates…" />}
        {templates && templates.length === 0 && (
          <EmptyState icon="◍" title={twilio ? 'No Content templates yet' : 'No templates synced yet'}>
            {!canManage
              ? `Ask an administrator or supervisor to sync them from ${provider}.`
              : twilio
                ? 'Sync from Twilio to fetch this account’s Content templates, or add one by its Content SID (HX…).'
                : 'Sync from Meta to fetch the templates of this WhatsApp Business Account.'}
          </EmptyState>
        )}
        {templates && templates.length > 0 && (
          <TableCard
            className="table table--top"
            caption="Message templates"
            head={
              <>
                <th scope="col">Name</th>
                <th scope="col">Language</th>
                <th scope="col">Category</th>
                <th scope="col">Status</th>
                <th scope="col">Body</th>
                {twilio && <th scope="col">Content SID</th>}
                {twilio && canManage && <ActionsHeader />}
              </>
            }
          >
            {templates.map((t) => {
              const badge = templateStatusBadge(t.status);
              return (
                <tr key={t.id} data-testid="template-row">
                  <th scope="row">
                    <code>{t.name}</code>
                  </th>
                  <td>{t.language}</td>
                  <td>{titleCase(t.category)}</td>
                  <td>
                    <Badge tone={badge.tone}>{badge.label}</Badge>
                  </td>
                  <td className="template-body">{t.body || <span className="muted">—</span>}</td>
                  {twilio && (
                    <td>
                      <code>{t.providerTemplateId}</code>
                    </td>
                  )}
                  {twilio && canManage && (
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn--ghost btn--sm btn--danger-text"
                        onClick={() => setRemoving(t)}
                        aria-label={`Remove ${t.name} (${t.language})`}
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </TableCard>
        )}
      </div>
      <ConfirmItemDialog
        item={removing}
        title="Remove template?"
        message={(t) => (
          <p>
            Agents can no longer send <strong>{t.name}</strong> ({t.language}) from Switchboard. It stays in Twilio; a sync brings it back.
          </p>
        )}
        confirmLabel="Remove template"
        danger
        onClose={() => setRemoving(null)}
        onConfirm={async (t) => {
          await api.deleteMessageTemplate(channel.id, t.id);
          setTemplates((list) => (list ?? []).filter((x) => x.id !== t.id));
          setMessage(`${t.name} (${t.language}) was removed.`);
        }}
      />
    </section>
  );
}

/** Registers a Twilio Content template by its SID, with the name, language and text Twilio shows for it. */
function ContentTemplateForm({ channelId, onAdded, onCancel }: { channelId: Id; onAdded: (t: MessageTemplate) => void; onCancel: () => void }) {
  const [contentSid, setContentSid] = useState('');
  const [name, setName] = useState('');
  const [language, setLanguage] = useState('en');
  const [category, setCategory] = useState<string>('utility');
  const [body, setBody] = useState('');
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run(async () =>
      onAdded(
        await api.createContentTemplate(channelId, {
          contentSid: contentSid.trim(),
          name: name.trim(),
          language: language.trim(),
          body,
          category: category as TemplateCategory,
        }),
      ),
    );
  }

  return (
    <form className="form template-form" onSubmit={submit} noValidate aria-labelledby="content-template-title">
      <h3 id="content-template-title" className="form-section__title">
        Add a Content template
      </h3>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(['contentSid', 'name', 'language', 'category', 'body'])} /> : null}
      <TextField
        id="content-template-sid"
        label="Content SID"
        required
        value={contentSid}
        onChange={setContentSid}
        error={fe.get('contentSid')}
        placeholder="HX…"
        autoComplete="off"
        spellCheck={false}
        hint="From Twilio’s Content Template Builder: HX followed by 32 hex digits."
      />
      <TextField
        id="content-template-name"
        label="Name"
        required
        value={name}
        onChange={setName}
        error={fe.get('name')}
        autoComplete="off"
        hint="Agents pick the template by this name."
      />
      <TextField
        id="content-template-language"
        label="Language"
        required
        value={language}
        onChange={setLanguage}
        error={fe.get('language')}
        autoComplete="off"
        hint="The template’s language code in Twilio, such as en or pt_BR."
      />
      <SelectField id="content-template-category" label="Category" value={category} onChange={setCategory} options={CATEGORIES} error={fe.get('category')} />
      <TextAreaField
        id="content-template-body"
        label="Body"
        required
        value={body}
        onChange={setBody}
        error={fe.get('body')}
        rows={3}
        hint="The template’s text, with {{1}}, {{2}} … where agents fill in values."
      />
      <div className="form-actions">
        <button type="button" className="btn btn--secondary" onClick={onCancel}>
          Cancel
        </button>
        <SubmitButton busy={busy} busyLabel="Adding…">
          Add template
        </SubmitButton>
      </div>
    </form>
  );
}
