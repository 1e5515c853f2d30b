import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, ApiError, type PlatformTenant, type Session } from '../api';
import { SessionProvider } from '../session';

const superAdmin: Session = {
  user: { id: 1, name: 'Olivia Operator', email: 'olivia@acme.test', isSuperAdmin: true },
  tenant: { id: 1, name: 'Acme', slug: 'acme' },
  role: 'owner',
  permissions: ['users.manage'],
  tenants: [{ id: 1, name: 'Acme', slug: 'acme', role: 'owner' }],
};

const tenants: PlatformTenant[] = [
  { id: 1, name: 'Acme', slug: 'acme', domain: null, status: 'active', memberCount: 3, createdAt: '2026-01-01T00:00:00Z' },
  { id: 2, name: 'Initech', slug: 'initech', domain: null, status: 'suspended', memberCount: 1, createdAt: '2026-02-01T00:00:00Z' },
  { id: 3, name: 'Umbrella', slug: 'umbrella', domain: null, status: 'active', memberCount: 7, createdAt: '2026-03-01T00:00:00Z' },
];

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </MemoryRouter>,
  );
}

function row(name: string): HTMLElement {
  return screen.getByRole('rowheader', { name: new RegExp(`^${name}`) }).closest('tr')!;
}

/** A row button's name: the verb plus the workspace (jsdom's name computation drops the space before the hidden part). */
const action = (verb: string, workspace: string) => new RegExp(`^${verb}\\s*${workspace}$`);

beforeEach(() => {
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'getSession').mockResolvedValue(superAdmin);
  vi.spyOn(api, 'onUnauthorized').mockImplementation(() => {});
  vi.spyOn(api, 'listPlatformTenants').mockResolvedValue({ items: tenants.map((t) => ({ ...t })) });
});

describe('PlatformPage', () => {
  it('lists every workspace with its slug, status and members, and is linked from the admin nav', async () => {
    renderAt('/platform');
    await screen.findByRole('heading', { level: 1, name: 'Platform' });
    await screen.findByRole('rowheader', { name: /^Umbrella/ });

    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Platform' })).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(tenants.length + 1);
    const umbrella = row('Umbrella');
    expect(within(umbrella).getByText('umbrella')).toBeTruthy();
    expect(within(umbrella).getByText('Active')).toBeTruthy();
    expect(within(umbrella).getByText('7')).toBeTruthy();
    expect(within(row('Initech')).getByText('Suspended')).toBeTruthy();
  });

  it('does not let the operator suspend the workspace they are signed in to, and offers Activate for suspended ones', async () => {
    renderAt('/platform');
    await screen.findByRole('rowheader', { name: /^Acme/ });

    const current = within(row('Acme')).getByRole('button', { name: action('Suspend', 'Acme') }) as HTMLButtonElement;
    expect(current.disabled).toBe(true);
    expect(current.title).toMatch(/signed in to this workspace/);
    expect(within(row('Acme')).getByText('Current')).toBeTruthy();

    expect(within(row('Initech')).queryByRole('button', { name: /Suspend/ })).toBeNull();
    expect(within(row('Initech')).getByRole('button', { name: action('Activate', 'Initech') })).toBeTruthy();

    const other = within(row('Umbrella')).getByRole('button', { name: action('Suspend', 'Umbrella') }) as HTMLButtonElement;
    expect(other.disabled).toBe(false);
  });

  it('suspends after confirmation and activates again', async () => {
    const suspend = vi.spyOn(api, 'suspendPlatformTenant').mockResolvedValue(undefined);
    const activate = vi.spyOn(api, 'activatePlatformTenant').mockResolvedValue(undefined);
    renderAt('/platform');
    await screen.findByRole('rowheader', { name: /^Umbrella/ });

    fireEvent.click(within(row('Umbrella')).getByRole('button', { name: action('Suspend', 'Umbrella') }));
    expect(suspend).not.toHaveBeenCalled();
    fireEvent.click(await screen.findByRole('button', { name: 'Suspend workspace' }));

    await waitFor(() => expect(within(row('Umbrella')).getByText('Suspended')).toBeTruthy());
    expect(suspend).toHaveBeenCalledWith(3);

    fireEvent.click(within(row('Umbrella')).getByRole('button', { name: action('Activate', 'Umbrella') }));
    await waitFor(() => expect(within(row('Umbrella')).getByText('Active')).toBeTruthy());
    expect(activate).toHaveBeenCalledWith(3);
  });

  it('derives the slug from the name and shows the server’s field errors next to the fields', async () => {
    const create = vi.spyOn(api, 'createPlatformTenant').mockRejectedValue(
      new ApiError({
        status: 400,
        title: 'One or more validation errors occurred.',
        errors: {
          ownerEmail: ['Enter a valid email address.'],
          ownerPassword: ['Use at least 8 characters.'],
        },
      }),
    );
    renderAt('/platform');
    fireEvent.click(await screen.findByRole('button', { name: 'New workspace' }));

    fireEvent.change(await screen.findByLabelText('Workspace name'), { target: { value: 'Globex Corp' } });
    expect((screen.getByLabelText('Slug') as HTMLInputElement).value).toBe('globex-corp');
    fireEvent.change(screen.getByLabelText('Owner name'), { target: { value: 'Hank Scorpio' } });
    fireEvent.change(screen.getByLabelText('Owner email'), { target: { value: 'not-an-email' } });
    fireEvent.change(screen.getByLabelText('Owner password'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));

    await screen.findByText('Enter a valid email address.');
    expect(create).toHaveBeenCalledWith({
      name: 'Globex Corp',
      slug: 'globex-corp',
      ownerName: 'Hank Scorpio',
      ownerEmail: 'not-an-email',
      ownerPassword: 'short',
    });
    const email = screen.getByLabelText('Owner email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(email.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent).toBe('Enter a valid email address.');
    expect(screen.getByLabelText('Owner password').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(screen.getByLabelText('Workspace name').getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a taken slug next to the slug field and adds a created workspace to the list', async () => {
    const create = vi
      .spyOn(api, 'createPlatformTenant')
      .mockRejectedValueOnce(new ApiError({ status: 409, title: 'Conflict', detail: 'That slug is taken.' }))
      .mockResolvedValueOnce({ id: 4, name: 'Globex', slug: 'globex', domain: null, status: 'active', memberCount: 1, createdAt: '2026-04-01T00:00:00Z' });
    renderAt('/platform');
    fireEvent.click(await screen.findByRole('button', { name: 'New workspace' }));
    fireEvent.change(await screen.findByLabelText('Workspace name'), { target: { value: 'Globex' } });
    fireEvent.change(screen.getByLabelText('Owner name'), { target: { value: 'Hank Scorpio' } });
    fireEvent.change(screen.getByLabelText('Owner email'), { target: { value: 'owner@globex.test' } });
    fireEvent.change(screen.getByLabelText('Owner password'), { target: { value: 'password123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));

    await waitFor(() => expect(screen.getByLabelText('Slug').getAttribute('aria-invalid')).toBe('true'));
    fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));

    await screen.findByRole('rowheader', { name: /^Globex/ });
    expect(create).toHaveBeenCalledTimes(2);
    expect(screen.getByText('Globex was created. Its owner can sign in now.')).toBeTruthy();
  });

  it('explains a failed load and retries', async () => {
    vi.mocked(api.listPlatformTenants)
      .mockRejectedValueOnce(new Error('Server unavailable.'))
      .mockResolvedValueOnce({ items: tenants });
    renderAt('/platform');
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load workspaces.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('rowheader', { name: /^Acme/ });
  });
});

describe('Platform for everyone else', () => {
  it('is neither in the nav nor reachable without superadmin', async () => {
    vi.mocked(api.getSession).mockResolvedValue({ ...superAdmin, user: { ...superAdmin.user, isSuperAdmin: false } });
    renderAt('/platform');
    await screen.findByText('You do not have access');
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: 'Platform' })).toBeNull();
    expect(api.listPlatformTenants).not.toHaveBeenCalled();
  });
});
