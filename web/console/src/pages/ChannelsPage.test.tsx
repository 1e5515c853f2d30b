import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, type MessagingChannel, type Session } from '../api';
import { SessionProvider } from '../session';

const session = (permissions: string[]): Session => ({
  user: { id: 1, name: 'Olivia Owner', email: 'olivia@acme.test', isSuperAdmin: false },
  tenant: { id: 1, name: 'Acme', slug: 'acme' },
  role: 'owner',
  permissions,
  tenants: [{ id: 1, name: 'Acme', slug: 'acme', role: 'owner' }],
});

const webchat: MessagingChannel = {
  id: 3,
  type: 'webchat',
  name: 'Website',
  status: 'active',
  settings: { allowedOrigins: ['https://www.example.com'] },
  secretsSet: [],
  webhookUrls: { widget: 'https://sb.example.com/widget/3' },
  departmentIds: [2],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};
const twilio: MessagingChannel = {
  ...webchat,
  id: 4,
  type: 'twilio_sms',
  name: 'Texts',
  status: 'disabled',
  settings: { accountSid: 'AC' + '0'.repeat(32), fromNumber: '+15551234567' },
  secretsSet: ['authToken'],
  webhookUrls: { inbound: 'https://sb.example.com/webhooks/twilio/4', statusCallback: 'https://sb.example.com/webhooks/twilio/4' },
  departmentIds: [],
};

function renderAt(path: string, permissions = ['channels.read', 'channels.manage']) {
  vi.spyOn(api, 'getSession').mockResolvedValue(session(permissions));
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </MemoryRouter>,
  );
}

beforeEach(() => {
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'onUnauthorized').mockImplementation(() => {});
  vi.spyOn(api, 'listDepartments').mockResolvedValue({ items: [{ id: 2, name: 'Support' } as never] });
});

describe('ChannelsPage', () => {
  it('lists channels with friendly types, status and departments, linked from the admin nav', async () => {
    vi.spyOn(api, 'listChannels').mockResolvedValue({ items: [twilio, webchat] });
    renderAt('/channels');
    await screen.findByRole('heading', { level: 1, name: 'Channels' });
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Channels' })).toBeTruthy();
    const row = (await screen.findByRole('link', { name: 'Website' })).closest('tr')!;
    expect(within(row).getByText('Web chat')).toBeTruthy();
    expect(within(row).getByText('Active')).toBeTruthy();
    await waitFor(() => expect(within(row).getByText('Support')).toBeTruthy());
    const texts = screen.getByRole('link', { name: 'Texts' }).closest('tr')!;
    expect(within(texts).getByText('Twilio SMS')).toBeTruthy();
    expect(within(texts).getByText('Disabled')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Connect a channel' })).toBeTruthy();
  });

  it('explains channels when there are none, and hides management without channels.manage', async () => {
    vi.spyOn(api, 'listChannels').mockResolvedValue({ items: [] });
    renderAt('/channels', ['channels.read']);
    await screen.findByText('No channels yet');
    expect(screen.getByText(/A channel is your account on a messaging provider/)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Connect a channel' })).toBeNull();
  });

  it('hides the nav item without channels.read', async () => {
    vi.spyOn(api, 'listChannels').mockResolvedValue({ items: [] });
    renderAt('/channels', ['users.manage']);
    await screen.findByRole('navigation', { name: 'Main' });
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: 'Channels' })).toBeNull();
  });
});

describe('ChannelDetailPage', () => {
  it('shows each webhook URL with a copy button and its hint, toggles the status and deletes after confirming', async () => {
    vi.spyOn(api, 'getChannel').mockResolvedValue(twilio);
    const update = vi.spyOn(api, 'updateChannel').mockResolvedValue({ ...twilio, status: 'active' });
    const del = vi.spyOn(api, 'deleteChannel').mockResolvedValue(undefined);
    vi.spyOn(api, 'listChannels').mockResolvedValue({ items: [] });
    renderAt('/channels/4');
    await screen.findByRole('heading', { level: 1, name: 'Texts' });
    expect(screen.getAllByTestId('webhook-url')).toHaveLength(2);
    expect(screen.getByLabelText('Messaging webhook').textContent).toBe('https://sb.example.com/webhooks/twilio/4');
    expect(screen.getByRole('button', { name: 'Copy Messaging webhook' })).toBeTruthy();
    expect(screen.getAllByText(/Twilio console → phone number → Messaging webhook/).length).toBeGreaterThan(0);
    expect((screen.getByLabelText('Auth token') as HTMLInputElement).placeholder).toMatch(/set — leave empty to keep/);

    fireEvent.click(screen.getByRole('button', { name: 'Activate channel' }));
    await screen.findByRole('button', { name: 'Disable channel' });
    expect(update).toHaveBeenCalledWith(4, { status: 'active' });

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete channel' }));
    await screen.findByText('Texts was deleted.');
    expect(del).toHaveBeenCalledWith(4);
  });
});
