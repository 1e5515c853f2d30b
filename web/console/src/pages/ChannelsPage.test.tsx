import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, ApiError, type MessageTemplate, type MessagingChannel, type Session } from '../api';
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
    // Templates belong to WhatsApp Cloud API channels only.
    expect(screen.queryByRole('region', { name: 'Templates' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Activate channel' }));
    await screen.findByRole('button', { name: 'Disable channel' });
    expect(update).toHaveBeenCalledWith(4, { status: 'active' });

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete channel' }));
    await screen.findByText('Texts was deleted.');
    expect(del).toHaveBeenCalledWith(4);
  });
});

describe('ChannelDetailPage templates (WhatsApp)', () => {
  const whatsapp: MessagingChannel = {
    ...webchat,
    id: 9,
    type: 'whatsapp',
    name: 'WhatsApp Sales',
    settings: { phoneNumberId: '1234567890', businessAccountId: '998877' },
    secretsSet: ['accessToken', 'appSecret', 'verifyToken'],
    webhookUrls: { inbound: 'https://sb.example.com/webhooks/whatsapp/9' },
  };
  const tpl = (id: number, overrides: Partial<MessageTemplate> = {}): MessageTemplate => ({
    id,
    channelId: 9,
    name: `template_${id}`,
    language: 'en_US',
    category: 'utility',
    status: 'APPROVED',
    body: 'Hi {{1}}, your order {{2}} is ready.',
    parameterCount: 2,
    providerTemplateId: null,
    ...overrides,
  });
  const MANAGER = ['channels.read', 'conversations.read', 'conversations.manage'];

  it('lists the synced templates with language, category, status and body', async () => {
    vi.spyOn(api, 'getChannel').mockResolvedValue(whatsapp);
    const list = vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({
      items: [tpl(1, { name: 'order_ready' }), tpl(2, { name: 'spring_sale', category: 'marketing', status: 'REJECTED', body: 'Spring sale!' }), tpl(3, { name: 'otp', category: 'authentication', status: 'PENDING', language: 'de' })],
    });
    renderAt('/channels/9', MANAGER);
    const section = await screen.findByRole('region', { name: 'Templates' });
    await waitFor(() => expect(within(section).getAllByTestId('template-row')).toHaveLength(3));
    expect(list).toHaveBeenCalledWith(9);
    const [ready, sale, otp] = within(section).getAllByTestId('template-row');
    expect(within(ready).getByText('order_ready')).toBeTruthy();
    expect(within(ready).getByText('en_US')).toBeTruthy();
    expect(within(ready).getByText('Utility')).toBeTruthy();
    expect(within(ready).getByText('Approved').className).toContain('badge--success');
    expect(within(ready).getByText('Hi {{1}}, your order {{2}} is ready.')).toBeTruthy();
    expect(within(sale).getByText('Marketing')).toBeTruthy();
    expect(within(sale).getByText('Rejected').className).toContain('badge--danger');
    expect(within(otp).getByText('Authentication')).toBeTruthy();
    expect(within(otp).getByText('Pending').className).toContain('badge--warning');
  });

  it('syncs from Meta with progress, then shows the new list; shows Meta’s refusal', async () => {
    vi.spyOn(api, 'getChannel').mockResolvedValue(whatsapp);
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({ items: [] });
    let answer: (r: { items: MessageTemplate[] }) => void = () => {};
    const sync = vi
      .spyOn(api, 'syncMessageTemplates')
      .mockImplementationOnce(() => new Promise((r) => (answer = r)))
      .mockRejectedValueOnce(new ApiError({ status: 502, title: 'Meta refused the template list.', detail: 'Invalid OAuth access token.', code: '190' }));
    renderAt('/channels/9', MANAGER);
    const section = await screen.findByRole('region', { name: 'Templates' });
    expect(await within(section).findByText('No templates synced yet')).toBeTruthy();

    fireEvent.click(within(section).getByRole('button', { name: 'Sync from Meta' }));
    expect(within(section).getByRole('button', { name: 'Syncing…' }).hasAttribute('disabled')).toBe(true);
    expect(within(section).getByText('Syncing templates from Meta…')).toBeTruthy();
    expect(sync).toHaveBeenCalledWith(9);
    answer({ items: [tpl(1, { name: 'order_ready' }), tpl(2, { name: 'draft', status: 'PENDING' })] });
    expect(await within(section).findByText('Synced 2 templates from Meta, 1 approved.')).toBeTruthy();
    expect(within(section).getAllByTestId('template-row')).toHaveLength(2);
    expect(within(section).queryByText('Syncing templates from Meta…')).toBeNull();

    fireEvent.click(within(section).getByRole('button', { name: 'Sync from Meta' }));
    const alert = await within(section).findByRole('alert');
    expect(alert.textContent).toContain('Meta refused the template list.');
    expect(alert.textContent).toContain('Invalid OAuth access token.');
    expect(alert.textContent).toContain('190');
    // The templates synced before are still listed.
    expect(within(section).getAllByTestId('template-row')).toHaveLength(2);
  });

  it('lists without a sync button for a role without conversations.manage', async () => {
    vi.spyOn(api, 'getChannel').mockResolvedValue(whatsapp);
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({ items: [] });
    renderAt('/channels/9', ['channels.read', 'conversations.read']);
    const section = await screen.findByRole('region', { name: 'Templates' });
    expect(await within(section).findByText(/Ask an administrator or supervisor to sync them/)).toBeTruthy();
    expect(within(section).queryByRole('button', { name: 'Sync from Meta' })).toBeNull();
  });
});

describe('ChannelDetailPage templates (Twilio WhatsApp)', () => {
  const twilioWhatsApp: MessagingChannel = { ...twilio, id: 5, type: 'twilio_whatsapp', name: 'Twilio WhatsApp', status: 'active' };
  const sid = (digit: string) => 'HX' + digit.repeat(32);
  const content = (id: number, overrides: Partial<MessageTemplate> = {}): MessageTemplate => ({
    id,
    channelId: 5,
    name: `template_${id}`,
    language: 'en',
    category: 'utility',
    status: 'APPROVED',
    body: 'Hi {{1}}, your order {{2}} has shipped.',
    parameterCount: 2,
    providerTemplateId: sid('a'),
    ...overrides,
  });
  const MANAGER = ['channels.read', 'conversations.read', 'conversations.manage'];

  it('adds a Content template by its SID, with the server’s refusal beside the field, and lists it with its SID', async () => {
    vi.spyOn(api, 'getChannel').mockResolvedValue(twilioWhatsApp);
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({ items: [content(1, { name: 'welcome', body: 'Welcome!', parameterCount: 0, providerTemplateId: sid('b') })] });
    const create = vi
      .spyOn(api, 'createContentTemplate')
      .mockRejectedValueOnce(
        new ApiError({ status: 400, title: 'The request is not valid.', errors: { contentSid: ['must be a Twilio Content SID: HX followed by 32 hex digits.'] } }),
      )
      .mockResolvedValueOnce(content(7, { name: 'order_update' }));
    renderAt('/channels/5', MANAGER);
    const section = await screen.findByRole('region', { name: 'Templates' });
    await waitFor(() => expect(within(section).getAllByTestId('template-row')).toHaveLength(1));
    expect(within(section).getByText(sid('b'))).toBeTruthy();
    expect(within(section).queryByRole('form', { name: 'Add a Content template' })).toBeNull();

    const toggle = within(section).getByRole('button', { name: 'Add Content template' });
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const form = within(section).getByRole('form', { name: 'Add a Content template' });
    fireEvent.change(within(form).getByLabelText('Content SID'), { target: { value: ' HX123 ' } });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'order_update' } });
    fireEvent.change(within(form).getByLabelText('Body'), { target: { value: 'Hi {{1}}, your order {{2}} has shipped.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add template' }));
    const sidField = within(form).getByLabelText('Content SID');
    await waitFor(() => expect(sidField.getAttribute('aria-invalid')).toBe('true'));
    expect(within(form).getByText('must be a Twilio Content SID: HX followed by 32 hex digits.').id).toBe(sidField.getAttribute('aria-describedby')?.split(' ').pop());

    fireEvent.change(sidField, { target: { value: sid('a') } });
    fireEvent.change(within(form).getByLabelText('Category'), { target: { value: 'marketing' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add template' }));
    expect(await within(section).findByText('order_update (en) was added.')).toBeTruthy();
    expect(create).toHaveBeenLastCalledWith(5, {
      contentSid: sid('a'),
      name: 'order_update',
      language: 'en',
      body: 'Hi {{1}}, your order {{2}} has shipped.',
      category: 'marketing',
    });
    expect(create).toHaveBeenNthCalledWith(1, 5, expect.objectContaining({ contentSid: 'HX123' }));
    expect(within(section).queryByRole('form', { name: 'Add a Content template' })).toBeNull();
    const rows = within(section).getAllByTestId('template-row');
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['order_update', 'welcome']);
    expect(within(rows[0]).getByText(sid('a'))).toBeTruthy();
  });

  it('syncs from Twilio, explains an empty account, and removes a template after confirming', async () => {
    vi.spyOn(api, 'getChannel').mockResolvedValue(twilioWhatsApp);
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({ items: [] });
    const sync = vi
      .spyOn(api, 'syncMessageTemplates')
      .mockResolvedValueOnce({ items: [content(1, { name: 'order_update' }), content(2, { name: 'spring_sale', status: 'UNSUBMITTED', providerTemplateId: sid('c') })] })
      .mockRejectedValueOnce(new ApiError({ status: 502, title: 'Twilio refused the template list.', detail: 'Authenticate', code: '20003' }));
    const remove = vi.spyOn(api, 'deleteMessageTemplate').mockResolvedValue(undefined);
    renderAt('/channels/5', MANAGER);
    const section = await screen.findByRole('region', { name: 'Templates' });
    expect(await within(section).findByText('No Content templates yet')).toBeTruthy();
    expect(within(section).getByText(/or add one by its Content SID \(HX…\)/)).toBeTruthy();

    fireEvent.click(within(section).getByRole('button', { name: 'Sync from Twilio' }));
    expect(await within(section).findByText('Synced 2 templates from Twilio, 1 approved.')).toBeTruthy();
    expect(sync).toHaveBeenCalledWith(5);
    expect(within(within(section).getAllByTestId('template-row')[1]).getByText('Unsubmitted')).toBeTruthy();

    fireEvent.click(within(section).getByRole('button', { name: 'Sync from Twilio' }));
    const alert = await within(section).findByRole('alert');
    expect(alert.textContent).toContain('Twilio refused the template list.');
    expect(alert.textContent).toContain('20003');

    fireEvent.click(within(section).getByRole('button', { name: 'Remove spring_sale (en)' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Remove template' }));
    expect(await within(section).findByText('spring_sale (en) was removed.')).toBeTruthy();
    expect(remove).toHaveBeenCalledWith(5, 2);
    expect(within(section).getAllByTestId('template-row')).toHaveLength(1);
  });
});
