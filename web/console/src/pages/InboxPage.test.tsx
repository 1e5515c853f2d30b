import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, ApiError, type ConversationPage, type Message } from '../api';
import { SessionProvider } from '../session';
import { installFakeHub, type FakeHubConnection } from '../test/fakeHub';
import { AGENT_PERMISSIONS, conversation, counts, message, sessionWith, template } from '../test/inboxFixtures';

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname}</output>;
}

function renderAt(path: string, permissions = AGENT_PERMISSIONS, role = 'agent') {
  vi.spyOn(api, 'getSession').mockResolvedValue(sessionWith(permissions, role));
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <AppRoutes />
        <LocationProbe />
      </SessionProvider>
    </MemoryRouter>,
  );
}

// New is empty by default, so the inbox opens on Open (the first non-empty tab).
const page = (items = [conversation(1), conversation(2)], c = counts({ open: 2, resolved: 9 })): ConversationPage => ({ items, nextCursor: null, counts: c });

let hub: FakeHubConnection;

beforeEach(() => {
  hub = installFakeHub();
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'onUnauthorized').mockImplementation(() => {});
  vi.spyOn(api, 'listUsers').mockResolvedValue({
    items: [
      { id: 7, name: 'Alex Agent', email: 'alex@acme.test', status: 'active' } as never,
      { id: 8, name: 'Sam Supervisor', email: 'sam@acme.test', status: 'active' } as never,
    ],
  });
  vi.spyOn(api, 'listDepartments').mockResolvedValue({ items: [{ id: 2, name: 'Billing' } as never] });
  vi.spyOn(api, 'listChannels').mockResolvedValue({ items: [{ id: 3, name: 'Support SMS', type: 'twilio_sms' } as never] });
  vi.spyOn(api, 'listConversationTags').mockResolvedValue({ items: [{ id: 5, name: 'VIP', color: '#c62828', description: null }] });
  vi.spyOn(api, 'listCannedResponses').mockResolvedValue({
    items: [{ id: 1, title: 'Opening hours', shortcut: 'hours', content: 'We are open 9–17, Monday to Friday.', category: null, isShared: true, ownerId: null, usageCount: 3 }],
  });
  vi.spyOn(api, 'listConversations').mockResolvedValue(page());
  vi.spyOn(api, 'getConversation').mockImplementation(async (id) => conversation(Number(id)));
  vi.spyOn(api, 'markConversationRead').mockResolvedValue(undefined);
  vi.spyOn(api, 'listMessages').mockResolvedValue({ items: [message(1), message(2, { direction: 'outbound', senderType: 'agent', agent: { id: 7, name: 'Alex Agent' }, status: 'read' })], nextCursor: null });
  vi.spyOn(api, 'listNotes').mockResolvedValue({ items: [] });
});

const rows = () => screen.getAllByTestId('conversation-row');

describe('conversation list', () => {
  it('shows status counts, rows with their details, and sends the filters to the server', async () => {
    vi.mocked(api.listConversations).mockResolvedValue(
      page([
        conversation(1, { unreadCount: 3, tags: [{ id: 5, name: 'VIP', color: '#c62828' }], assignedTo: { id: 8, name: 'Sam Supervisor' } }),
        conversation(2, { contact: { id: 102, name: null, phone: '+15550002222', email: null } }),
      ]),
    );
    renderAt('/inbox');
    await screen.findByRole('heading', { level: 1, name: 'Inbox' });
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Inbox' })).toBeTruthy();
    await waitFor(() => expect(rows()).toHaveLength(2));

    expect(screen.getByRole('tab', { name: 'Open, 2 conversations' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tab', { name: 'New, 0 conversations' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Resolved, 9 conversations' })).toBeTruthy();

    const first = rows()[0];
    expect(within(first).getByText('Customer 1')).toBeTruthy();
    expect(within(first).getByText('Hello from 1')).toBeTruthy();
    expect(within(first).getByText('SMS')).toBeTruthy();
    expect(first.textContent).toContain('3 unread');
    expect(within(first).getByText('VIP')).toBeTruthy();
    expect(within(first).getByText('Sam Supervisor')).toBeTruthy();
    // A contact without a name shows its phone.
    expect(within(rows()[1]).getByText('+15550002222')).toBeTruthy();
    expect(within(rows()[1]).getByText('Unassigned')).toBeTruthy();

    expect(api.listConversations).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'open', limit: 25 }), expect.anything());
    fireEvent.change(screen.getByLabelText('Assignee'), { target: { value: 'me' } });
    await waitFor(() => expect(api.listConversations).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'open', assignee: 'me' }), expect.anything()));
    fireEvent.click(screen.getByLabelText('Unread only'));
    await waitFor(() => expect(api.listConversations).toHaveBeenLastCalledWith(expect.objectContaining({ unread: true }), expect.anything()));
    fireEvent.change(await screen.findByLabelText('Channel'), { target: { value: '3' } });
    await waitFor(() => expect(api.listConversations).toHaveBeenLastCalledWith(expect.objectContaining({ channelId: 3 }), expect.anything()));
    fireEvent.click(screen.getByRole('tab', { name: /New/ }));
    await waitFor(() => expect(api.listConversations).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'new', assignee: 'me', unread: true, channelId: 3 }), expect.anything()));
  });

  it('explains an empty tab, and an empty result of filters with a way out', async () => {
    vi.mocked(api.listConversations).mockResolvedValue(page([], counts()));
    renderAt('/inbox');
    // Every tab empty: the inbox stays on New, where new customer conversations arrive.
    await screen.findByText('No new conversations');
    expect(screen.getByRole('tab', { name: 'New, 0 conversations' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByText('New customer messages will appear here live.')).toBeTruthy();
    expect(screen.getByText('Pick a conversation')).toBeTruthy();

    fireEvent.click(screen.getByLabelText('Unread only'));
    await screen.findByText('No conversations match these filters');
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await screen.findByText('No new conversations');
    expect((screen.getByLabelText('Unread only') as HTMLInputElement).checked).toBe(false);
  });

  it('moves updated conversations to the top live, drops those that stop matching, and shows the hub state', async () => {
    renderAt('/inbox');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByRole('status', { name: '' }).textContent ?? '').toBeDefined();
    await screen.findByText('Live');

    hub.emit('conversationUpdated', conversation(3, { lastMessageAt: '2026-03-09T12:00:00Z', lastMessagePreview: 'Brand new', unreadCount: 1 }));
    expect(within(rows()[0]).getByText('Customer 3')).toBeTruthy();
    expect(within(rows()[0]).getByText('Brand new')).toBeTruthy();

    hub.emit('conversationUpdated', conversation(1, { lastMessageAt: '2026-03-10T12:00:00Z', lastMessagePreview: 'Newest' }));
    expect(within(rows()[0]).getByText('Customer 1')).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Open, 2 conversations' })).toBeTruthy();

    // Resolved elsewhere: no longer an open conversation, and the counts follow.
    hub.emit('conversationUpdated', conversation(2, { status: 'resolved' }));
    expect(rows().map((r) => within(r).getAllByText(/Customer \d/)[0].textContent)).toEqual(['Customer 1', 'Customer 3']);
    expect(screen.getByRole('tab', { name: 'Resolved, 10 conversations' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Open, 1 conversation' })).toBeTruthy();

    hub.drop();
    await screen.findByText('Reconnecting…');
    const loads = vi.mocked(api.listConversations).mock.calls.length;
    hub.restore();
    await screen.findByText('Live');
    await waitFor(() => expect(vi.mocked(api.listConversations).mock.calls.length).toBeGreaterThan(loads));
  });
});

describe('tab counts', () => {
  /** The server's list as it is now: rows of the asked status, counts of every tab. */
  function serveFrom(state: { items: ReturnType<typeof conversation>[]; counts: ReturnType<typeof counts> }) {
    vi.mocked(api.listConversations).mockImplementation(async (q) => ({
      items: state.items.filter((c) => c.status === q.status).slice(0, q.limit ?? 25),
      nextCursor: null,
      counts: { ...state.counts },
    }));
  }

  it('counts a new conversation that arrives live on its tab (not "New 0" beside a new row)', async () => {
    const state = { items: [] as ReturnType<typeof conversation>[], counts: counts() };
    serveFrom(state);
    renderAt('/inbox');
    await screen.findByText('No new conversations');
    await screen.findByText('Live');

    const now = new Date().toISOString();
    const fresh = conversation(5, { status: 'new', createdAt: now, lastMessageAt: now, unreadCount: 1, lastMessagePreview: 'Hi, is anyone there?' });
    state.items = [fresh];
    state.counts = counts({ new: 1 });
    hub.emit('conversationUpdated', fresh);
    expect(within(rows()[0]).getByText('Hi, is anyone there?')).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'New, 1 conversation' })).toBeTruthy();
    // The refetch that follows confirms it.
    await waitFor(() => expect(api.listConversations).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'new', limit: 1 })));
    expect(screen.getByRole('tab', { name: 'New, 1 conversation' })).toBeTruthy();

    // One the console never saw but that is not new (it may already be counted): the server's counts are fetched.
    const moved = conversation(6, { status: 'open', createdAt: '2026-01-01T09:00:00Z', lastMessageAt: now });
    state.items = [fresh, moved];
    state.counts = counts({ new: 1, open: 1 });
    hub.emit('conversationUpdated', moved);
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Open, 1 conversation' })).toBeTruthy());
    expect(rows()).toHaveLength(1);

    // A change of a listed conversation moves it between tabs at once.
    hub.emit('conversationUpdated', { ...fresh, status: 'pending' });
    expect(screen.queryAllByTestId('conversation-row')).toHaveLength(0);
    expect(screen.getByRole('tab', { name: 'New, 0 conversations' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Pending, 1 conversation' })).toBeTruthy();
  });
});

describe('starting tab', () => {
  it('opens on the first of New, Open and Pending that has conversations', async () => {
    vi.mocked(api.listConversations).mockImplementation(async (q) =>
      page(q.status === 'pending' ? [conversation(4, { status: 'pending' })] : [], counts({ pending: 1, resolved: 3 })),
    );
    renderAt('/inbox');
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Pending, 1 conversation' }).getAttribute('aria-selected')).toBe('true'));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(vi.mocked(api.listConversations).mock.calls.map(([q]) => q.status)).toEqual(['new', 'pending']);
    // Never a flash of the empty New tab on the way.
    expect(screen.queryByText('No new conversations')).toBeNull();
  });

  it('stays on New when it has conversations, with a single request', async () => {
    vi.mocked(api.listConversations).mockResolvedValue(page([conversation(1, { status: 'new', unreadCount: 1 })], counts({ new: 1, open: 5 })));
    renderAt('/inbox');
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.getByRole('tab', { name: 'New, 1 conversation' }).getAttribute('aria-selected')).toBe('true');
    expect(api.listConversations).toHaveBeenCalledTimes(1);
  });

  it('remembers a tab the agent chose for the rest of the session', async () => {
    vi.mocked(api.listConversations).mockImplementation(async (q) => page(q.status === 'new' ? [conversation(1, { status: 'new' })] : [], counts({ new: 1 })));
    const first = renderAt('/inbox');
    await waitFor(() => expect(rows()).toHaveLength(1));
    fireEvent.click(screen.getByRole('tab', { name: /^Resolved/ }));
    await screen.findByText('No resolved conversations');
    first.unmount();

    vi.mocked(api.listConversations).mockClear();
    renderAt('/inbox');
    await screen.findByText('No resolved conversations');
    expect(screen.getByRole('tab', { name: /^Resolved/ }).getAttribute('aria-selected')).toBe('true');
    // No automatic switch, although New has conversations.
    expect(vi.mocked(api.listConversations).mock.calls.map(([q]) => q.status)).toEqual(['resolved']);
  });

  it('keeps the open thread when the agent’s reply moves the conversation off the tab', async () => {
    const mine = conversation(1, { status: 'new', unreadCount: 1 });
    vi.mocked(api.listConversations).mockResolvedValue(page([mine, conversation(2, { status: 'new' })], counts({ new: 2 })));
    vi.mocked(api.getConversation).mockResolvedValue(mine);
    const sent = message(50, { direction: 'outbound', senderType: 'agent', agent: { id: 7, name: 'Alex Agent' }, text: 'Happy to help', status: 'pending', createdAt: new Date().toISOString() });
    vi.spyOn(api, 'sendMessage').mockResolvedValue(sent);
    renderAt('/inbox/1');
    await screen.findByText('Message 1');
    await waitFor(() => expect(rows()).toHaveLength(2));

    const box = screen.getByLabelText('Reply');
    fireEvent.change(box, { target: { value: 'Happy to help' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    const log = screen.getByRole('log', { name: 'Messages' });
    await within(log).findByText('Happy to help');
    // The server opens a new conversation when an agent answers it, and tells everyone.
    hub.emit('conversationUpdated', { ...mine, status: 'open', unreadCount: 0, firstResponseAt: sent.createdAt, lastMessageAt: sent.createdAt, lastMessagePreview: 'Happy to help' });

    // It leaves the New list (and its count)…
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(within(rows()[0]).getByText('Customer 2')).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'New, 1 conversation' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Open, 1 conversation' })).toBeTruthy();
    // …but the thread the agent is working in stays, with its composer, now marked Open.
    expect(screen.getByTestId('location').textContent).toBe('/inbox/1');
    expect(within(log).getByText('Message 1')).toBeTruthy();
    expect(within(log).getByText('Happy to help')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2, name: 'Customer 1' })).toBeTruthy();
    expect(screen.getByText('Open', { selector: '.inbox-thread__title .badge' })).toBeTruthy();
    expect((screen.getByLabelText('Reply') as HTMLTextAreaElement).disabled).toBe(false);

    // The customer writes back: it arrives in the open thread.
    hub.emit('messageCreated', { conversationId: 1, message: message(51, { text: 'Thanks!', createdAt: new Date(Date.now() + 1000).toISOString() }) });
    expect(within(log).getByText('Thanks!')).toBeTruthy();
  });
});

describe('thread', () => {
  it('opens a conversation: loads its messages, marks it read, joins its hub group and shows who wrote what', async () => {
    vi.mocked(api.listConversations).mockResolvedValue(page([conversation(1, { unreadCount: 2 }), conversation(2)]));
    renderAt('/inbox');
    await waitFor(() => expect(rows()).toHaveLength(2));
    fireEvent.click(rows()[0]);

    await screen.findByText('Message 1');
    expect(screen.getByTestId('location').textContent).toBe('/inbox/1');
    expect(api.listMessages).toHaveBeenCalledWith(1, { limit: 30 }, expect.anything());
    expect(api.markConversationRead).toHaveBeenCalledWith(1);
    await waitFor(() => expect(hub.joined()).toEqual([1]));
    await waitFor(() => expect(rows()[0].textContent).not.toContain('unread'));
    expect(rows()[0].getAttribute('aria-current')).toBe('true');

    const log = screen.getByRole('log', { name: 'Messages' });
    const bubbles = within(log).getAllByTestId('message');
    expect(bubbles).toHaveLength(2);
    expect(bubbles[0].textContent).toContain('Customer 1');
    expect(bubbles[1].textContent).toContain('Alex Agent');
    expect(within(bubbles[1]).getByRole('img', { name: 'Read' })).toBeTruthy();
    expect(within(bubbles[0]).queryByRole('img')).toBeNull();
  });

  it('shows attachments, template labels and pages backwards with "Load earlier"', async () => {
    vi.mocked(api.listMessages).mockImplementation(async (_id, query) =>
      query?.before
        ? { items: [message(1, { text: 'The very first' })], nextCursor: null }
        : {
            items: [
              message(3, {
                text: null,
                type: 'image',
                attachments: [{ id: 1, type: 'image', mimeType: 'image/jpeg', filename: 'photo.jpg', fileSize: 2048, url: '/api/v1/attachments/1' }],
              }),
              message(4, {
                text: null,
                type: 'document',
                attachments: [{ id: 2, type: 'document', mimeType: 'application/pdf', filename: 'invoice.pdf', fileSize: 150_000, url: '/api/v1/attachments/2' }],
              }),
              message(5, { direction: 'outbound', senderType: 'agent', isTemplate: true, template: { name: 'order_ready', language: 'en', parameters: ['Ada'] }, text: 'Hi Ada', status: 'sent' }),
            ],
            nextCursor: 'older',
          },
    );
    renderAt('/inbox/1');
    const img = (await screen.findByAltText('photo.jpg')) as HTMLImageElement;
    expect(img.getAttribute('src')).toBe('/api/v1/attachments/1');
    // Files download (the server names them), never open as a page of the console.
    expect(img.closest('a')!.getAttribute('download')).toBe('');
    expect(img.closest('a')!.getAttribute('target')).toBeNull();
    const file = screen.getByRole('link', { name: /invoice\.pdf/ });
    expect(file.getAttribute('href')).toBe('/api/v1/attachments/2');
    expect(file.getAttribute('download')).toBe('');
    expect(file.textContent).toMatch(/146 KB/);
    expect(screen.getByText('Template · order_ready')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Sent' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Load earlier messages' }));
    await screen.findByText('The very first');
    expect(api.listMessages).toHaveBeenLastCalledWith(1, { before: 'older', limit: 30 });
    const texts = screen.getAllByTestId('message').map((m) => m.textContent);
    expect(texts[0]).toContain('The very first');
    expect(screen.queryByRole('button', { name: 'Load earlier messages' })).toBeNull();
  });

  it('sends text with Enter as a pending message whose ticks advance with messageStatus events', async () => {
    let resolveSend: (m: Message) => void = () => {};
    const send = vi.spyOn(api, 'sendMessage').mockImplementation(() => new Promise<Message>((r) => (resolveSend = r)));
    renderAt('/inbox/1');
    await screen.findByText('Message 1');
    const box = screen.getByLabelText('Reply');
    fireEvent.change(box, { target: { value: 'On my way' } });
    fireEvent.keyDown(box, { key: 'Enter' });

    // Shown at once, as pending, and the box is cleared.
    const log = screen.getByRole('log', { name: 'Messages' });
    const pending = await within(log).findByText('On my way');
    const bubble = pending.closest('li')!;
    expect(within(bubble).getByRole('img', { name: 'Pending' })).toBeTruthy();
    expect((box as HTMLTextAreaElement).value).toBe('');
    expect(send).toHaveBeenCalledWith(1, { type: 'text', text: 'On my way' });

    const sent = message(50, { direction: 'outbound', senderType: 'agent', agent: { id: 7, name: 'Alex Agent' }, text: 'On my way', status: 'pending', createdAt: new Date().toISOString() });
    await act(async () => resolveSend(sent));
    expect(within(log).getAllByText('On my way')).toHaveLength(1);

    const ticks = () => within(within(log).getByText('On my way').closest('li')!).getByRole('img');
    expect(ticks().getAttribute('aria-label')).toBe('Pending');
    const status = (s: 'sent' | 'delivered' | 'read') => ({ conversationId: 1, messageId: 50, status: s, errorCode: null, errorMessage: null, at: new Date().toISOString() });
    hub.emit('messageStatus', status('delivered'));
    expect(ticks().getAttribute('aria-label')).toBe('Delivered');
    hub.emit('messageStatus', status('sent')); // late: ticks never go backwards
    expect(ticks().getAttribute('aria-label')).toBe('Delivered');
    hub.emit('messageStatus', status('read'));
    expect(ticks().getAttribute('aria-label')).toBe('Read');
    expect(ticks().className).toContain('ticks--read');

    // Shift+Enter is a new line, not a send.
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('appends messages that arrive live for the open conversation only', async () => {
    renderAt('/inbox/1');
    await screen.findByText('Message 1');
    hub.emit('messageCreated', { conversationId: 1, message: message(60, { text: 'Are you there?', createdAt: '2026-03-01T10:09:30Z' }) });
    hub.emit('messageCreated', { conversationId: 2, message: message(61, { conversationId: 2, text: 'Other thread', createdAt: '2026-03-01T21:00:00Z' }) });
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(within(log).getByText('Are you there?')).toBeTruthy();
    expect(within(log).queryByText('Other thread')).toBeNull();
    const texts = screen.getAllByTestId('message').map((m) => m.textContent ?? '');
    expect(texts[texts.length - 1]).toContain('Are you there?');
    // The other conversation's row shows its newest message, moves to the top and counts as unread.
    await waitFor(() => expect(within(rows()[0]).getByText('Other thread')).toBeTruthy());
    expect(within(rows()[0]).getByText('Customer 2')).toBeTruthy();
    expect(rows()[0].textContent).toContain('1 unread');
  });

  it('refetches the open thread and rejoins its group after a reconnect', async () => {
    renderAt('/inbox/1');
    await screen.findByText('Message 1');
    await waitFor(() => expect(hub.joined()).toEqual([1]));
    vi.mocked(api.listMessages).mockResolvedValue({ items: [message(1), message(2), message(3, { text: 'Missed while offline' })], nextCursor: null });
    hub.drop();
    hub.restore();
    await within(screen.getByRole('log', { name: 'Messages' })).findByText('Missed while offline');
    expect(hub.joined()).toEqual([1, 1]);
    expect(screen.getAllByTestId('message')).toHaveLength(3);
  });

  it('shows a failed message with its error and retries it', async () => {
    vi.mocked(api.listMessages).mockResolvedValue({
      items: [
        message(1),
        message(2, {
          direction: 'outbound',
          senderType: 'agent',
          text: 'Your refund',
          status: 'failed',
          errorCode: '131047',
          errorMessage: 'Re-engagement message',
        }),
      ],
      nextCursor: null,
    });
    const retry = vi.spyOn(api, 'retryMessage').mockResolvedValue(message(2, { direction: 'outbound', senderType: 'agent', text: 'Your refund', status: 'pending' }));
    renderAt('/inbox/1');
    const bubble = (await screen.findByText('Your refund')).closest('li')!;
    expect(within(bubble).getByRole('img', { name: 'Failed' })).toBeTruthy();
    expect(bubble.textContent).toContain('Not delivered: Re-engagement message');
    expect(bubble.textContent).toContain('131047');

    fireEvent.click(within(bubble).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(within(screen.getByText('Your refund').closest('li')!).getByRole('img', { name: 'Pending' })).toBeTruthy());
    expect(retry).toHaveBeenCalledWith(1, 2);
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('shows a web-chat visitor leaving as a notice in the thread and a badge, without moving the row or counting it unread', async () => {
    const chat = conversation(2, { channel: { id: 9, name: 'Website', type: 'webchat' }, lastMessagePreview: 'Thanks, bye' });
    vi.mocked(api.listConversations).mockResolvedValue(page([conversation(1), chat]));
    vi.mocked(api.getConversation).mockImplementation(async (id) => (Number(id) === 2 ? chat : conversation(Number(id))));
    renderAt('/inbox/2');
    await screen.findByText('Message 1');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.queryByText('Visitor left')).toBeNull();

    const endedAt = '2026-03-02T09:00:00Z'; // newer than every row
    hub.emit('messageCreated', { conversationId: 2, message: message(70, { conversationId: 2, senderType: 'system', text: 'The visitor ended the chat.', createdAt: endedAt }) });
    const notice = within(screen.getByRole('log', { name: 'Messages' })).getByText('The visitor ended the chat.').closest('li')!;
    expect(notice.className).toContain('msg--system');
    expect(within(notice).queryByRole('img')).toBeNull();
    expect(within(rows()[0]).getByText('Customer 1')).toBeTruthy();
    expect(within(rows()[1]).getByText('Thanks, bye')).toBeTruthy();
    hub.emit('conversationUpdated', { ...chat, chatEndedAt: endedAt });
    await screen.findByText('Visitor left');
    expect(within(rows()[1]).getByText('Thanks, bye')).toBeTruthy();
  });
});

describe('composer', () => {
  const whatsapp = (overrides = {}) => conversation(1, { channel: { id: 9, name: 'WhatsApp Sales', type: 'whatsapp' }, ...overrides });

  it('replaces free text with approved templates once the WhatsApp window has closed, and sends one with its parameters', async () => {
    vi.mocked(api.getConversation).mockResolvedValue(whatsapp({ windowExpiresAt: '2026-01-01T00:00:00Z' }));
    vi.mocked(api.listConversations).mockResolvedValue(page([whatsapp({ windowExpiresAt: '2026-01-01T00:00:00Z' })]));
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({
      items: [template(1, { name: 'order_ready' }), template(2, { name: 'draft_one', status: 'pending' }), template(3, { name: 'welcome', body: 'Welcome!', parameterCount: 0 })],
    });
    const send = vi.spyOn(api, 'sendMessage').mockResolvedValue(
      message(70, { direction: 'outbound', senderType: 'agent', isTemplate: true, template: { name: 'order_ready', language: 'en', parameters: ['Ada', 'A-17'] }, text: 'Hi Ada, your order A-17 is ready.', status: 'pending', createdAt: '2026-03-02T10:00:00Z' }),
    );
    renderAt('/inbox/1');
    await screen.findByText(/The 24-hour WhatsApp window has closed/);
    expect(screen.queryByLabelText('Reply')).toBeNull();
    await waitFor(() => expect(api.listMessageTemplates).toHaveBeenCalledWith(9));

    const select = (await screen.findByLabelText('Template')) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['order_ready (en) — utility', 'welcome (en) — utility']);
    expect(screen.getByTestId('template-preview').textContent).toBe('Hi {{1}}, your order {{2}} is ready.');

    fireEvent.click(screen.getByRole('button', { name: 'Send template' }));
    expect(await screen.findAllByText('Fill in this parameter.')).toHaveLength(2);
    expect(send).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText('Parameter {{1}}'), { target: { value: 'Ada' } });
    fireEvent.change(screen.getByLabelText('Parameter {{2}}'), { target: { value: 'A-17' } });
    expect(screen.getByTestId('template-preview').textContent).toBe('Hi Ada, your order A-17 is ready.');
    fireEvent.click(screen.getByRole('button', { name: 'Send template' }));
    await waitFor(() =>
      expect(send).toHaveBeenCalledWith(1, { type: 'template', template: { name: 'order_ready', language: 'en', parameters: ['Ada', 'A-17'] } }),
    );
    expect(await within(screen.getByRole('log', { name: 'Messages' })).findByText('Hi Ada, your order A-17 is ready.')).toBeTruthy();
    expect(screen.getByText('Template · order_ready')).toBeTruthy();

    // Internal notes stay free text.
    fireEvent.click(screen.getByRole('button', { name: 'Internal note' }));
    expect(screen.getByLabelText('Internal note (only your team sees it)')).toBeTruthy();
  });

  it('sends a Twilio Content template once a Twilio WhatsApp conversation’s window has closed', async () => {
    const twilio = conversation(1, { channel: { id: 4, name: 'Twilio WA', type: 'twilio_whatsapp' }, windowExpiresAt: '2026-01-01T00:00:00Z' });
    vi.mocked(api.getConversation).mockResolvedValue(twilio);
    vi.mocked(api.listConversations).mockResolvedValue(page([twilio]));
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({
      items: [
        template(5, { channelId: 4, name: 'order_update', body: 'Hi {{1}}, your order {{2}} has shipped.', providerTemplateId: 'HX' + 'a'.repeat(32) }),
        template(6, { channelId: 4, name: 'spring_sale', status: 'UNSUBMITTED', providerTemplateId: 'HX' + 'b'.repeat(32) }),
      ],
    });
    const send = vi.spyOn(api, 'sendMessage').mockResolvedValue(
      message(71, { direction: 'outbound', senderType: 'agent', isTemplate: true, template: { name: 'order_update', language: 'en', parameters: ['Ada', '#7'] }, status: 'pending', createdAt: '2026-03-02T10:00:00Z' }),
    );
    renderAt('/inbox/1');
    await screen.findByText(/The 24-hour WhatsApp window has closed/);
    expect(screen.queryByLabelText('Reply')).toBeNull();
    await waitFor(() => expect(api.listMessageTemplates).toHaveBeenCalledWith(4));

    // Only what WhatsApp approved is offered.
    const select = (await screen.findByLabelText('Template')) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['order_update (en) — utility']);
    fireEvent.change(screen.getByLabelText('Parameter {{1}}'), { target: { value: 'Ada' } });
    fireEvent.change(screen.getByLabelText('Parameter {{2}}'), { target: { value: '#7' } });
    expect(screen.getByTestId('template-preview').textContent).toBe('Hi Ada, your order #7 has shipped.');
    fireEvent.click(screen.getByRole('button', { name: 'Send template' }));
    await waitFor(() => expect(send).toHaveBeenCalledWith(1, { type: 'template', template: { name: 'order_update', language: 'en', parameters: ['Ada', '#7'] } }));
  });

  it('offers the template sync to conversations.manage on WhatsApp channels, from Meta or from Twilio', async () => {
    vi.mocked(api.getConversation).mockResolvedValue(whatsapp({ windowExpiresAt: null }));
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({ items: [] });
    const sync = vi.spyOn(api, 'syncMessageTemplates').mockResolvedValue({ items: [template(1, { name: 'order_ready' })] });
    const first = renderAt('/inbox/1', [...AGENT_PERMISSIONS, 'conversations.manage'], 'supervisor');
    fireEvent.click(await screen.findByRole('button', { name: 'Sync templates from WhatsApp' }));
    await waitFor(() => expect(sync).toHaveBeenCalledWith(9));
    expect(((await screen.findByLabelText('Template')) as HTMLSelectElement).value).toBe('1');
    first.unmount();

    // Twilio's WhatsApp keeps its templates as Twilio Content templates.
    vi.mocked(api.listMessageTemplates).mockResolvedValue({ items: [] });
    vi.mocked(api.getConversation).mockResolvedValue(conversation(1, { channel: { id: 4, name: 'Twilio WA', type: 'twilio_whatsapp' }, windowExpiresAt: null }));
    const second = renderAt('/inbox/1', [...AGENT_PERMISSIONS, 'conversations.manage'], 'supervisor');
    await screen.findByText(/No approved templates for this channel yet/);
    expect(screen.queryByRole('button', { name: 'Sync templates from WhatsApp' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Sync templates from Twilio' }));
    await waitFor(() => expect(sync).toHaveBeenCalledWith(4));
    second.unmount();

    // Agents cannot sync at all.
    vi.mocked(api.getConversation).mockResolvedValue(whatsapp({ windowExpiresAt: null }));
    renderAt('/inbox/1');
    await screen.findByText(/Ask an administrator to create and sync templates/);
    expect(screen.queryByRole('button', { name: /Sync templates/ })).toBeNull();
  });

  it('switches to templates when the server answers window_closed, and explains opted_out', async () => {
    vi.mocked(api.getConversation).mockResolvedValue(whatsapp({ windowExpiresAt: '2999-01-01T00:00:00Z' }));
    vi.spyOn(api, 'listMessageTemplates').mockResolvedValue({ items: [template(1)] });
    const send = vi
      .spyOn(api, 'sendMessage')
      .mockRejectedValueOnce(new ApiError({ status: 422, title: 'Opted out', code: 'opted_out' }))
      .mockRejectedValueOnce(new ApiError({ status: 422, title: 'Window closed', code: 'window_closed' }));
    renderAt('/inbox/1');
    await screen.findByText(/WhatsApp window closes in/);
    const box = await screen.findByLabelText('Reply');

    fireEvent.change(box, { target: { value: 'Hello?' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect((await screen.findByRole('alert', { name: '' })).textContent ?? '').toBeDefined();
    await screen.findByText('This contact has opted out.');
    // The text comes back and the pending bubble goes away.
    await waitFor(() => expect((screen.getByLabelText('Reply') as HTMLTextAreaElement).value).toBe('Hello?'));
    expect(screen.queryByText('Hello?', { selector: '.msg__text' })).toBeNull();

    fireEvent.keyDown(screen.getByLabelText('Reply'), { key: 'Enter' });
    await screen.findByText(/The 24-hour WhatsApp window has closed/);
    expect(send).toHaveBeenCalledTimes(2);
    expect(await screen.findByLabelText('Template')).toBeTruthy();
  });

  it('sends a file as multipart with the text as its caption', async () => {
    const upload = vi.spyOn(api, 'sendFile').mockResolvedValue(
      message(80, {
        direction: 'outbound',
        senderType: 'agent',
        type: 'document',
        text: 'Your invoice',
        status: 'pending',
        attachments: [{ id: 9, type: 'document', mimeType: 'application/pdf', filename: 'invoice.pdf', fileSize: 2048, url: '/api/v1/attachments/9' }],
        createdAt: '2026-03-02T10:00:00Z',
      }),
    );
    renderAt('/inbox/1');
    await screen.findByText('Message 1');
    const file = new File(['%PDF'], 'invoice.pdf', { type: 'application/pdf' });
    fireEvent.change(document.getElementById('composer-file')!, { target: { files: [file] } });
    expect(await screen.findByRole('button', { name: 'Remove invoice.pdf' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Caption'), { target: { value: 'Your invoice' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(upload).toHaveBeenCalledWith(1, file, 'Your invoice', expect.any(Function)));
    expect(await screen.findByRole('link', { name: /invoice\.pdf/ })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Remove invoice.pdf' })).toBeNull();
  });

  it('inserts a canned response from its /shortcut', async () => {
    renderAt('/inbox/1');
    const box = (await screen.findByLabelText('Reply')) as HTMLTextAreaElement;
    await waitFor(() => expect(api.listCannedResponses).toHaveBeenCalled());
    fireEvent.change(box, { target: { value: 'Hi! /ho', selectionStart: 7 } });
    const option = await screen.findByRole('option', { name: /hours/ });
    expect(option.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('Hi! We are open 9–17, Monday to Friday.');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('sends internal notes to the notes list', async () => {
    const note = vi.spyOn(api, 'sendNote').mockResolvedValue({
      id: 4,
      conversationId: 1,
      author: { id: 7, name: 'Alex Agent' },
      content: 'Customer prefers email',
      isPinned: false,
      createdAt: '2026-03-01T10:00:00Z',
      updatedAt: '2026-03-01T10:00:00Z',
    });
    renderAt('/inbox/1');
    await screen.findByText('Message 1');
    fireEvent.click(screen.getByRole('button', { name: 'Internal note' }));
    const box = screen.getByLabelText('Internal note (only your team sees it)');
    fireEvent.change(box, { target: { value: 'Customer prefers email' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add internal note' }));
    await waitFor(() => expect(note).toHaveBeenCalledWith(1, 'Customer prefers email'));
    const notes = screen.getByRole('region', { name: 'Notes' });
    expect(await within(notes).findByText('Customer prefers email')).toBeTruthy();
  });

  it('is disabled, with the reason, for a role without conversations.reply', async () => {
    renderAt('/inbox/1', ['conversations.read', 'contacts.read'], 'viewer');
    await screen.findByText('Message 1');
    const box = screen.getByLabelText('Reply') as HTMLTextAreaElement;
    expect(box.disabled).toBe(true);
    expect(screen.getByText(/your role \(viewer\) cannot reply/)).toBeTruthy();
    expect(box.getAttribute('aria-describedby')).toBe('composer-locked');
    expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Assign to me' })).toBeNull();
    expect(api.listCannedResponses).not.toHaveBeenCalled();
  });
});

describe('keyboard', () => {
  it('moves with j/k, opens with o, resolves with e, assigns with a, and ignores keys typed in fields', async () => {
    vi.mocked(api.listConversations).mockResolvedValue(page([conversation(1), conversation(2), conversation(3)]));
    const update = vi.spyOn(api, 'updateConversation').mockImplementation(async (id, input) => conversation(Number(id), { status: input.status ?? 'open' }));
    const assign = vi.spyOn(api, 'assignConversation').mockImplementation(async (id, userId) => conversation(Number(id), { assignedTo: userId ? { id: userId, name: 'Alex Agent' } : null }));
    renderAt('/inbox');
    await waitFor(() => expect(rows()).toHaveLength(3));

    fireEvent.keyDown(document.body, { key: 'j' });
    expect(document.activeElement).toBe(rows()[0]);
    fireEvent.keyDown(document.activeElement!, { key: 'j' });
    fireEvent.keyDown(document.activeElement!, { key: 'j' });
    expect(document.activeElement).toBe(rows()[2]);
    fireEvent.keyDown(document.activeElement!, { key: 'k' });
    expect(document.activeElement).toBe(rows()[1]);
    expect(rows()[1].className).toContain('conv-row--highlighted');

    fireEvent.keyDown(document.activeElement!, { key: 'o' });
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/inbox/2'));
    await screen.findByText('Message 1');

    fireEvent.keyDown(document.body, { key: 'e' });
    await waitFor(() => expect(update).toHaveBeenCalledWith(2, { status: 'resolved' }));
    // Resolved: it leaves the open list.
    await waitFor(() => expect(rows()).toHaveLength(2));

    fireEvent.keyDown(document.body, { key: 'a' });
    await waitFor(() => expect(assign).toHaveBeenCalledWith(2, 7));

    fireEvent.keyDown(document.body, { key: 'r' });
    expect(document.activeElement).toBe(screen.getByLabelText('Reply'));
    fireEvent.keyDown(document.activeElement!, { key: 'e' });
    expect(update).toHaveBeenCalledTimes(1);

    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(screen.getByLabelText('Search conversations'));
    fireEvent.keyDown(document.activeElement!, { key: 'j' });
    expect(document.activeElement).toBe(screen.getByLabelText('Search conversations'));

    fireEvent.keyDown(document.body, { key: '?' });
    expect(await screen.findByRole('heading', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });
});

describe('side panel', () => {
  it('shows the contact and changes status, assignee, tags and transfers', async () => {
    vi.mocked(api.getConversation).mockResolvedValue(conversation(1, { contact: { id: 101, name: 'Ada Lovelace', phone: '+15551234567', email: 'ada@example.test' } }));
    const update = vi.spyOn(api, 'updateConversation').mockImplementation(async (_id, input) => conversation(1, { status: input.status, snoozedUntil: input.snoozedUntil ?? null }));
    const tags = vi.spyOn(api, 'setConversationTags').mockResolvedValue(conversation(1, { tags: [{ id: 5, name: 'VIP', color: '#c62828' }] }));
    const transfer = vi.spyOn(api, 'transferConversation').mockResolvedValue(conversation(1, { departmentId: 2 }));
    renderAt('/inbox/1');
    const side = await screen.findByRole('complementary', { name: 'Conversation details' });
    await within(side).findByText('Ada Lovelace');
    expect(within(side).getByText('ada@example.test')).toBeTruthy();
    expect(within(side).getByRole('link', { name: 'Open contact page' }).getAttribute('href')).toBe('/contacts/101');

    fireEvent.change(within(side).getByLabelText('Add a tag'), { target: { value: '5' } });
    await waitFor(() => expect(tags).toHaveBeenCalledWith(1, [5]));
    expect(await within(side).findByRole('button', { name: 'Remove tag VIP' })).toBeTruthy();

    fireEvent.click(within(side).getByRole('button', { name: 'Snooze…' }));
    fireEvent.click(await screen.findByLabelText(/Tomorrow at 9:00/));
    fireEvent.click(screen.getByRole('button', { name: 'Snooze' }));
    await waitFor(() => expect(update).toHaveBeenCalledWith(1, expect.objectContaining({ status: 'snoozed' })));
    const until = new Date(update.mock.calls[0][1].snoozedUntil!);
    expect([until.getHours(), until.getMinutes()]).toEqual([9, 0]);
    expect(await within(side).findByRole('button', { name: 'Reopen' })).toBeTruthy();

    fireEvent.click(within(side).getByRole('button', { name: 'Transfer…' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Transfer' }));
    expect(await screen.findByText('Choose a person, a department or both.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('To a department'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Reason (optional)'), { target: { value: 'Refund question' } });
    fireEvent.click(screen.getByRole('button', { name: 'Transfer' }));
    await waitFor(() => expect(transfer).toHaveBeenCalledWith(1, { toDepartmentId: 2, reason: 'Refund question' }));
  });

  it('pins, unpins and deletes notes, and shows the assignment history on demand', async () => {
    const note = (id: number, isPinned: boolean, content: string) => ({
      id,
      conversationId: 1,
      author: { id: 8, name: 'Sam Supervisor' },
      content,
      isPinned,
      createdAt: `2026-03-0${id}T10:00:00Z`,
      updatedAt: `2026-03-0${id}T10:00:00Z`,
    });
    vi.mocked(api.listNotes).mockResolvedValue({ items: [note(1, true, 'Refund approved'), note(2, false, 'Prefers email')] });
    const update = vi.spyOn(api, 'updateNote').mockResolvedValue(note(2, true, 'Prefers email'));
    const del = vi.spyOn(api, 'deleteNote').mockResolvedValue(undefined);
    vi.spyOn(api, 'listAssignments').mockResolvedValue({
      items: [{ id: 1, assignedTo: { id: 7, name: 'Alex Agent' }, assignedBy: { id: 8, name: 'Sam Supervisor' }, assignmentType: 'manual', assignedAt: '2026-03-01T10:00:00Z', unassignedAt: null }],
    });
    vi.spyOn(api, 'listTransfers').mockResolvedValue({
      items: [{ id: 1, fromUser: { id: 8, name: 'Sam Supervisor' }, toUser: null, toDepartmentId: 2, transferredBy: { id: 8, name: 'Sam Supervisor' }, reason: 'Billing question', transferredAt: '2026-03-02T10:00:00Z' }],
    });
    renderAt('/inbox/1');
    await screen.findByText('Refund approved');
    const notes = screen.getByRole('region', { name: 'Notes' });
    const items = () => within(notes).getAllByRole('listitem').map((li) => li.querySelector('.note__content')?.textContent);
    expect(items()).toEqual(['Refund approved', 'Prefers email']);

    fireEvent.click(within(notes).getByRole('button', { name: 'Pin note' }));
    await waitFor(() => expect(update).toHaveBeenCalledWith(1, 2, { isPinned: true }));
    await waitFor(() => expect(within(notes).getAllByRole('button', { name: 'Unpin note' })).toHaveLength(2));
    // Both pinned now: newest first.
    expect(items()).toEqual(['Prefers email', 'Refund approved']);

    fireEvent.click(within(notes).getAllByRole('button', { name: 'Delete note' })[0]);
    const confirm = await screen.findByRole('dialog', { name: 'Delete note?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete note' }));
    await waitFor(() => expect(del).toHaveBeenCalledWith(1, 2));
    await waitFor(() => expect(items()).toEqual(['Refund approved']));

    expect(api.listAssignments).not.toHaveBeenCalled();
    const history = screen.getByText('Assignment history').closest('details')!;
    history.open = true;
    fireEvent(history, new Event('toggle'));
    expect(await within(history).findByText('Transferred from Sam Supervisor to Billing by Sam Supervisor')).toBeTruthy();
    expect(within(history).getByText('“Billing question”')).toBeTruthy();
    expect(within(history).getByText('Assigned to Alex Agent by Sam Supervisor')).toBeTruthy();
  });
});
