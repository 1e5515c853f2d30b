import { HttpTransportType, type HubConnection, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { ApiError, isChatEnded, WidgetApi } from './api';
import type { WidgetConfig } from './config';
import { applyStatus, escapeHtml, messageHtml, textColorOn, unreadCount, upsertMessage } from './render';
import { browserStorage, SessionStore } from './storage';
import { styles } from './styles';
import type { StartedSession, VisitorMessage, VisitorMessageStatus, WidgetSettings } from './types';

/** Until the server answers (or if it cannot be reached), the launcher still shows. */
const FALLBACK: WidgetSettings = { greeting: 'Hi! How can we help you today?', colors: { primary: '#3b5bdb', background: '#ffffff' } };

const MARKUP = `
<div class="root">
  <button type="button" class="launcher" aria-controls="panel" aria-expanded="false" aria-label="Open chat">
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>
    <span class="badge" aria-hidden="true" hidden></span>
  </button>
  <section class="panel" id="panel" role="dialog" aria-labelledby="title" hidden>
    <header>
      <h2 id="title">Chat with us</h2>
      <button type="button" class="end" hidden>End chat</button>
      <button type="button" class="close" aria-label="Close chat">&times;</button>
    </header>
    <ol class="messages" role="log" aria-live="polite" aria-label="Conversation"><li class="message agent"><div class="bubble greeting"></div></li></ol>
    <p class="error" role="alert"></p>
    <div class="confirm" role="group" aria-labelledby="confirm-question" hidden>
      <p id="confirm-question">End this chat? You can still read it, but not send more messages.</p>
      <button type="button" class="confirm-end">End chat</button>
      <button type="button" class="confirm-cancel">Keep chatting</button>
    </div>
    <div class="ended">
      <p class="ended-text" role="status"></p>
      <button type="button" class="restart" hidden>Start a new chat</button>
    </div>
    <form novalidate>
      <div class="intro">
        <p>Tell us who you are (optional), then write your message.</p>
        <label for="name">Your name</label>
        <input id="name" name="name" autocomplete="name" maxlength="100">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" maxlength="254">
      </div>
      <div class="composer">
        <label for="text" class="visually-hidden">Message</label>
        <textarea id="text" name="text" rows="2" maxlength="4000" placeholder="Type your message…"></textarea>
        <button type="submit" class="send">Send</button>
      </div>
    </form>
  </section>
</div>`;

/** The launcher and chat panel, in a shadow root of their own; talks to the widget API and listens on /hubs/widget. */
export class ChatWidget {
  private readonly store: SessionStore;
  private readonly api: WidgetApi;
  private readonly host = document.createElement('div');
  private readonly shadow = this.host.attachShadow({ mode: 'open' });
  private readonly nodes = new Map<number, HTMLLIElement>();
  private session: StartedSession | null;
  private messages: VisitorMessage[] = [];
  private hub: HubConnection | null = null;
  /** The visitor ended the session's chat (here, in another tab, or before this page loaded): read-only until a new one. */
  private ended = false;
  private confirming = false;

  constructor(private readonly config: WidgetConfig) {
    this.store = new SessionStore(browserStorage(), config.channelId);
    this.session = this.store.load();
    this.api = new WidgetApi(config.apiBase, config.channelId, () => this.session?.token ?? null);
    this.host.id = 'switchboard-chat';
    this.shadow.innerHTML = `<style>${styles}</style>${MARKUP}`;
  }

  mount(parent: HTMLElement): void {
    parent.append(this.host);
    this.part('.launcher').addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
    this.part('.close').addEventListener('click', () => this.close());
    this.part('.end').addEventListener('click', () => this.confirmEnd(true));
    this.part('.confirm-cancel').addEventListener('click', () => this.confirmEnd(false));
    this.part('.confirm-end').addEventListener('click', () => void this.end());
    this.part('.restart').addEventListener('click', () => this.restart());
    this.part('.panel').addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key !== 'Escape') return;
      if (this.confirming) this.confirmEnd(false);
      else this.close();
    });
    this.part('form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.send();
      }
    });
    document.addEventListener('visibilitychange', () => void this.markRead());
    if (this.session) {
      this.apply(this.session);
      void this.resume();
    } else {
      this.apply(FALLBACK);
      this.api.settings().then((settings) => this.apply(settings), () => undefined);
    }
  }

  private part<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.shadow.querySelector<T>(selector)!;
  }

  private get text(): HTMLTextAreaElement {
    return this.part<HTMLTextAreaElement>('#text');
  }

  private get isOpen(): boolean {
    return !this.part('.panel').hidden;
  }

  private apply(settings: WidgetSettings): void {
    this.host.style.setProperty('--sb-primary', settings.colors.primary);
    this.host.style.setProperty('--sb-on-primary', textColorOn(settings.colors.primary));
    this.host.style.setProperty('--sb-background', settings.colors.background);
    this.part('.greeting').textContent = settings.greeting;
    this.layout();
  }

  /** Shows the parts the chat's state calls for: the intro before a session, "End chat" while it is going, the composer
   * until it has ended and "Start a new chat" after. */
  private layout(): void {
    this.part('.intro').hidden = this.session !== null;
    this.part('form').hidden = this.ended;
    this.part('.end').hidden = !this.session || this.ended;
    this.part('.confirm').hidden = !this.confirming;
    this.part('.ended-text').textContent = this.ended ? 'This chat has ended.' : '';
    this.part('.restart').hidden = !this.ended;
  }

  private open(): void {
    this.part('.panel').hidden = false;
    this.part('.launcher').setAttribute('aria-expanded', 'true');
    this.updateBadge();
    this.scrollToEnd();
    (this.ended ? this.part('.restart') : this.session ? this.text : this.part<HTMLInputElement>('#name')).focus();
    void this.markRead();
  }

  private close(): void {
    this.part('.panel').hidden = true;
    this.part('.launcher').setAttribute('aria-expanded', 'false');
    this.updateBadge();
    this.part('.launcher').focus();
  }

  /** A returning visitor: the thread so far, then live updates unless the chat has ended. A session the server no longer
   * knows is forgotten. */
  private async resume(): Promise<void> {
    try {
      const thread = await this.api.thread();
      for (const message of thread.items) this.show(message);
      if (thread.endedAt) this.showEnded();
      else void this.connect();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.forget();
    }
  }

  private async send(): Promise<void> {
    const text = this.text.value.trim();
    const button = this.part<HTMLButtonElement>('.send');
    if (!text || button.disabled) return;
    button.disabled = true;
    this.showError('');
    try {
      if (!this.session) await this.start();
      const message = await this.api.send(text);
      this.text.value = '';
      this.show(message);
    } catch (error) {
      // Ended in another tab while this one missed the event: the text stays for a new chat.
      if (isChatEnded(error)) this.showEnded();
      else this.showError(this.describe(error));
    } finally {
      button.disabled = false;
      this.text.focus();
    }
  }

  private async start(): Promise<void> {
    const session = await this.api.startSession(this.part<HTMLInputElement>('#name').value.trim(), this.part<HTMLInputElement>('#email').value.trim());
    this.session = session;
    this.store.save(session);
    this.apply(session);
    void this.connect();
  }

  private describe(error: unknown): string {
    if (!(error instanceof ApiError)) return 'The message could not be sent. Check your connection and try again.';
    switch (error.status) {
      case 401:
        this.forget();
        return 'This chat is no longer available. Send your message again to start a new one.';
      case 429:
        return `You are sending messages too quickly. Please wait ${error.retryAfter ?? 60} seconds.`;
      case 400:
        return error.message;
      default:
        return 'The message could not be sent. Please try again.';
    }
  }

  private forget(): void {
    this.disconnect();
    this.session = null;
    this.ended = false;
    this.store.clear();
    this.messages = [];
    this.nodes.forEach((node) => node.remove());
    this.nodes.clear();
    this.layout();
    this.updateBadge();
  }

  /** Asks before ending the chat, so a stray click does not end it; focus goes to the question's safe answer and back. */
  private confirmEnd(asking: boolean): void {
    this.confirming = asking;
    this.layout();
    this.part(asking ? '.confirm-cancel' : '.end').focus();
  }

  private async end(): Promise<void> {
    const button = this.part<HTMLButtonElement>('.confirm-end');
    if (button.disabled) return;
    button.disabled = true;
    this.showError('');
    try {
      await this.api.end();
      this.showEnded();
    } catch {
      this.confirmEnd(false);
      this.showError('The chat could not be ended. Please try again.');
    } finally {
      button.disabled = false;
    }
  }

  /** The chat has ended: the thread stays readable and the composer gives way to "Start a new chat" (focused when focus
   * was in a part that goes away). No more events will come, so the hub connection closes. */
  private showEnded(): void {
    if (this.ended) return; // this tab's own end is also announced on the hub
    const active = this.shadow.activeElement;
    const focusLost = ['form', '.confirm', '.end'].some((part) => this.part(part).contains(active));
    this.ended = true;
    this.confirming = false;
    this.disconnect();
    this.layout();
    if (focusLost) this.part('.restart').focus();
  }

  /** A new chat, as for a first visit: it starts with the visitor's first message. */
  private restart(): void {
    this.forget();
    this.part('#name').focus();
  }

  private disconnect(): void {
    void this.hub?.stop();
    this.hub = null;
  }

  /** WebSockets straight away (no negotiation request, so nothing cross-origin but the socket), reconnecting forever. */
  private async connect(): Promise<void> {
    if (!this.session || this.hub) return;
    const hub = new HubConnectionBuilder()
      .withUrl(`${this.config.apiBase}/hubs/widget`, {
        accessTokenFactory: () => this.session?.token ?? '',
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
      })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (retry) => Math.min(30_000, 1_000 * 2 ** retry.previousRetryCount) })
      .configureLogging(LogLevel.None)
      .build();
    hub.on('message', (message: VisitorMessage) => this.show(message));
    hub.on('messageStatus', (update: VisitorMessageStatus) => {
      this.messages = applyStatus(this.messages, update);
      this.updateBadge();
    });
    hub.on('chatEnded', () => this.showEnded());
    // Events sent while the connection was down are not replayed: read the thread again.
    hub.onreconnected(() => void this.resume());
    // The server missed events for a while (its database listener reconnected): catch up as after a reconnect.
    hub.on('resync', () => void this.resume());
    this.hub = hub;
    try {
      await hub.start();
    } catch {
      this.hub = null; // the chat still works by request; the next page load tries again
    }
  }

  /** Adds or updates a message in the list; a new agent message is acknowledged as read (panel open) or delivered. */
  private show(message: VisitorMessage): void {
    const known = this.nodes.get(message.id);
    this.messages = upsertMessage(this.messages, message);
    const node = known ?? document.createElement('li');
    node.className = `message ${message.senderType}`;
    node.innerHTML = this.messageMarkup(message);
    if (!known) {
      const next = this.messages[this.messages.findIndex((m) => m.id === message.id) + 1];
      this.part('.messages').insertBefore(node, next ? this.nodes.get(next.id) ?? null : null);
      this.nodes.set(message.id, node);
      this.scrollToEnd();
      if (message.senderType === 'agent' && message.status !== 'read') {
        if (this.isOpen && document.visibilityState === 'visible') void this.markRead();
        else void this.hub?.invoke('Delivered', message.id).catch(() => undefined);
      }
    }
    this.updateBadge();
  }

  private messageMarkup(message: VisitorMessage): string {
    const who = message.senderType === 'agent'
      ? `<span class="who">${escapeHtml(message.agentName ?? 'Support')}</span>`
      : '<span class="visually-hidden">You:</span>';
    const files = message.attachments
      .filter((a) => a.url)
      .map((a) => `<div><a href="${escapeHtml(a.url!)}" target="_blank" rel="noopener noreferrer">${escapeHtml(a.filename ?? a.type)}</a></div>`)
      .join('');
    const at = new Date(message.createdAt);
    const time = `<time datetime="${escapeHtml(message.createdAt)}">${escapeHtml(at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }))}</time>`;
    return `${who}<div class="bubble">${message.text ? messageHtml(message.text) : ''}${files}</div><span class="meta">${time}</span>`;
  }

  private async markRead(): Promise<void> {
    if (!this.session || !this.isOpen || document.visibilityState !== 'visible' || unreadCount(this.messages) === 0) return;
    try {
      await this.api.read();
      this.messages = this.messages.map((m) => (m.senderType === 'agent' ? { ...m, status: 'read' } : m));
      this.updateBadge();
    } catch {
      // tried again with the next message or the next opening
    }
  }

  private updateBadge(): void {
    const unread = this.isOpen ? 0 : unreadCount(this.messages);
    const badge = this.part('.badge');
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    this.part('.launcher').setAttribute('aria-label', this.isOpen
      ? 'Close chat'
      : unread > 0 ? `Open chat, ${unread} unread ${unread === 1 ? 'message' : 'messages'}` : 'Open chat');
  }

  private scrollToEnd(): void {
    const list = this.part('.messages');
    list.scrollTop = list.scrollHeight;
  }

  private showError(text: string): void {
    this.part('.error').textContent = text;
  }
}
