import { Fragment, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  api,
  ApiError,
  errorMessage,
  WEBHOOK_DELIVERY_STATUSES,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
} from '../api';
import { Badge, CopyRow, EmptyState, ErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { FilterSelect } from '../components/Filters';
import { ActionsHeader, LoadMoreFooter, TableCard } from '../components/Table';
import { answerExcerpt, EventChips, useWebhookActions } from '../components/Webhooks';
import { formatDateTime } from '../lib/format';
import { useRecord } from '../lib/useRecord';
import { useCursorList } from '../lib/useCursorList';
import { DELIVERY_STATUS, urlHost } from '../lib/webhooks';

const PAGE_SIZE = 25;
const STATUS_OPTIONS = WEBHOOK_DELIVERY_STATUSES.map((s) => ({ value: s, label: DELIVERY_STATUS[s].label }));
const detailsId = (d: WebhookDelivery) => `delivery-${d.id}-details`;

function DeliveryDetails({ d }: { d: WebhookDelivery }) {
  return (
    <div className="delivery-details">
      <dl className="meta-list">
        <div>
          <dt>Event id</dt>
          <dd>
            <code>{d.eventId}</code>
          </dd>
        </div>
        <div>
          <dt>Delivery</dt>
          <dd>#{String(d.id)}</dd>
        </div>
        <div>
          <dt>Last attempt</dt>
          <dd>{formatDateTime(d.lastAttemptAt)}</dd>
        </div>
        <div>
          <dt>Delivered</dt>
          <dd>{formatDateTime(d.deliveredAt)}</dd>
        </div>
      </dl>
      {d.error && (
        <div>
          <p className="field__label">Error</p>
          <p className="webhook-error">{d.error}</p>
        </div>
      )}
      <div>
        <p className="field__label">Response body{d.responseBody ? ' (first 2 KB)' : ''}</p>
        {d.responseBody ? <pre className="meta__full">{d.responseBody}</pre> : <p className="muted">{d.attempts === 0 ? 'Not sent yet.' : 'Empty.'}</p>}
      </div>
      <details className="meta">
        <summary>Payload sent</summary>
        <pre className="meta__full">{JSON.stringify(d.payload, null, 2)}</pre>
      </details>
    </div>
  );
}

/** One subscription's deliveries, newest first: status filter, "Load more", details per row and Resend. */
function DeliveryLog({ webhook, reloadKey }: { webhook: Webhook; reloadKey: number }) {
  const [status, setStatus] = useState<WebhookDeliveryStatus | ''>('');
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [resending, setResending] = useState<string | null>(null);
  const [resendError, setResendError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A new query object (and so a reload) when the filter changes or the page asks for fresh data (after a test ping).
  const query = useMemo(() => ({ status: status || undefined, reloadKey }), [status, reloadKey]);
  const { items, setItems, nextCursor, loading, loadingMore, error, loadMore, reload } = useCursorList(
    ({ reloadKey: _k, ...q }, signal) => {
      void _k;
      return api.listWebhookDeliveries(webhook.id, q, signal);
    },
    query,
    { pageSize: PAGE_SIZE, loadError: 'Could not load the delivery log.', loadMoreError: 'Could not load more deliveries.', clearErrorOnLoadMore: true },
  );

  function toggle(d: WebhookDelivery) {
    const key = String(d.id);
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }

  async function resend(d: WebhookDelivery) {
    setResending(String(d.id));
    setResendError(null);
    setNotice(null);
    try {
      const fresh = await api.resendWebhookDelivery(webhook.id, d.id);
      // The new delivery is pending: it belongs at the top unless the log is filtered to another status.
      if (!status || status === fresh.status) setItems((prev) => [fresh, ...prev.filter((x) => String(x.id) !== String(fresh.id))]);
      setNotice(`Resent ${d.eventType} as delivery #${fresh.id}; it is ${DELIVERY_STATUS[fresh.status]?.label.toLowerCase() ?? fresh.status}.`);
    } catch (err) {
      setResendError(`Could not resend delivery #${d.id}: ${errorMessage(err)}`);
    } finally {
      setResending(null);
    }
  }

  const filtered = !!status;
  return (
    <section className="stack" aria-labelledby="delivery-log-title">
      <div className="section-bar">
        <h2 id="delivery-log-title" className="section__title">
          Delivery log
        </h2>
        <div className="section-bar__tools">
          <FilterSelect
            id="delivery-status"
            label="Status"
            value={status}
            onChange={(v) => setStatus(v as WebhookDeliveryStatus | '')}
            emptyLabel="All statuses"
            options={STATUS_OPTIONS}
          />
          <button type="button" className="btn btn--secondary btn--sm" onClick={reload} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>
      {!webhook.isActive && <p className="muted">This webhook is disabled: nothing is sent and deliveries cannot be resent until it is enabled.</p>}
      {notice && <SuccessBanner>{notice}</SuccessBanner>}
      {resendError && <ErrorBanner title={resendError} />}
      {error && (
        <ErrorBanner title="Could not load the delivery log." onRetry={reload}>
          {error}
        </ErrorBanner>
      )}
      {loading && items.length === 0 ? (
        <Loading label="Loading deliveries…" />
      ) : !error && items.length === 0 ? (
        <EmptyState
          icon="↗"
          title={filtered ? `No ${DELIVERY_STATUS[status as WebhookDeliveryStatus].label.toLowerCase()} deliveries` : 'No deliveries yet'}
          actions={
            filtered ? (
              <button type="button" className="btn btn--secondary" onClick={() => setStatus('')}>
                Show all deliveries
              </button>
            ) : undefined
          }
        >
          {filtered
            ? 'Nothing in the log has this status.'
            : 'Each event sent to this URL is listed here with what your receiver answered. Send a test ping to see one now.'}
        </EmptyState>
      ) : items.length > 0 ? (
        <TableCard
          className="table table--top"
          caption="Deliveries, newest first"
          busy={loading}
          head={
            <>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Attempts
              </th>
              <th scope="col">Last response</th>
              <ActionsHeader />
            </>
          }
          footer={
            <LoadMoreFooter
              summary={<>Showing {items.length} deliver{items.length === 1 ? 'y' : 'ies'}</>}
              hasMore={!!nextCursor}
              loadingMore={loadingMore}
              onLoadMore={loadMore}
            />
          }
        >
          {items.map((d) => {
            const open = expanded.has(String(d.id));
            const info = DELIVERY_STATUS[d.status] ?? { label: d.status, tone: 'neutral' as const };
            const short = answerExcerpt(d);
            return (
              <Fragment key={String(d.id)}>
                <tr data-testid="delivery-row">
                  <td className="nowrap">
                    <time dateTime={d.createdAt}>{formatDateTime(d.createdAt)}</time>
                  </td>
                  <td>
                    <code className="action">{d.eventType}</code>
                  </td>
                  <td>
                    <Badge tone={info.tone}>{info.label}</Badge>
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td>
                    {d.responseStatus != null ? <span className="nowrap">HTTP {d.responseStatus}</span> : <span className="muted">—</span>}
                    {short && <span className="delivery-excerpt muted"> {short}</span>}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn--ghost btn--sm"
                      aria-expanded={open}
                      aria-controls={detailsId(d)}
                      onClick={() => toggle(d)}
                      aria-label={`Details of delivery #${d.id}`}
                    >
                      {open ? 'Hide details' : 'Details'}
                    </button>
                    <button
                      type="button"
                      className="btn btn--ghost btn--sm"
                      onClick={() => resend(d)}
                      disabled={resending === String(d.id) || !webhook.isActive}
                      aria-label={`Resend delivery #${d.id}`}
                    >
                      {resending === String(d.id) ? 'Resending…' : 'Resend'}
                    </button>
                  </td>
                </tr>
                <tr id={detailsId(d)} className="delivery-details-row" hidden={!open}>
                  <td colSpan={6}>{open && <DeliveryDetails d={d} />}</td>
                </tr>
              </Fragment>
            );
          })}
        </TableCard>
      ) : null}
    </section>
  );
}

/** One subscription: its settings and actions, and its delivery log. */
export function WebhookDetailPage() {
  const { id } = useParams<{ id: string }>();
  const navigate = useNavigate();
  const { record: webhook, replace, loading, loadError } = useRecord(id, api.getWebhook);
  const [logKey, setLogKey] = useState(0);
  const actions = useWebhookActions({
    onSaved: (saved) => replace(saved),
    onDeleted: (w) => navigate('/webhooks', { replace: true, state: { flash: `The webhook for ${urlHost(w.url)} was deleted.` } }),
    // The ping is in the log now.
    onTested: () => setLogKey((k) => k + 1),
  });

  const back = (
    <Link to="/webhooks" className="back-link">
      ← Webhooks
    </Link>
  );

  if (loading) {
    return (
      <div className="page">
        <PageHeader title="Webhook" back={back} />
        <Loading label="Loading webhook…" />
      </div>
    );
  }
  if (loadError || !webhook) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <div className="page">
        <PageHeader title={notFound ? 'Webhook not found' : 'Webhook'} back={back} />
        <ErrorBanner title={notFound ? 'This webhook does not exist in this workspace (it may have been deleted).' : errorMessage(loadError)} />
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader
        title={webhook.description || urlHost(webhook.url)}
        back={back}
        description={
          <>
            {webhook.isActive ? <Badge tone="success">Active</Badge> : <Badge tone="neutral">Disabled</Badge>} · Created {formatDateTime(webhook.createdAt)}
          </>
        }
        actions={
          <>
            <button type="button" className="btn btn--secondary" onClick={() => actions.sendTest(webhook)} disabled={actions.testing !== null}>
              Send test
            </button>
            <button type="button" className="btn btn--secondary" onClick={() => actions.edit(webhook)}>
              Edit
            </button>
            <button type="button" className="btn btn--secondary" onClick={() => actions.toggle(webhook)} disabled={actions.toggling !== null}>
              {webhook.isActive ? 'Disable' : 'Enable'}
            </button>
            <button type="button" className="btn btn--danger-outline" onClick={() => actions.remove(webhook)}>
              Delete
            </button>
          </>
        }
      />
      {actions.message && <SuccessBanner>{actions.message}</SuccessBanner>}
      {actions.error ? <ErrorBanner title={errorMessage(actions.error)} /> : null}
      <section className="card" aria-labelledby="webhook-settings-title">
        <h2 id="webhook-settings-title" className="card__title">
          Subscription
        </h2>
        <div className="stack">
          <div>
            <p className="field__label">Endpoint URL</p>
            <CopyRow value={webhook.url} valueLabel="Endpoint URL" copyLabel="Copy URL" />
          </div>
          <div>
            <p className="field__label">Events</p>
            <EventChips events={webhook.events} />
          </div>
        </div>
      </section>
      <DeliveryLog webhook={webhook} reloadKey={logKey} />
      {actions.dialogs}
    </div>
  );
}
