/** The widget API's shapes (docs/providers.md, web chat). */

export interface Colors {
  primary: string;
  background: string;
}

export interface WidgetSettings {
  greeting: string;
  colors: Colors;
}

export interface StartedSession extends WidgetSettings {
  sessionId: number;
  token: string;
}

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface VisitorAttachment {
  type: string;
  mimeType: string | null;
  filename: string | null;
  url: string | null;
}

export interface VisitorMessage {
  id: number;
  senderType: 'customer' | 'agent';
  agentName: string | null;
  type: string;
  text: string | null;
  attachments: VisitorAttachment[];
  status: MessageStatus;
  createdAt: string;
}

export interface VisitorMessageStatus {
  messageId: number;
  status: MessageStatus;
}

/** The thread so far; `endedAt` is set once the visitor ended the chat (it can be read, not written to). */
export interface VisitorThread {
  items: VisitorMessage[];
  endedAt: string | null;
}
