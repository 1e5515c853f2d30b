import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, type Session } from '../api';
import { SessionProvider } from '../session';

const acme = { id: 1, name: 'Acme', slug: 'acme', role: 'owner' };
const globex = { id: 2, name: 'Globex', slug: 'globex', role: 'agent' };
const session: Session = {
  user: { id: 7, name: 'Ada', email: 'ada@example.test', isSuperAdmin: false },
  tenant: acme,
  role: 'owner',
  permissions: [],
  tenants: [acme],
};

beforeEach(() => {
  vi.restoreAllMocks();
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'getSession').mockResolvedValue(session);
  vi.spyOn(api, 'getProfile').mockResolvedValue({ id: 7, name: 'Ada', email: 'ada@example.test', username: null, phones: [], inactivityTimeoutMinutes: 60 });
  vi.spyOn(api, 'listInvitations').mockResolvedValue({ items: [{ id: 3, tenant: globex, invitedBy: 'Gil', createdAt: '2026-01-01T00:00:00Z' }] });
});

function renderProfile() {
  render(
    <MemoryRouter initialEntries={['/profile']}>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </MemoryRouter>,
  );
}

describe('my profile', () => {
  it('announces invitations, and accepting one adds the workspace to the switcher', async () => {
    const accept = vi.spyOn(api, 'acceptInvitation').mockResolvedValue(globex);
    renderProfile();
    await screen.findByText(/an invitation to join another workspace/);
    vi.mocked(api.getSession).mockResolvedValue({ ...session, tenants: [acme, globex] });

    fireEvent.click(await screen.findByRole('button', { name: /^Accept/ }));

    await waitFor(() => expect(accept).toHaveBeenCalledWith(3));
    await screen.findByText('You joined Globex.');
    expect((await screen.findByRole('combobox', { name: 'Workspace' })).textContent).toContain('Globex (agent)');
  });

  it('saves the profile with the profile endpoint, not a workspace membership', async () => {
    const update = vi.spyOn(api, 'updateProfile').mockImplementation(async (input) => ({
      id: 7, name: input.name ?? 'Ada', email: 'ada@example.test', username: null, phones: input.phones ?? [], inactivityTimeoutMinutes: 30,
    }));
    renderProfile();
    fireEvent.change(await screen.findByLabelText(/Inactivity timeout/), { target: { value: '30' } });
    fireEvent.change(screen.getByLabelText(/Phones/), { target: { value: '+15551234567' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save profile' }));

    await waitFor(() => expect(update).toHaveBeenCalledWith({ name: 'Ada', username: '', phones: ['+15551234567'], inactivityTimeoutMinutes: 30 }));
    await screen.findByText('Your profile was saved.');
  });
});
