import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, type Department, type Id } from '../api';
import { Badge, EmptyState, ErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { TableCard } from '../components/Table';
import { channelTypeLabel } from '../lib/channelTypes';
import { formatDate, titleCase } from '../lib/format';
import { useFlash } from '../lib/hooks';
import { messageOr, useLoadedList } from '../lib/useLoadedList';
import { useRequiredSession } from '../session';

export const channelPath = (id: Id) => `/channels/${encodeURIComponent(String(id))}`;

function ConnectLink({ children = 'Connect a channel' }: { children?: string }) {
  return (
    <Link to="/channels/new" className="btn btn--primary">
      {children}
    </Link>
  );
}

export function ChannelsPage() {
  const session = useRequiredSession();
  const canManage = session.can('channels.manage');
  const navigate = useNavigate();
  const flash = useFlash();
  const { items: channels, error, load } = useLoadedList(api.listChannels, messageOr('Could not load channels.'));
  const [departments, setDepartments] = useState<Department[] | null>(null);

  useEffect(() => {
    api.listDepartments().then((r) => setDepartments(r.items), () => setDepartments(null));
  }, []);

  const departmentNames = (ids: Id[]) =>
    ids.map((id) => departments?.find((d) => String(d.id) === String(id))?.name ?? `#${id}`).join(', ');

  return (
    <div className="page">
      <PageHeader
        title="Channels"
        description="The WhatsApp numbers, SMS senders, mailboxes and web chat widgets your team talks to customers through."
        actions={canManage && channels && channels.length > 0 ? <ConnectLink /> : undefined}
      />
      {flash && <SuccessBanner>{flash}</SuccessBanner>}
      {error && (
        <ErrorBanner title="Could not load channels." onRetry={load}>
          {error}
        </ErrorBanner>
      )}
      {!channels && !error && <Loading label="Loading channels…" />}
      {channels && channels.length === 0 && (
        <EmptyState icon="⇄" title="No channels yet" actions={canManage ? <ConnectLink /> : undefined}>
          A channel is your account on a messaging provider: a WhatsApp Cloud API number, a Twilio SMS or WhatsApp sender, an email
          mailbox or a web chat widget. Connect one to receive and answer conversations, and route it to departments.
          {!canManage && ' Ask an administrator to connect one.'}
        </EmptyState>
      )}
      {channels && channels.length > 0 && (
        <TableCard
          caption="Channels"
          className="table table--clickable"
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Departments</th>
              <th scope="col">Created</th>
            </>
          }
        >
          {channels.map((c) => (
            <tr key={String(c.id)} data-testid="channel-row" onClick={() => navigate(channelPath(c.id))}>
              <th scope="row">
                <Link to={channelPath(c.id)} onClick={(e) => e.stopPropagation()}>
                  {c.name}
                </Link>
              </th>
              <td>{channelTypeLabel(c.type)}</td>
              <td>
                <Badge tone={c.status === 'active' ? 'success' : 'warning'}>{titleCase(c.status)}</Badge>
              </td>
              <td>{c.departmentIds.length ? departmentNames(c.departmentIds) : <span className="muted">—</span>}</td>
              <td className="nowrap">{formatDate(c.createdAt)}</td>
            </tr>
          ))}
        </TableCard>
      )}
    </div>
  );
}
