import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, ApiError, type Session, type Webhook, type WebhookDelivery } from '../api';
import { SessionProvider } from '../session';

const OWNER = ['webhooks.manage', 'tenant.manage', 'contacts.read'];

const session = (permissions: string[]): Session => ({
  user: { id: 1, name: 'Olivia Owner', email: 'olivia@acme.test', isSuperAdmin: false },
  tenant: { id: 1, name: 'Acme', slug: 'acme' },
  role: 'owner',
  permissions,
  tenants: [{ id: 1, name: 'Acme', slug: 'acme', role: 'owner' }],
});

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname}</output>;
}

function renderAt(path: string, permissions = OWNER) {
  vi.spyOn(api, 'getSession').mockResolvedValue(session(permissions));
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <AppRoutes />
        <LocationProbe />
      </SessionProvider>
    </MemoryRouter>,
  );
}

const hook = (overrides: Partial<Webhook> = {}): Webhook => ({
  id: 3,
  url: 'https://crm.example.com/hooks/switchboard',
  events: [],
  description: 'CRM sync',
  isActive: true,
  createdAt: '2026-03-01T09:00:00Z',
  updatedAt: '2026-03-01T09:00:00Z',
  ...overrides,
});

const delivery = (id: number, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id,
  subscriptionId: 3,
  eventType: 'message.created',
  eventId: `evt_${id}`,
  status: 'succeeded',
  attempts: 1,
  responseStatus: 200,
  responseBody: 'ok',
  error: null,
  lastAttemptAt: '2026-03-01T10:00:00Z',
  deliveredAt: '2026-03-01T10:00:00Z',
  createdAt: `2026-03-01T10:${String(59 - id).padStart(2, '0')}:00Z`,
  payload: { id: `evt_${id}`, type: 'message.created', data: { conversationId: 9 } },
  ...overrides,
});

beforeEach(() => {
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'onUnauthorized').mockImplementation(() => {});
});

describe('WebhooksPage', () => {
  it('is in the Admin navigation only with webhooks.manage', async () => {
    vi.spyOn(api, 'listWebhooks').mockResolvedValue({ items: [] });
    const { unmount } = renderAt('/webhooks');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Webhooks' }).getAttribute('href')).toBe('/webhooks');
    unmount();

    renderAt('/webhooks', ['contacts.read', 'tenant.manage']);
    const nav2 = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav2).queryByRole('link', { name: 'Webhooks' })).toBeNull();
    expect(await screen.findByText('You do not have access')).toBeTruthy();
    expect(api.listWebhooks).toHaveBeenCalledTimes(1);
  });

  it('explains webhooks when there are none, and signing with the header names and the secret in Settings', async () => {
    vi.spyOn(api, 'listWebhooks').mockResolvedValue({ items: [] });
    renderAt('/webhooks');
    await screen.findByText('No webhooks yet');
    expect(screen.getByRole('button', { name: 'Add a webhook' })).toBeTruthy();
    const help = screen.getByRole('region', { name: 'Verifying deliveries' });
    for (const header of ['X-Switchboard-Signature', 'X-Switchboard-Timestamp', 'X-Switchboard-Event', 'X-Switchboard-Event-Id', 'X-Switchboard-Delivery']) {
      expect(within(help).getByText(header, { selector: 'dt code' })).toBeTruthy();
    }
    expect(within(help).getByRole('link', { name: 'Settings → Webhook secret' }).getAttribute('href')).toBe('/settings#settings-webhook');
  });

  it('hints at the secret without linking to Settings for a role without tenant.manage', async () => {
    vi.spyOn(api, 'listWebhooks').mockResolvedValue({ items: [] });
    renderAt('/webhooks', ['webhooks.manage']);
    const help = await screen.findByRole('region', { name: 'Verifying deliveries' });
    expect(within(help).queryByRole('link')).toBeNull();
    expect(within(help).getByText(/Ask an owner or administrator/)).toBeTruthy();
  });

  it('creates a webhook: checks the URL, shows server field errors next to their field, sends the chosen events', async () => {
    vi.spyOn(api, 'listWebhooks').mockResolvedValue({ items: [] });
    const create = vi
      .spyOn(api, 'createWebhook')
      .mockRejectedValueOnce(new ApiError({ status: 400, title: 'One or more validation errors occurred.', errors: { url: ['points at a private address.'] } }))
      .mockResolvedValueOnce(hook({ id: 4, url: 'https://hooks.example.com/sb', events: ['message.created', 'conversation.created'], description: null }));
    renderAt('/webhooks');
    fireEvent.click(await screen.findByRole('button', { name: 'Add a webhook' }));
    const dialog = await screen.findByRole('dialog', { name: 'New webhook' });
    const url = within(dialog).getByLabelText('Endpoint URL') as HTMLInputElement;

    // Client-side: an address is required and must be absolute http(s).
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create webhook' }));
    expect(await within(dialog).findByText('Enter the address that should receive the events.')).toBeTruthy();
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(url.getAttribute('aria-describedby')).toContain('webhook-url-error');
    fireEvent.change(url, { target: { value: 'hooks.example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create webhook' }));
    expect(await within(dialog).findByText(/absolute http:\/\/ or https:\/\//)).toBeTruthy();
    expect(create).not.toHaveBeenCalled();

    // "None checked = all events" is explained with the group.
    const events = within(dialog).getByRole('group', { name: 'Events' });
    expect(events.getAttribute('aria-describedby')).toContain('webhook-events-hint');
    expect(within(events).getByText(/Leave every box unchecked to receive all events/)).toBeTruthy();

    fireEvent.change(url, { target: { value: 'https://10.0.0.5/sb' } });
    fireEvent.click(within(events).getByLabelText(/conversation\.created/));
    fireEvent.click(within(events).getByLabelText(/message\.created/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create webhook' }));
    expect(await within(dialog).findByRole('alert')).toBeTruthy();
    expect(within(dialog).getByText('points at a private address.').id).toBe('webhook-url-error');
    expect(create).toHaveBeenLastCalledWith({ url: 'https://10.0.0.5/sb', events: ['message.created', 'conversation.created'], description: undefined, isActive: true });

    fireEvent.change(url, { target: { value: ' https://hooks.example.com/sb ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create webhook' }));
    await screen.findByText(/Webhook for hooks.example.com created/);
    expect(create).toHaveBeenLastCalledWith(expect.objectContaining({ url: 'https://hooks.example.com/sb' }));
    const row = screen.getByRole('link', { name: 'https://hooks.example.com/sb' }).closest('tr')!;
    expect(within(row).getByText('message.created')).toBeTruthy();
    expect(within(row).getByText('conversation.created')).toBeTruthy();
    expect(within(row).getByText('Active')).toBeTruthy();
  });

  it('lists, edits, disables and deletes subscriptions', async () => {
    const listed = [hook(), hook({ id: 5, url: 'https://ops.example.com/in', events: ['message.status'], description: null, isActive: false })];
    vi.spyOn(api, 'listWebhooks').mockResolvedValue({ items: listed });
    const update = vi.spyOn(api, 'updateWebhook').mockImplementation(async (id, input) => {
      const before = listed.find((w) => w.id === id)!;
      return { ...before, ...input, description: input.description === undefined ? before.description : input.description || null };
    });
    const del = vi.spyOn(api, 'deleteWebhook').mockResolvedValue(undefined);
    renderAt('/webhooks');
    await waitFor(() => expect(screen.getAllByTestId('webhook-row')).toHaveLength(2));
    const [crm, ops] = screen.getAllByTestId('webhook-row');
    expect(within(crm).getByText('All events')).toBeTruthy();
    expect(within(crm).getByText('CRM sync')).toBeTruthy();
    expect(within(crm).getByRole('link', { name: 'https://crm.example.com/hooks/switchboard' }).getAttribute('href')).toBe('/webhooks/3');
    expect(within(ops).getByText('Disabled')).toBeTruthy();
    expect(within(ops).getByText('message.status')).toBeTruthy();

    fireEvent.click(within(crm).getByRole('button', { name: 'Edit https://crm.example.com/hooks/switchboard' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit webhook' });
    expect((within(dialog).getByLabelText('Endpoint URL') as HTMLInputElement).value).toBe('https://crm.example.com/hooks/switchboard');
    fireEvent.change(within(dialog).getByLabelText('Description'), { target: { value: '' } });
    fireEvent.click(within(dialog).getByLabelText(/message\.status/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save webhook' }));
    await screen.findByText('Webhook saved.');
    // An emptied description is sent as "" (which clears it).
    expect(update).toHaveBeenLastCalledWith(3, { url: 'https://crm.example.com/hooks/switchboard', events: ['message.status'], description: '', isActive: true });

    fireEvent.click(within(screen.getAllByTestId('webhook-row')[0]).getByRole('button', { name: 'Disable https://crm.example.com/hooks/switchboard' }));
    await screen.findByText(/crm.example.com was disabled/);
    expect(update).toHaveBeenLastCalledWith(3, { isActive: false });
    expect(within(screen.getAllByTestId('webhook-row')[0]).getByText('Disabled')).toBeTruthy();
    fireEvent.click(within(screen.getAllByTestId('webhook-row')[1]).getByRole('button', { name: 'Enable https://ops.example.com/in' }));
    await screen.findByText(/Deliveries to ops.example.com are on again/);

    fireEvent.click(within(screen.getAllByTestId('webhook-row')[1]).getByRole('button', { name: 'Delete https://ops.example.com/in' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete webhook?' });
    expect(confirm.textContent).toContain('delivery log is deleted');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete webhook' }));
    await screen.findByText('The webhook for ops.example.com was deleted.');
    expect(del).toHaveBeenCalledWith(5);
    expect(screen.getAllByTestId('webhook-row')).toHaveLength(1);
  });

  it('sends a test ping and shows the receiver’s status and an excerpt of its answer', async () => {
    vi.spyOn(api, 'listWebhooks').mockResolvedValue({ items: [hook()] });
    let answer: (r: Awaited<ReturnType<typeof api.testWebhook>>) => void = () => {};
    const test = vi.spyOn(api, 'testWebhook').mockImplementationOnce(() => new Promise((r) => (answer = r)));
    renderAt('/webhooks');
    fireEvent.click(await screen.findByRole('button', { name: 'Send test to https://crm.example.com/hooks/switchboard' }));
    const dialog = await screen.findByRole('dialog', { name: 'Test ping' });
    expect(within(dialog).getByText('Sending the test ping…')).toBeTruthy();
    answer({ ok: false, deliveryId: 40, eventId: 'evt_ping', responseStatus: 500, responseBody: `Internal error: ${'x'.repeat(700)}`, error: null });
    const result = await within(dialog).findByTestId('webhook-test-result');
    expect(within(result).getByText('Failed')).toBeTruthy();
    expect(result.textContent).toContain('HTTP 500');
    expect(result.textContent).toContain('only a 2xx answer counts');
    expect(within(result).getByText(/Response body \(first 500 characters\)/)).toBeTruthy();
    expect(result.querySelector('pre')!.textContent).toHaveLength(500);
    expect(within(result).getByRole('link', { name: 'Open the delivery log' }).getAttribute('href')).toBe('/webhooks/3');
    expect(test).toHaveBeenCalledWith(3);

    test.mockResolvedValueOnce({ ok: true, deliveryId: 41, eventId: 'evt_ping2', responseStatus: 204, responseBody: null, error: null });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send again' }));
    await within(dialog).findByText('Delivered');
    expect(within(dialog).getByTestId('webhook-test-result').textContent).toContain('HTTP 204');

    test.mockResolvedValueOnce({ ok: false, deliveryId: 42, eventId: 'evt_ping3', responseStatus: null, responseBody: null, error: 'Connection refused (crm.example.com:443)' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send again' }));
    expect(await within(dialog).findByText('Connection refused (crm.example.com:443)')).toBeTruthy();
    expect(within(dialog).getByText('The receiver did not answer.')).toBeTruthy();
  });
});

describe('WebhookDetailPage (delivery log)', () => {
  it('lists deliveries with status, attempts and last response, expands details and pages with "Load more"', async () => {
    vi.spyOn(api, 'getWebhook').mockResolvedValue(hook());
    const list = vi.spyOn(api, 'listWebhookDeliveries').mockImplementation(async (_id, query) =>
      query?.cursor
        ? { items: [delivery(9, { eventType: 'conversation.created' })], nextCursor: null }
        : {
            items: [
              delivery(1, { status: 'pending', attempts: 0, responseStatus: null, responseBody: null, lastAttemptAt: null, deliveredAt: null }),
              delivery(2, { status: 'failed', attempts: 8, responseStatus: 503, responseBody: '<html>Service Unavailable</html>', error: 'HTTP 503 from the receiver', deliveredAt: null }),
              delivery(3),
            ],
            nextCursor: 'c2',
          },
    );
    renderAt('/webhooks/3');
    await screen.findByRole('heading', { level: 1, name: 'CRM sync' });
    expect(screen.getByLabelText('Endpoint URL').textContent).toBe('https://crm.example.com/hooks/switchboard');
    await waitFor(() => expect(screen.getAllByTestId('delivery-row')).toHaveLength(3));
    expect(list).toHaveBeenCalledWith(3, { limit: 25 }, expect.anything());

    const [pending, failed, ok] = screen.getAllByTestId('delivery-row');
    expect(within(pending).getByText('Pending')).toBeTruthy();
    expect(within(pending).getByText('0')).toBeTruthy();
    expect(within(failed).getByText('Failed')).toBeTruthy();
    expect(within(failed).getByText('8')).toBeTruthy();
    expect(within(failed).getByText('HTTP 503')).toBeTruthy();
    expect(within(ok).getByText('Succeeded')).toBeTruthy();

    const toggle = within(failed).getByRole('button', { name: 'Details of delivery #2' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    const details = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(details.hidden).toBe(true);
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(details.hidden).toBe(false);
    expect(within(details).getByText('HTTP 503 from the receiver')).toBeTruthy();
    expect(within(details).getByText('<html>Service Unavailable</html>')).toBeTruthy();
    expect(within(details).getByText('evt_2')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('delivery-row')).toHaveLength(4));
    expect(list).toHaveBeenLastCalledWith(3, { limit: 25, cursor: 'c2' }, undefined);
    expect(screen.getByText('conversation.created')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('filters by status and explains an empty log', async () => {
    vi.spyOn(api, 'getWebhook').mockResolvedValue(hook());
    const list = vi.spyOn(api, 'listWebhookDeliveries').mockResolvedValue({ items: [], nextCursor: null });
    renderAt('/webhooks/3');
    await screen.findByText('No deliveries yet');
    expect(screen.getByText(/Send a test ping to see one now/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    await screen.findByText('No failed deliveries');
    expect(list).toHaveBeenLastCalledWith(3, { status: 'failed', limit: 25 }, expect.anything());
    fireEvent.click(screen.getByRole('button', { name: 'Show all deliveries' }));
    await screen.findByText('No deliveries yet');
  });

  it('resends a delivery and puts the new pending one at the top; shows the server’s refusal', async () => {
    vi.spyOn(api, 'getWebhook').mockResolvedValue(hook());
    vi.spyOn(api, 'listWebhookDeliveries').mockResolvedValue({ items: [delivery(2, { status: 'failed', attempts: 8 }), delivery(3)], nextCursor: null });
    const resend = vi
      .spyOn(api, 'resendWebhookDelivery')
      .mockResolvedValueOnce(delivery(20, { status: 'pending', attempts: 0, responseStatus: null, responseBody: null, createdAt: '2026-03-02T08:00:00Z' }))
      .mockRejectedValueOnce(new ApiError({ status: 409, title: 'Conflict', detail: 'The webhook is disabled; enable it to resend.' }));
    renderAt('/webhooks/3');
    await waitFor(() => expect(screen.getAllByTestId('delivery-row')).toHaveLength(2));
    fireEvent.click(screen.getByRole('button', { name: 'Resend delivery #2' }));
    await screen.findByText(/Resent message.created as delivery #20; it is pending/);
    expect(resend).toHaveBeenCalledWith(3, 2);
    const rows = screen.getAllByTestId('delivery-row');
    expect(rows).toHaveLength(3);
    expect(within(rows[0]).getByText('Pending')).toBeTruthy();
    expect(within(rows[0]).getByRole('button', { name: 'Resend delivery #20' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Resend delivery #3' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The webhook is disabled; enable it to resend.');
  });

  it('sends a test from the detail page and reloads the log to show the ping; deleting returns to the list', async () => {
    vi.spyOn(api, 'getWebhook').mockResolvedValue(hook({ description: null }));
    vi.spyOn(api, 'listWebhooks').mockResolvedValue({ items: [] });
    const list = vi.spyOn(api, 'listWebhookDeliveries').mockResolvedValue({ items: [], nextCursor: null });
    vi.spyOn(api, 'testWebhook').mockResolvedValue({ ok: true, deliveryId: 50, eventId: 'evt_ping', responseStatus: 200, responseBody: '{"received":true}', error: null });
    vi.spyOn(api, 'deleteWebhook').mockResolvedValue(undefined);
    renderAt('/webhooks/3');
    await screen.findByRole('heading', { level: 1, name: 'crm.example.com' });
    await screen.findByText('No deliveries yet');
    list.mockResolvedValue({ items: [delivery(50, { eventType: 'ping' })], nextCursor: null });
    fireEvent.click(screen.getByRole('button', { name: 'Send test' }));
    const dialog = await screen.findByRole('dialog', { name: 'Test ping' });
    expect(await within(dialog).findByText('{"received":true}')).toBeTruthy();
    await screen.findByText('ping', { selector: 'td code' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete webhook' }));
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/webhooks'));
    await screen.findByText('The webhook for crm.example.com was deleted.');
  });

  it('says so when the webhook does not exist', async () => {
    vi.spyOn(api, 'getWebhook').mockRejectedValue(new ApiError({ status: 404, title: 'Not found' }));
    renderAt('/webhooks/99');
    await screen.findByRole('heading', { level: 1, name: 'Webhook not found' });
  });
});
