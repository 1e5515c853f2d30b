import { useEffect, useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router-dom';
import { api, errorMessage } from '../api';
import { homePath, useRequiredSession, useSession } from '../session';
import { ErrorBanner } from './Feedback';

interface NavItem {
  to: string;
  label: string;
  icon: string;
  permission?: string;
  /** Only for the installation operator (session.user.isSuperAdmin), whatever the role in this workspace. */
  superAdmin?: boolean;
  soon?: boolean;
}

export const WORKSPACE_NAV: NavItem[] = [
  { to: '/inbox', label: 'Inbox', icon: '✉', permission: 'conversations.read' },
  { to: '/contacts', label: 'Contacts', icon: '☺', permission: 'contacts.read' },
  { to: '/tickets', label: 'Tickets', icon: '◧', soon: true },
  { to: '/campaigns', label: 'Campaigns', icon: '➤', soon: true },
  { to: '/phone-system', label: 'Phone system', icon: '☎', soon: true },
  { to: '/reports', label: 'Reports', icon: '▤', soon: true },
];

export const ADMIN_NAV: NavItem[] = [
  { to: '/users', label: 'Users', icon: '◉', permission: 'users.manage' },
  { to: '/departments', label: 'Departments', icon: '▦', permission: 'departments.manage' },
  { to: '/channels', label: 'Channels', icon: '⇄', permission: 'channels.read' },
  { to: '/conversation-tags', label: 'Tags', icon: '◈', permission: 'conversations.manage' },
  { to: '/canned-responses', label: 'Canned responses', icon: '⚡', permission: 'conversations.manage' },
  { to: '/api-keys', label: 'API keys', icon: '◆', permission: 'apikeys.manage' },
  { to: '/webhooks', label: 'Webhooks', icon: '↗', permission: 'webhooks.manage' },
  { to: '/audit-log', label: 'Audit log', icon: '☰', permission: 'audit.read' },
  { to: '/settings', label: 'Settings', icon: '⚙', permission: 'tenant.manage' },
  { to: '/platform', label: 'Platform', icon: '◈', superAdmin: true },
];

function NavList({ items }: { items: NavItem[] }) {
  return (
    <ul className="nav__list">
      {items.map((item) => (
        <li key={item.to}>
          <NavLink to={item.to} className={({ isActive }) => `nav__link${isActive ? ' nav__link--active' : ''}`}>
            <span className="nav__icon" aria-hidden="true">
              {item.icon}
            </span>
            <span className="nav__label">{item.label}</span>
            {item.soon && (
              <span className="nav__soon" aria-hidden="true">
                soon
              </span>
            )}
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase() || '?';
}

function TenantSwitcher() {
  const session = useRequiredSession();
  const { switchTenant } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (session.tenants.length <= 1) {
    return (
      <div className="tenant-name" title={session.tenant.slug}>
        <span className="tenant-name__label">Workspace</span>
        <span className="tenant-name__value">{session.tenant.name}</span>
      </div>
    );
  }

  async function onChange(value: string) {
    const target = session.tenants.find((t) => String(t.id) === value);
    if (!target || String(target.id) === String(session.tenant.id)) return;
    setBusy(true);
    setError(null);
    try {
      const next = await switchTenant(target.id);
      navigate(homePath(next));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="tenant-switcher">
      <label htmlFor="tenant-switcher" className="tenant-switcher__label">
        Workspace
      </label>
      <select
        id="tenant-switcher"
        className="input select select--compact"
        value={String(session.tenant.id)}
        disabled={busy}
        onChange={(e) => onChange(e.target.value)}
      >
        {session.tenants.map((t) => (
          <option key={String(t.id)} value={String(t.id)}>
            {t.name} ({t.role})
          </option>
        ))}
      </select>
      {error && (
        <span className="tenant-switcher__error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function AppLayout() {
  const session = useRequiredSession();
  const { signOut } = useSession();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const [invitationCount, setInvitationCount] = useState(0);

  // Workspaces that invited this person wait for an answer on their profile page; say so once per sign-in.
  useEffect(() => {
    let cancelled = false;
    api
      .listInvitations()
      .then((page) => !cancelled && setInvitationCount(page.items.length))
      .catch(() => undefined); // a notice only: the profile page shows any error
    return () => {
      cancelled = true;
    };
  }, [session.user.id]);

  const allowed = (item: NavItem) =>
    (!item.superAdmin || session.user.isSuperAdmin) && (!item.permission || session.can(item.permission));
  const workspace = WORKSPACE_NAV.filter(allowed);
  const admin = ADMIN_NAV.filter(allowed);

  async function onSignOut() {
    setSigningOut(true);
    setSignOutError(null);
    try {
      // signOut() marks the session as deliberately signed out; RequireSession then redirects to /sign-in.
      await signOut();
    } catch (err) {
      setSignOutError(errorMessage(err));
      setSigningOut(false);
    }
  }

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to main content
      </a>
      <aside className="sidebar">
        <div className="sidebar__brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">Switchboard</span>
        </div>
        <nav className="nav" aria-label="Main">
          <NavList items={workspace} />
          {admin.length > 0 && (
            <>
              <h2 className="nav__section">Admin</h2>
              <NavList items={admin} />
            </>
          )}
        </nav>
      </aside>
      <div className="main-column">
        <header className="topbar">
          <TenantSwitcher />
          <div className="topbar__spacer" />
          <div className="user-menu">
            <span className="avatar" aria-hidden="true">
              {initials(session.user.name)}
            </span>
            <span className="user-menu__text">
              <Link className="user-menu__name" to="/profile">
                {session.user.name}
              </Link>
              <span className="user-menu__role">{session.role}</span>
            </span>
            <button type="button" className="btn btn--secondary btn--sm" onClick={onSignOut} disabled={signingOut}>
              Sign out
            </button>
          </div>
        </header>
        {invitationCount > 0 && (
          <div className="content-banner" role="status">
            You have {invitationCount === 1 ? 'an invitation' : `${invitationCount} invitations`} to join another workspace.{' '}
            <Link to="/profile">Review</Link>
          </div>
        )}
        {signOutError && (
          <div className="content-banner">
            <ErrorBanner title={signOutError} />
          </div>
        )}
        <main id="main" className="content">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
