import type { ConversationCounts, ConversationSummary, Message, MessageTemplate, Session } from '../api';

export const AGENT_PERMISSIONS = ['conversations.read', 'conversations.reply', 'contacts.read', 'users.read', 'departments.read', 'channels.read'];

export const sessionWith = (permissions: string[], role = 'agent'): Session => ({
  user: { id: 7, name: 'Alex Agent', email: 'alex@acme.test', isSuperAdmin: false },
  tenant: { id: 1, name: 'Acme', slug: 'acme' },
  role,
  permissions,
  tenants: [{ id: 1, name: 'Acme', slug: 'acme', role }],
});

export const counts = (c: Partial<ConversationCounts> = {}): ConversationCounts => ({ new: 0, open: 0, pending: 0, snoozed: 0, resolved: 0, archived: 0, ...c });

export function conversation(id: number, overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id,
    status: 'open',
    priority: 'normal',
    contact: { id: 100 + id, name: `Customer ${id}`, phone: `+1555000000${id}`, email: null },
    channel: { id: 3, name: 'Support SMS', type: 'twilio_sms' },
    assignedTo: null,
    departmentId: null,
    // Newest activity first, as the server lists them: a lower id is newer.
    lastMessageAt: `2026-03-01T${String(20 - Math.min(id, 20)).padStart(2, '0')}:00:00Z`,
    lastMessagePreview: `Hello from ${id}`,
    unreadCount: 0,
    messageCount: 1,
    tags: [],
    windowExpiresAt: null,
    snoozedUntil: null,
    firstResponseAt: null,
    resolvedAt: null,
    createdAt: '2026-03-01T09:00:00Z',
    sla: null,
    chatEndedAt: null,
    ...overrides,
  };
}

export function message(id: number, overrides: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 1,
    direction: 'inbound',
    type: 'text',
    text: `Message ${id}`,
    isTemplate: false,
    template: null,
    senderType: 'customer',
    agent: null,
    status: 'delivered',
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    errorCode: null,
    errorMessage: null,
    attachments: [],
    createdAt: `2026-03-01T10:0${id % 10}:00Z`,
    ...overrides,
  };
}

export function template(id: number, overrides: Partial<MessageTemplate> = {}): MessageTemplate {
  return {
    id,
    channelId: 9,
    name: `template_${id}`,
    language: 'en',
    category: 'utility',
    status: 'approved',
    body: 'Hi {{1}}, your order {{2}} is ready.',
    parameterCount: 2,
    providerTemplateId: null,
    ...overrides,
  };
}
