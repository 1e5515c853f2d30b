import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { EmptyState, PageHeader } from '../components/Feedback';

const SOON: Record<string, { icon: string; text: string }> = {
  Tickets: { icon: '◧', text: 'Track issues from first message to resolution, with SLAs and priorities.' },
  Campaigns: { icon: '➤', text: 'Send opted-in broadcasts and follow their delivery and replies.' },
  'Phone system': { icon: '☎', text: 'Numbers, IVR menus, queues and call recordings.' },
  Reports: { icon: '▤', text: 'Volumes, response times and agent performance over time.' },
};

export function ComingSoonPage({ title }: { title: string }) {
  const info = SOON[title] ?? { icon: '✦', text: 'This module is on its way.' };
  return (
    <div className="page">
      <PageHeader title={title} />
      <EmptyState
        icon={info.icon}
        title="Coming soon"
        actions={
          <Link className="btn btn--secondary" to="/contacts">
            Go to Contacts
          </Link>
        }
      >
        <p>{info.text}</p>
        <p className="muted">We are building this module. Contacts and administration are ready to use today.</p>
      </EmptyState>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <div className="page">
      <PageHeader title="Page not found" />
      <EmptyState icon="?" title="There is nothing here" actions={<Link className="btn btn--primary" to="/">Go to the start page</Link>}>
        The address may be mistyped, or the page has moved.
      </EmptyState>
    </div>
  );
}

export function ForbiddenPage({
  title,
  reason = 'Your role in this workspace does not include this page. Ask an administrator if you need it.',
}: {
  title: string;
  reason?: ReactNode;
}) {
  return (
    <div className="page">
      <PageHeader title={title} />
      <EmptyState icon="⊘" title="You do not have access" actions={<Link className="btn btn--secondary" to="/">Go to the start page</Link>}>
        {reason}
      </EmptyState>
    </div>
  );
}
