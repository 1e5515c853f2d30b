import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, errorMessage, WEBHOOK_EVENTS, type Webhook, type WebhookTestResult } from '../api';
import { FieldErrors } from '../lib/fieldErrors';
import { useAsyncAction } from '../lib/hooks';
import { excerpt, urlHost, WEBHOOK_EVENT_INFO, WEBHOOK_HEADERS } from '../lib/webhooks';
import { useRequiredSession } from '../session';
import { ConfirmItemDialog, Dialog } from './Dialog';
import { Badge, ErrorBanner, FormErrorBanner, Loading } from './Feedback';
import { CheckboxField, CheckboxGroupField, TextAreaField, TextField } from './Field';
import { DialogFormActions } from './FormActions';

export const webhookPath = (id: Webhook['id']) => `/webhooks/${encodeURIComponent(String(id))}`;

const FIELDS = ['url', 'events', 'description', 'isActive'];
const isHttpUrl = (value: string) => {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.host;
  } catch {
    return false;
  }
};

/** Create or edit a subscription: URL, the events it wants (none = all), a description and whether it is active. */
export function WebhookForm({ webhook, onSaved, onCancel }: { webhook: Webhook | null; onSaved: (w: Webhook) => void; onCancel: () => void }) {
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [events, setEvents] = useState<string[]>(webhook?.events ?? []);
  const [description, setDescription] = useState(webhook?.description ?? '');
  const [active, setActive] = useState(webhook?.isActive ?? true);
  const [urlProblem, setUrlProblem] = useState<string | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = url.trim();
    const problem = !trimmed
      ? 'Enter the address that should receive the events.'
      : !isHttpUrl(trimmed)
        ? 'Enter an absolute http:// or https:// address, e.g. https://example.com/switchboard.'
        : null;
    setUrlProblem(problem);
    if (problem) {
      urlRef.current?.focus();
      return;
    }
    // Keep the order of the checkboxes (and any event this console does not know yet).
    const chosen = [...WEBHOOK_EVENTS.filter((ev) => events.includes(ev)), ...events.filter((ev) => !(WEBHOOK_EVENTS as readonly string[]).includes(ev))];
    await run(async () => {
      const saved = webhook
        ? await api.updateWebhook(webhook.id, { url: trimmed, events: chosen, description: description.trim(), isActive: active })
        : await api.createWebhook({ url: trimmed, events: chosen, description: description.trim() || undefined, isActive: active });
      onSaved(saved);
    });
  }

  const urlErrors = urlProblem ? [urlProblem] : fe.get('url');
  return (
    <form className="form" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(FIELDS)} /> : null}
      <TextField
        id="webhook-url"
        label="Endpoint URL"
        type="url"
        required
        value={url}
        onChange={(v) => {
          setUrl(v);
          setUrlProblem(null);
        }}
        inputRef={urlRef}
        error={urlErrors}
        placeholder="https://example.com/switchboard"
        hint="Switchboard POSTs each event here as JSON. Answer with any 2xx within 10 seconds."
        autoComplete="off"
        spellCheck={false}
      />
      <CheckboxGroupField
        id="webhook-events"
        legend="Events"
        hint="Leave every box unchecked to receive all events, including ones added later."
        options={WEBHOOK_EVENTS.map((ev) => ({
          value: ev,
          label: (
            <>
              <code>{ev}</code> <span className="muted">— {WEBHOOK_EVENT_INFO[ev]}</span>
            </>
          ),
        }))}
        values={events}
        onChange={setEvents}
        error={fe.get('events', { prefix: true })}
        unavailableText=""
        emptyText=""
      />
      <TextAreaField
        id="webhook-description"
        label="Description"
        value={description}
        onChange={setDescription}
        error={fe.get('description')}
        rows={2}
        maxLength={500}
        hint="Optional. What receives these events, e.g. “CRM sync”."
      />
      <CheckboxField id="webhook-active" label="Active — deliver events to this URL" checked={active} onChange={setActive} />
      <DialogFormActions onCancel={onCancel} busy={busy} busyLabel="Saving…">
        {webhook ? 'Save webhook' : 'Create webhook'}
      </DialogFormActions>
    </form>
  );
}

/** The events of a subscription as short chips ("All events" when it wants every one). */
export function EventChips({ events }: { events: readonly string[] }) {
  if (events.length === 0) return <span className="tag tag--muted">All events</span>;
  return (
    <span className="tags">
      {events.map((ev) => (
        <code key={ev} className="tag tag--code">
          {ev}
        </code>
      ))}
    </span>
  );
}

/** What a test ping's receiver answered: status, body excerpt, error. */
function TestResultView({ result, logLink }: { result: WebhookTestResult; logLink?: ReactNode }) {
  const body = result.responseBody ?? '';
  return (
    <div className="stack" role="status" data-testid="webhook-test-result">
      <p>
        {result.ok ? <Badge tone="success">Delivered</Badge> : <Badge tone="danger">Failed</Badge>}{' '}
        {result.responseStatus != null ? (
          <>
            The receiver answered <strong>HTTP {result.responseStatus}</strong>
            {result.ok ? '.' : ' — only a 2xx answer counts as delivered.'}
          </>
        ) : (
          'The receiver did not answer.'
        )}
      </p>
      {result.error && (
        <div>
          <p className="field__label">Error</p>
          <p className="webhook-error">{result.error}</p>
        </div>
      )}
      <div>
        <p className="field__label">Response body{body.length > 500 ? ' (first 500 characters)' : ''}</p>
        {body ? <pre className="meta__full">{body.slice(0, 500)}</pre> : <p className="muted">Empty.</p>}
      </div>
      <p className="muted">
        The ping (event <code>{result.eventId}</code>) is recorded in the delivery log.{logLink ? <> {logLink}</> : null}
      </p>
    </div>
  );
}

interface TestState {
  webhook: Webhook;
  result: WebhookTestResult | null;
  error: unknown;
}

/**
 * The actions on one subscription shared by the list and the detail page (edit, enable / disable, send test, delete), with
 * their dialogs. Pages render `dialogs` once and show `message` / `error`.
 */
export function useWebhookActions({
  onSaved,
  onDeleted,
  onTested,
  showLogLink = false,
}: {
  onSaved: (w: Webhook, created: boolean) => void;
  onDeleted: (w: Webhook) => void;
  onTested?: (w: Webhook, result: WebhookTestResult) => void;
  showLogLink?: boolean;
}) {
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [test, setTest] = useState<TestState | null>(null);
  const [toggling, setToggling] = useState<Webhook['id'] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const testRun = useRef(0);

  async function toggle(w: Webhook) {
    setToggling(w.id);
    setError(null);
    setMessage(null);
    try {
      const saved = await api.updateWebhook(w.id, { isActive: !w.isActive });
      onSaved(saved, false);
      setMessage(saved.isActive ? `Deliveries to ${urlHost(saved.url)} are on again.` : `${urlHost(saved.url)} was disabled: no events are sent to it.`);
    } catch (err) {
      setError(err);
    } finally {
      setToggling(null);
    }
  }

  async function sendTest(w: Webhook) {
    const run = ++testRun.current;
    setTest({ webhook: w, result: null, error: null });
    try {
      const result = await api.testWebhook(w.id);
      if (run !== testRun.current) return;
      setTest({ webhook: w, result, error: null });
      onTested?.(w, result);
    } catch (err) {
      if (run === testRun.current) setTest({ webhook: w, result: null, error: err });
    }
  }

  const closeTest = () => {
    testRun.current++;
    setTest(null);
  };

  const dialogs = (
    <>
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New webhook' : 'Edit webhook'} size="lg">
        {editing !== null && (
          <WebhookForm
            webhook={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              const created = editing === 'new';
              onSaved(saved, created);
              setError(null);
              setMessage(created ? `Webhook for ${urlHost(saved.url)} created. Send a test to check your receiver.` : 'Webhook saved.');
              setEditing(null);
            }}
          />
        )}
      </Dialog>

      <Dialog open={test !== null} onClose={closeTest} title="Test ping">
        {test && (
          <div className="stack">
            <p className="muted">
              A <code>ping</code> event to <code className="webhook-url">{test.webhook.url}</code>, signed like every delivery and sent once.
            </p>
            {!test.result && !test.error && <Loading label="Sending the test ping…" />}
            {test.error ? <ErrorBanner title={`Could not send the test: ${errorMessage(test.error)}`} /> : null}
            {test.result && (
              <TestResultView
                result={test.result}
                logLink={showLogLink ? <Link to={webhookPath(test.webhook.id)}>Open the delivery log</Link> : undefined}
              />
            )}
            <div className="form-actions">
              <button type="button" className="btn btn--secondary" onClick={() => sendTest(test.webhook)} disabled={!test.result && !test.error}>
                Send again
              </button>
              <button type="button" className="btn btn--primary" onClick={closeTest}>
                Close
              </button>
            </div>
          </div>
        )}
      </Dialog>

      <ConfirmItemDialog
        item={deleting}
        title="Delete webhook?"
        message={(w) => (
          <p>
            Events stop going to <code className="webhook-url">{w.url}</code> at once, pending deliveries are dropped and its delivery log is
            deleted. This cannot be undone.
          </p>
        )}
        confirmLabel="Delete webhook"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={async (w) => {
          await api.deleteWebhook(w.id);
          setMessage(`The webhook for ${urlHost(w.url)} was deleted.`);
          onDeleted(w);
        }}
      />
    </>
  );

  return {
    create: () => setEditing('new'),
    edit: (w: Webhook) => setEditing(w),
    remove: (w: Webhook) => setDeleting(w),
    toggle,
    sendTest,
    toggling,
    testing: test !== null && !test.result && !test.error ? test.webhook.id : null,
    message,
    setMessage,
    error,
    dialogs,
  };
}

/** How receivers check that a request came from Switchboard, and where the secret lives. */
export function SigningHelp() {
  const session = useRequiredSession();
  return (
    <section className="card help" aria-labelledby="webhook-signing-title">
      <h2 id="webhook-signing-title" className="card__title">
        Verifying deliveries
      </h2>
      <p>
        Every delivery is a <code>POST</code> with a JSON body <code>{'{"id","type","createdAt","tenantId","data"}'}</code> and these headers:
      </p>
      <dl className="header-list">
        {WEBHOOK_HEADERS.map((h) => (
          <div key={h.name}>
            <dt>
              <code>{h.name}</code>
            </dt>
            <dd>{h.what}</dd>
          </div>
        ))}
      </dl>
      <p>
        To verify, compute <code>sha256=</code> + hex(HMAC-SHA256(secret, <code>timestamp + "." + raw body</code>)) over the body exactly as
        received and compare it in constant time with <code>X-Switchboard-Signature</code>.
      </p>
      <p>
        Failed deliveries are retried 7 more times over about 21 hours; delivery is at least once, so drop event ids you have already handled.
      </p>
      <p>
        The key is your workspace’s webhook secret, shown once when it is rotated.{' '}
        {session.can('tenant.manage') ? (
          <>
            Rotate it under <Link to="/settings#settings-webhook">Settings → Webhook secret</Link> and update your receivers right away.
          </>
        ) : (
          'Ask an owner or administrator for it (Settings → Webhook secret).'
        )}
      </p>
    </section>
  );
}

/** One-line excerpt of what went wrong or what the receiver said, for table rows. */
export function answerExcerpt(d: { error: string | null; responseBody: string | null }, max = 60): string {
  return excerpt(d.error || d.responseBody, max);
}
