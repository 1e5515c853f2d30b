import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, errorMessage, type Department, type MessagingChannel } from '../api';
import { ChannelForm } from '../components/ChannelForm';
import { ChannelTemplates } from '../components/ChannelTemplates';
import { ConfirmDialog } from '../components/Dialog';
import { Badge, CopyRow, ErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { channelTypeDef } from '../lib/channelTypes';
import { formatDateTime, titleCase } from '../lib/format';
import { isWhatsApp } from '../lib/inbox';
import { useAsyncAction, useFlash } from '../lib/hooks';
import { useRecord } from '../lib/useRecord';
import { useRequiredSession } from '../session';
import { channelPath } from './ChannelsPage';

/** The addresses to paste into the provider, each with where it goes. */
function WebhookUrls({ channel }: { channel: MessagingChannel }) {
  const known = channelTypeDef(channel.type).webhooks;
  const entries = Object.entries(channel.webhookUrls);
  if (entries.length === 0) return null;
  return (
    <section className="card" aria-labelledby="channel-webhooks-title">
      <h2 id="channel-webhooks-title" className="card__title">
        {entries.length === 1 ? 'Webhook URL' : 'Webhook URLs'}
      </h2>
      <div className="stack">
        {entries.map(([key, url]) => {
          const where = known[key] ?? { label: key, hint: '' };
          return (
            <div key={key} data-testid="webhook-url">
              <p className="field__label">{where.label}</p>
              <CopyRow value={url} valueLabel={where.label} copyLabel={`Copy ${where.label}`} />
              {where.hint && <p className="field__hint">{where.hint}</p>}
            </div>
          );
        })}
      </div>
    </section>
  );
}

export function ChannelDetailPage() {
  const { id } = useParams<{ id: string }>();
  const isNew = id === undefined;
  const session = useRequiredSession();
  const canManage = session.can('channels.manage');
  const navigate = useNavigate();
  const flash = useFlash();

  const { record: channel, replace: replaceChannel, loading, loadError, formKey } = useRecord(id, api.getChannel);
  const [departments, setDepartments] = useState<Department[] | null | undefined>(undefined);
  const [message, setMessage] = useState<string | null>(flash);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const toggle = useAsyncAction();

  useEffect(() => {
    api.listDepartments().then((r) => setDepartments(r.items), () => setDepartments(null));
  }, []);

  useEffect(() => {
    setMessage(flash);
  }, [flash, id]);

  function saved(c: MessagingChannel, text: string) {
    replaceChannel(c);
    setMessage(text);
  }

  const back = (
    <Link to="/channels" className="back-link">
      ← Channels
    </Link>
  );

  if (isNew) {
    return (
      <div className="page">
        <PageHeader title="Connect a channel" back={back} description="Choose the provider, then enter the account’s settings." />
        {departments === undefined ? (
          <Loading />
        ) : (
          <ChannelForm
            channel={null}
            departments={departments}
            onSubmit={async (input) => {
              const created = await api.createChannel(input);
              navigate(channelPath(created.id), { replace: true, state: { flash: `${created.name} was connected.` } });
            }}
          />
        )}
      </div>
    );
  }

  if (loading || departments === undefined) {
    return (
      <div className="page">
        <PageHeader title="Channel" back={back} />
        <Loading label="Loading channel…" />
      </div>
    );
  }

  if (loadError || !channel) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <div className="page">
        <PageHeader title={notFound ? 'Channel not found' : 'Channel'} back={back} />
        <ErrorBanner title={notFound ? 'This channel does not exist in this workspace (it may have been deleted).' : errorMessage(loadError)} />
      </div>
    );
  }

  const active = channel.status === 'active';

  return (
    <div className="page">
      <PageHeader
        title={channel.name}
        back={back}
        description={
          <>
            {channelTypeDef(channel.type).label} · <Badge tone={active ? 'success' : 'warning'}>{titleCase(channel.status)}</Badge> · Created{' '}
            {formatDateTime(channel.createdAt)}
          </>
        }
        actions={
          canManage ? (
            <>
              <button
                type="button"
                className="btn btn--secondary"
                disabled={toggle.busy}
                onClick={() =>
                  toggle.run(async () => {
                    const updated = await api.updateChannel(channel.id, { status: active ? 'disabled' : 'active' });
                    saved(updated, active ? `${updated.name} was disabled.` : `${updated.name} was activated.`);
                  })
                }
              >
                {active ? 'Disable channel' : 'Activate channel'}
              </button>
              <button type="button" className="btn btn--danger-outline" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            </>
          ) : null
        }
      />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {toggle.error ? <ErrorBanner title={errorMessage(toggle.error)} /> : null}
      {!canManage && <p className="muted">You can view this channel but your role cannot change it.</p>}
      <WebhookUrls channel={channel} />
      {isWhatsApp(channel.type) && session.can('conversations.read') && (
        <ChannelTemplates channel={channel} canManage={session.can('conversations.manage')} />
      )}
      <ChannelForm
        key={formKey}
        channel={channel}
        departments={departments}
        readOnly={!canManage}
        onSubmit={async (input) => saved(await api.updateChannel(channel.id, input), 'Channel saved.')}
      />
      <ConfirmDialog
        open={confirmDelete}
        title="Delete channel?"
        message={
          <p>
            <strong>{channel.name}</strong> will be deleted with its settings and secrets. The provider’s webhooks to it will stop working.
          </p>
        }
        confirmLabel="Delete channel"
        danger
        onClose={() => setConfirmDelete(false)}
        onConfirm={async () => {
          await api.deleteChannel(channel.id);
          navigate('/channels', { replace: true, state: { flash: `${channel.name} was deleted.` } });
        }}
      />
    </div>
  );
}
