import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, errorMessage, type MessagingChannel, type MessageTemplate } from '../api';
import { isApproved } from '../lib/inbox';
import { titleCase } from '../lib/format';
import { Badge, EmptyState, ErrorBanner, Loading, SuccessBanner } from './Feedback';
import { TableCard } from './Table';

type Tone = Parameters<typeof Badge>[0]['tone'];

/** Meta's template states (APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL …) as a badge. */
export function templateStatusBadge(status: string): { label: string; tone: Tone } {
  const s = status.trim().toLowerCase();
  const label = titleCase(s.replace(/_/g, ' ')) || 'Unknown';
  if (s === 'approved') return { label, tone: 'success' };
  if (s === 'pending' || s === 'in_appeal' || s === 'pending_deletion') return { label, tone: 'warning' };
  if (s === 'rejected' || s === 'disabled' || s === 'deleted') return { label, tone: 'danger' };
  return { label, tone: 'neutral' };
}

/**
 * A WhatsApp Cloud API channel's message templates as Switchboard last synced them from Meta (`GET /message-templates`),
 * with "Sync from Meta" for `conversations.manage`.
 */
export function ChannelTemplates({ channel, canSync }: { channel: MessagingChannel; canSync: boolean }) {
  const [templates, setTemplates] = useState<MessageTemplate[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<unknown>(null);
  const [synced, setSynced] = useState<string | null>(null);

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
    setSynced(null);
    try {
      const r = await api.syncMessageTemplates(channel.id);
      setTemplates(r.items);
      setLoadError(null);
      const approved = r.items.filter(isApproved).length;
      setSynced(
        r.items.length === 0
          ? 'Synced: Meta has no templates for this WhatsApp Business Account.'
          : `Synced ${r.items.length} template${r.items.length === 1 ? '' : 's'} from Meta, ${approved} approved.`,
      );
    } catch (err) {
      setSyncError(err);
    } finally {
      setSyncing(false);
    }
  }

  const metaCode = syncError instanceof ApiError && typeof syncError.problem.code === 'string' ? syncError.problem.code : null;
  const syncTitle =
    syncError instanceof ApiError && syncError.status === 502
      ? metaCode === 'unreachable'
        ? 'Meta did not answer. Try again in a moment.'
        : 'Meta refused the template list.'
      : 'Could not sync the templates.';

  return (
    <section className="card" aria-labelledby="channel-templates-title" aria-busy={syncing}>
      <div className="section-bar">
        <h2 id="channel-templates-title" className="card__title">
          Templates
        </h2>
        {canSync && (
          <button type="button" className="btn btn--secondary btn--sm" onClick={sync} disabled={syncing}>
            {syncing ? 'Syncing…' : 'Sync from Meta'}
          </button>
        )}
      </div>
      <div className="stack">
        <p className="muted">
          Approved templates are what agents can send once WhatsApp’s 24-hour window has closed. Create and edit them in Meta’s WhatsApp
          Manager{canSync ? '; “Sync from Meta” copies their current state here.' : '; someone with the “manage conversations” permission can sync them here.'}
        </p>
        {syncing && <Loading label="Syncing templates from Meta…" />}
        {synced && <SuccessBanner>{synced}</SuccessBanner>}
        {syncError ? (
          <ErrorBanner title={syncTitle}>
            {errorMessage(syncError)}
            {metaCode && metaCode !== 'unreachable' && (
              <>
                {' '}
                (Meta error <code>{metaCode}</code>)
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
          <EmptyState icon="◍" title="No templates synced yet">
            {canSync
              ? 'Sync from Meta to fetch the templates of this WhatsApp Business Account.'
              : 'Ask an administrator or supervisor to sync them from Meta.'}
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
                </tr>
              );
            })}
          </TableCard>
        )}
      </div>
    </section>
  );
}
