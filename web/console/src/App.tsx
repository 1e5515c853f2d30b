import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AppLayout } from './components/Layout';
import { ErrorBanner, Loading } from './components/Feedback';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { ChannelDetailPage } from './pages/ChannelDetailPage';
import { ChannelsPage } from './pages/ChannelsPage';
import { AuditLogPage } from './pages/AuditLogPage';
import { ContactDetailPage } from './pages/ContactDetailPage';
import { CannedResponsesPage } from './pages/CannedResponsesPage';
import { ContactsPage } from './pages/ContactsPage';
import { ConversationTagsPage } from './pages/ConversationTagsPage';
import { DepartmentsPage } from './pages/DepartmentsPage';
import { ImportPage } from './pages/ImportPage';
import { InboxPage } from './pages/InboxPage';
import { ComingSoonPage, ForbiddenPage, NotFoundPage } from './pages/MiscPages';
import { PlatformPage } from './pages/PlatformPage';
import { ProfilePage } from './pages/ProfilePage';
import { SettingsPage } from './pages/SettingsPage';
import { SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { UsersPage } from './pages/UsersPage';
import { WebhookDetailPage } from './pages/WebhookDetailPage';
import { WebhooksPage } from './pages/WebhooksPage';
import { homePath, SessionProvider, useSession } from './session';

function FullScreen({ children }: { children: ReactNode }) {
  return <div className="fullscreen">{children}</div>;
}

/** Loading / error states shared by every route while the session is being determined. */
function SessionGate({ children }: { children: ReactNode }) {
  const { state, reload } = useSession();
  if (state.status === 'loading') {
    return (
      <FullScreen>
        <Loading label="Loading Switchboard…" />
      </FullScreen>
    );
  }
  if (state.status === 'error') {
    return (
      <FullScreen>
        <ErrorBanner title="Switchboard could not reach the server." onRetry={reload}>
          {state.message}
        </ErrorBanner>
      </FullScreen>
    );
  }
  return <>{children}</>;
}

function SetupRoute() {
  const { state } = useSession();
  if (state.status === 'setup') return <SetupPage />;
  if (state.status === 'signed-in') return <Navigate to={homePath(state.session)} replace />;
  return <Navigate to="/sign-in" replace />;
}

function SignInRoute() {
  const { state } = useSession();
  if (state.status === 'setup') return <Navigate to="/setup" replace />;
  if (state.status === 'signed-in') return <Navigate to={homePath(state.session)} replace />;
  return <SignInPage />;
}

function RequireSession({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'setup') return <Navigate to="/setup" replace />;
  if (state.status === 'anonymous' && state.signedOut) return <Navigate to="/sign-in" replace />;
  if (state.status !== 'signed-in') {
    const next = location.pathname + location.search;
    const target = next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in';
    return <Navigate to={target} replace />;
  }
  return <>{children}</>;
}

function RequirePermission({ permission, title, children }: { permission: string; title: string; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? <>{children}</> : <ForbiddenPage title={title} />;
}

/** Pages for the installation operator only: a role in the current workspace is not enough. */
function RequireSuperAdmin({ title, children }: { title: string; children: ReactNode }) {
  const { session } = useSession();
  return session?.user.isSuperAdmin ? <>{children}</> : (
    <ForbiddenPage title={title} reason="Only the operator of this Switchboard installation can manage workspaces." />
  );
}

function Home() {
  const { session } = useSession();
  return <Navigate to={session ? homePath(session) : '/sign-in'} replace />;
}

export function AppRoutes() {
  return (
    <SessionGate>
      <Routes>
        <Route path="/setup" element={<SetupRoute />} />
        <Route path="/sign-in" element={<SignInRoute />} />
        <Route
          element={
            <RequireSession>
              <AppLayout />
            </RequireSession>
          }
        >
          <Route index element={<Home />} />
          <Route path="inbox/:conversationId?" element={<RequirePermission permission="conversations.read" title="Inbox"><InboxPage /></RequirePermission>} />
          <Route path="tickets" element={<ComingSoonPage key="tickets" title="Tickets" />} />
          <Route path="campaigns" element={<ComingSoonPage key="campaigns" title="Campaigns" />} />
          <Route path="phone-system" element={<ComingSoonPage key="phone" title="Phone system" />} />
          <Route path="reports" element={<ComingSoonPage key="reports" title="Reports" />} />
          <Route path="contacts" element={<RequirePermission permission="contacts.read" title="Contacts"><ContactsPage /></RequirePermission>} />
          <Route path="contacts/new" element={<RequirePermission permission="contacts.write" title="New contact"><ContactDetailPage /></RequirePermission>} />
          <Route path="contacts/import" element={<RequirePermission permission="contacts.import" title="Import contacts"><ImportPage /></RequirePermission>} />
          <Route path="contacts/:id" element={<RequirePermission permission="contacts.read" title="Contact"><ContactDetailPage /></RequirePermission>} />
          <Route path="users" element={<RequirePermission permission="users.manage" title="Users"><UsersPage /></RequirePermission>} />
          <Route path="departments" element={<RequirePermission permission="departments.manage" title="Departments"><DepartmentsPage /></RequirePermission>} />
          <Route path="conversation-tags" element={<RequirePermission permission="conversations.manage" title="Conversation tags"><ConversationTagsPage /></RequirePermission>} />
          <Route path="canned-responses" element={<RequirePermission permission="conversations.reply" title="Canned responses"><CannedResponsesPage /></RequirePermission>} />
          <Route path="channels" element={<RequirePermission permission="channels.read" title="Channels"><ChannelsPage /></RequirePermission>} />
          <Route path="channels/new" element={<RequirePermission permission="channels.manage" title="Connect a channel"><ChannelDetailPage /></RequirePermission>} />
          <Route path="channels/:id" element={<RequirePermission permission="channels.read" title="Channel"><ChannelDetailPage /></RequirePermission>} />
          <Route path="api-keys" element={<RequirePermission permission="apikeys.manage" title="API keys"><ApiKeysPage /></RequirePermission>} />
          <Route path="webhooks" element={<RequirePermission permission="webhooks.manage" title="Webhooks"><WebhooksPage /></RequirePermission>} />
          <Route path="webhooks/:id" element={<RequirePermission permission="webhooks.manage" title="Webhook"><WebhookDetailPage /></RequirePermission>} />
          <Route path="audit-log" element={<RequirePermission permission="audit.read" title="Audit log"><AuditLogPage /></RequirePermission>} />
          <Route path="settings" element={<RequirePermission permission="tenant.manage" title="Settings"><SettingsPage /></RequirePermission>} />
          <Route path="profile" element={<ProfilePage />} />
          <Route path="platform" element={<RequireSuperAdmin title="Platform"><PlatformPage /></RequireSuperAdmin>} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </SessionGate>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </BrowserRouter>
  );
}
