import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, type ApiKey, type Session, type User } from '../api';
import { SessionProvider } from '../session';

const session: Session = {
  user: { id: 1, name: 'Olivia Owner', email: 'olivia@acme.test', isSuperAdmin: false },
  tenant: { id: 1, name: 'Acme', slug: 'acme' },
  role: 'owner',
  permissions: ['users.read', 'users.manage', 'apikeys.manage'],
  tenants: [{ id: 1, name: 'Acme', slug: 'acme', role: 'owner' }],
};

const ada: User = {
  id: 7,
  name: 'Ada Admin',
  email: 'ada@acme.test',
  role: 'admin',
  status: 'active',
  isProvider: false,
  isTimeClockUser: false,
  departmentIds: [],
  lastSignInAt: null,
  createdAt: '2026-03-01T09:00:00Z',
};

const key = (id: number, name: string, role: string): ApiKey => ({
  id,
  name,
  role,
  prefix: `sb_0000000${id}`,
  createdAt: '2026-03-01T09:00:00Z',
  createdById: 7,
  lastUsedAt: null,
  revokedAt: null,
  disabledReason: null,
});

beforeEach(() => {
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'onUnauthorized').mockImplementation(() => {});
  vi.spyOn(api, 'getSession').mockResolvedValue(session);
  vi.spyOn(api, 'listUsers').mockResolvedValue({ items: [ada] });
});

function renderUsers() {
  return render(
    <MemoryRouter initialEntries={['/users']}>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </MemoryRouter>,
  );
}

describe('UsersPage', () => {
  it('says which of the member’s API keys a role or status change would disable, before it is saved', async () => {
    const preview = vi.spyOn(api, 'apiKeysDisabledByChange').mockImplementation(async (_id, change) => ({
      items: change.role === 'supervisor' ? [key(3, 'CRM sync', 'admin')] : change.status === 'disabled' ? [key(3, 'CRM sync', 'admin'), key(4, 'Reports', 'agent')] : [],
    }));
    renderUsers();
    fireEvent.click(await screen.findByRole('button', { name: /Edit\s*Ada Admin/ }));
    const dialog = await screen.findByRole('dialog', { name: /Edit\s*Ada Admin/ });
    expect(preview).not.toHaveBeenCalled();

    fireEvent.change(within(dialog).getByLabelText('Role'), { target: { value: 'supervisor' } });
    expect(await within(dialog).findByText(/This change disables 1 API key this person created/)).toBeTruthy();
    expect(within(dialog).getByText(/CRM sync/)).toBeTruthy();
    expect(preview).toHaveBeenLastCalledWith(7, { role: 'supervisor', status: undefined, remove: undefined });

    fireEvent.change(within(dialog).getByLabelText('Role'), { target: { value: 'admin' } });
    fireEvent.change(within(dialog).getByLabelText('Status'), { target: { value: 'disabled' } });
    expect(await within(dialog).findByText(/This change disables 2 API keys/)).toBeTruthy();
    expect(preview).toHaveBeenLastCalledWith(7, { role: undefined, status: 'disabled', remove: undefined });

    fireEvent.change(within(dialog).getByLabelText('Status'), { target: { value: 'active' } });
    await waitFor(() => expect(within(dialog).queryByText(/This change disables/)).toBeNull());
  });

  it('lists the keys a removal disables in the confirmation', async () => {
    vi.spyOn(api, 'apiKeysDisabledByChange').mockResolvedValue({ items: [key(4, 'Reports', 'agent')] });
    renderUsers();
    fireEvent.click(await screen.findByRole('button', { name: /Remove\s*Ada Admin/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove user?' });
    expect(await within(dialog).findByText(/This change disables 1 API key this person created/)).toBeTruthy();
    expect(within(dialog).getByText(/Reports/)).toBeTruthy();
    expect(api.apiKeysDisabledByChange).toHaveBeenCalledWith(7, { role: undefined, status: undefined, remove: true });
  });
});
