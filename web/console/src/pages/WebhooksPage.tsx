import { Link } from 'react-router-dom';
import { api, errorMessage } from '../api';
import { Badge, EmptyState, ErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { ActionsHeader, TableCard } from '../components/Table';
import { EventChips, SigningHelp, useWebhookActions, webhookPath } from '../components/Webhooks';
import { useFlash } from '../lib/hooks';
import { removeById, upsertById } from '../lib/lists';
import { messageOr, useLoadedList } from '../lib/useLoadedList';

/** The workspace's outbound webhook subscriptions (docs/webhooks.md), with their actions; each links to its delivery log. */
export function WebhooksPage() {
  const { items: webhooks, setItems: setWebhooks, error, load } = useLoadedList(api.listWebhooks, messageOr('Could not load webhooks.'));
  const flash = useFlash();
  const actions = useWebhookActions({
    showLogLink: true,
    onSaved: (saved, created) => setWebhooks((prev) => (created ? [...(prev ?? []), saved] : upsertById(prev, saved))),
    onDeleted: (w) => setWebhooks((prev) => removeById(prev, w.id)),
  });
  const message = actions.message ?? flash;

  const newButton = (
    <button type="button" className="btn btn--primary" onClick={actions.create}>
      New webhook
    </button>
  );

  return (
    <div className="page">
      <PageHeader
        title="Webhooks"
        description="Send inbox events — new messages, delivery ticks, new and changed conversations, assignments — to your own systems as they happen."
        actions={webhooks && webhooks.length > 0 ? newButton : undefined}
      />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {actions.error ? <ErrorBanner title={errorMessage(actions.error)} /> : null}
      {error && (
        <ErrorBanner title="Could not load webhooks." onRetry={load}>
          {error}
        </ErrorBanner>
      )}
      {!webhooks && !error && <Loading label="Loading webhooks…" />}
      {webhooks && webhooks.length === 0 && (
        <EmptyState
          icon="↗"
          title="No webhooks yet"
          actions={
            <button type="button" className="btn btn--primary" onClick={actions.create}>
              Add a webhook
            </button>
          }
        >
          A webhook posts each event to a URL of yours — your CRM, a helpdesk, an automation tool — signed with this workspace’s webhook
          secret, and retries for about a day if your receiver is down.
        </EmptyState>
      )}
      {webhooks && webhooks.length > 0 && (
        <TableCard
          className="table table--top"
          caption="Webhook subscriptions"
          head={
            <>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Description</th>
              <ActionsHeader />
            </>
          }
        >
          {webhooks.map((w) => (
            <tr key={String(w.id)} data-testid="webhook-row" className={w.isActive ? undefined : 'row--muted'}>
              <th scope="row" className="webhook-url-cell">
                <Link to={webhookPath(w.id)} className="webhook-url">
                  {w.url}
                </Link>
              </th>
              <td>
                <EventChips events={w.events} />
              </td>
              <td>{w.isActive ? <Badge tone="success">Active</Badge> : <Badge tone="neutral">Disabled</Badge>}</td>
              <td>{w.description || <span className="muted">—</span>}</td>
              <td className="row-actions">
                <Link to={webhookPath(w.id)} className="btn btn--ghost btn--sm" aria-label={`Deliveries of ${w.url}`}>
                  Deliveries
                </Link>
                <button
                  type="button"
                  className="btn btn--ghost btn--sm"
                  onClick={() => actions.sendTest(w)}
                  disabled={String(actions.testing) === String(w.id)}
                  aria-label={`Send test to ${w.url}`}
                >
                  Send test
                </button>
                <button type="button" className="btn btn--ghost btn--sm" onClick={() => actions.edit(w)} aria-label={`Edit ${w.url}`}>
                  Edit
                </button>
                <button
                  type="button"
                  className="btn btn--ghost btn--sm"
                  onClick={() => actions.toggle(w)}
                  disabled={String(actions.toggling) === String(w.id)}
                  aria-label={`${w.isActive ? 'Disable' : 'Enable'} ${w.url}`}
                >
                  {w.isActive ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className="btn btn--ghost btn--sm btn--danger-text" onClick={() => actions.remove(w)} aria-label={`Delete ${w.url}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </TableCard>
      )}
      <SigningHelp />
      {actions.dialogs}
    </div>
  );
}
