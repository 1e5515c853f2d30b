import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from './App';
import { api, type ProblemDetails, type Session } from './api';
import { SessionProvider } from './session';

const session: Session = {
  user: { id: 1, name: 'Ada Owner', email: 'ada@example.test', isSuperAdmin: false },
  tenant: { id: 1, name: 'Acme', slug: 'acme' },
  role: 'owner',
  permissions: ['contacts.read'],
  tenants: [{ id: 1, name: 'Acme', slug: 'acme', role: 'owner' }],
};

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <AppRoutes />
        <LocationProbe />
      </SessionProvider>
    </MemoryRouter>,
  );
}

const never = () => new Promise<never>(() => {});
let unauthorized: ((problem: ProblemDetails) => void) | null = null;

beforeEach(() => {
  unauthorized = null;
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'getSession').mockResolvedValue(session);
  vi.spyOn(api, 'signOut').mockResolvedValue(undefined);
  vi.spyOn(api, 'onUnauthorized').mockImplementation((handler) => {
    unauthorized = handler;
  });
  // The contacts page loads data; keep those requests pending so the page just shows its loading state.
  vi.spyOn(api, 'listContacts').mockImplementation(never);
  vi.spyOn(api, 'listUsers').mockImplementation(never);
  vi.spyOn(api, 'listDepartments').mockImplementation(never);
});

describe('signing out', () => {
  it('goes to plain /sign-in, without a ?next= back to the page the user was on', async () => {
    renderAt('/contacts');
    const button = await screen.findByRole('button', { name: 'Sign out' });
    expect(screen.getByTestId('location').textContent).toBe('/contacts');

    fireEvent.click(button);

    await screen.findByRole('heading', { name: 'Sign in' });
    expect(api.signOut).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('location').textContent).toBe('/sign-in');
    expect(screen.queryByText('Your session has ended. Please sign in again.')).toBeNull();
  });

  it('still keeps ?next= when the session expires on its own', async () => {
    renderAt('/contacts');
    await screen.findByRole('button', { name: 'Sign out' });
    expect(unauthorized).not.toBeNull();

    act(() => unauthorized!({ status: 401, title: 'Unauthorized' }));

    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/sign-in?next=%2Fcontacts'));
    expect(screen.getByText('Your session has ended. Please sign in again.')).toBeTruthy();
  });
});
