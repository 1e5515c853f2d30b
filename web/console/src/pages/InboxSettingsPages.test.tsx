import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../App';
import { api, type CannedResponse, type ConversationTag } from '../api';
import { SessionProvider } from '../session';
import { sessionWith } from '../test/inboxFixtures';

const MANAGER = ['conversations.read', 'conversations.reply', 'conversations.manage'];
const AGENT = ['conversations.read', 'conversations.reply'];

function renderAt(path: string, permissions: string[]) {
  vi.spyOn(api, 'getSession').mockResolvedValue(sessionWith(permissions, permissions.includes('conversations.manage') ? 'supervisor' : 'agent'));
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </MemoryRouter>,
  );
}

const vip: ConversationTag = { id: 5, name: 'VIP', color: '#c62828', description: 'Our best customers' };
const shared: CannedResponse = { id: 1, title: 'Opening hours', shortcut: 'hours', content: 'We are open 9–17.', category: 'General', isShared: true, ownerId: null, usageCount: 12 };
const mine: CannedResponse = { id: 2, title: 'My sign-off', shortcut: 'bye', content: 'Have a nice day! — Alex', category: null, isShared: false, ownerId: 7, usageCount: 1 };

beforeEach(() => {
  vi.spyOn(api, 'getSetup').mockResolvedValue({ required: false });
  vi.spyOn(api, 'onUnauthorized').mockImplementation(() => {});
});

describe('ConversationTagsPage', () => {
  it('lists tags as chips, creates, edits and deletes them, linked from the admin nav for managers', async () => {
    vi.spyOn(api, 'listConversationTags').mockResolvedValue({ items: [vip] });
    const create = vi.spyOn(api, 'createConversationTag').mockResolvedValue({ id: 6, name: 'Billing', color: '#1d5fa8', description: null });
    const update = vi.spyOn(api, 'updateConversationTag').mockResolvedValue({ ...vip, name: 'VIP customer' });
    const del = vi.spyOn(api, 'deleteConversationTag').mockResolvedValue(undefined);
    renderAt('/conversation-tags', MANAGER);
    await screen.findByRole('heading', { level: 1, name: 'Conversation tags' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Tags' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Canned responses' })).toBeTruthy();
    expect(await screen.findByText('Our best customers')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'New tag' }));
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: 'Billing' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use #1d5fa8' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create tag' }));
    await screen.findByText('Billing was created.');
    expect(create).toHaveBeenCalledWith({ name: 'Billing', color: '#1d5fa8', description: null });

    fireEvent.click(screen.getByRole('button', { name: 'Edit VIP' }));
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: 'VIP customer' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save tag' }));
    await screen.findByText('VIP customer was saved.');
    expect(update).toHaveBeenCalledWith(5, { name: 'VIP customer', color: '#c62828', description: 'Our best customers' });

    fireEvent.click(screen.getByRole('button', { name: 'Delete VIP customer' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete tag' }));
    await screen.findByText('VIP customer was deleted.');
    expect(del).toHaveBeenCalledWith(5);
  });

  it('explains tags when there are none, and is not offered to agents', async () => {
    vi.spyOn(api, 'listConversationTags').mockResolvedValue({ items: [] });
    renderAt('/conversation-tags', MANAGER);
    await screen.findByText('No tags yet');
    expect(screen.getByRole('button', { name: 'Create a tag' })).toBeTruthy();
  });

  it('is forbidden without conversations.manage', async () => {
    renderAt('/conversation-tags', AGENT);
    await screen.findByText('You do not have access');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Tags' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Canned responses' })).toBeNull();
  });
});

describe('CannedResponsesPage', () => {
  it('lets an agent keep personal responses: only their own are editable, and new ones are never shared', async () => {
    vi.spyOn(api, 'listCannedResponses').mockResolvedValue({ items: [shared, mine] });
    const create = vi.spyOn(api, 'createCannedResponse').mockResolvedValue({ ...mine, id: 3, title: 'Refunds', shortcut: 'refund', content: 'Refunds take 5 days.' });
    renderAt('/canned-responses', AGENT);
    await screen.findByRole('rowheader', { name: 'Opening hours' });
    const rowOf = (title: string) => screen.getByRole('rowheader', { name: title }).closest('tr')!;
    expect(within(rowOf('Opening hours')).getByText('/hours')).toBeTruthy();
    expect(within(rowOf('Opening hours')).getByText('Shared')).toBeTruthy();
    expect(within(rowOf('Opening hours')).queryByRole('button', { name: /Edit/ })).toBeNull();
    expect(within(rowOf('My sign-off')).getByRole('button', { name: 'Edit My sign-off' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'New response' }));
    fireEvent.change(await screen.findByLabelText(/^Title/), { target: { value: 'Refunds' } });
    fireEvent.change(screen.getByLabelText(/^Shortcut/), { target: { value: '/refund' } });
    fireEvent.change(screen.getByLabelText(/^Content/), { target: { value: 'Refunds take 5 days.' } });
    expect(screen.getByText('This response will be personal: only you will see it.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create response' }));
    await screen.findByText('Refunds was created.');
    expect(create).toHaveBeenCalledWith({ title: 'Refunds', shortcut: 'refund', content: 'Refunds take 5 days.', category: null });
  });

  it('lets managers share responses and searches on the server', async () => {
    const list = vi.spyOn(api, 'listCannedResponses').mockResolvedValue({ items: [shared] });
    const update = vi.spyOn(api, 'updateCannedResponse').mockResolvedValue({ ...shared, isShared: false });
    renderAt('/canned-responses', MANAGER);
    await screen.findByRole('rowheader', { name: 'Opening hours' });
    fireEvent.click(screen.getByRole('button', { name: 'Edit Opening hours' }));
    const box = (await screen.findByLabelText('Shared with the whole team')) as HTMLInputElement;
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    fireEvent.click(screen.getByRole('button', { name: 'Save response' }));
    await screen.findByText('Opening hours was saved.');
    expect(update).toHaveBeenCalledWith(1, { title: 'Opening hours', shortcut: 'hours', content: 'We are open 9–17.', category: 'General', isShared: false });

    fireEvent.change(screen.getByLabelText('Search responses'), { target: { value: 'hours' } });
    await waitFor(() => expect(list).toHaveBeenLastCalledWith('hours'));
  });
});
