import type { ChannelSettingValue, ChannelType } from '../api';

/*
 * What each channel type's `settings` hold, for the console: one table that drives the form, the conversions to and from the
 * API, and the webhook hints. Mirrors src/Switchboard.Server/Channels/ChannelSettings.cs (the server validates).
 */

/** How a setting is edited and sent: text-like kinds as strings, `port` as a number, `bool` as a boolean, `origins` as a list. */
export type SettingKind = 'text' | 'secret' | 'phone' | 'email' | 'url' | 'port' | 'bool' | 'origins' | 'color' | 'select';

/** The form's value of a setting: checkboxes hold booleans, everything else the text being typed (origins one per line). */
export type SettingFormValue = string | boolean;
export type SettingFormValues = Record<string, SettingFormValue>;

export interface SettingDef {
  name: string;
  label: string;
  kind: SettingKind;
  required?: boolean;
  hint?: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
  /** Shown (and sent) only when this holds for the other values, e.g. Mailgun's key only for Mailgun inbound mail. */
  showIf?: (values: SettingFormValues) => boolean;
}

export interface ChannelTypeDef {
  type: ChannelType;
  label: string;
  description: string;
  settings: SettingDef[];
  /** Where each of `webhookUrls` goes, by key. */
  webhooks: Record<string, { label: string; hint: string }>;
}

const apiBaseUrl: SettingDef = {
  name: 'apiBaseUrl',
  label: 'API base URL (optional)',
  kind: 'url',
  hint: 'Only to point the channel at a different provider endpoint (a proxy or a test server).',
};

const twilioSettings: SettingDef[] = [
  { name: 'accountSid', label: 'Account SID', kind: 'text', required: true, placeholder: 'AC…', hint: 'AC followed by 32 hex digits.' },
  { name: 'authToken', label: 'Auth token', kind: 'secret', required: true },
  { name: 'fromNumber', label: 'From number', kind: 'phone', placeholder: '+15551234567', hint: 'A From number or a Messaging service SID is required.' },
  { name: 'messagingServiceSid', label: 'Messaging service SID', kind: 'text', placeholder: 'MG…', hint: 'MG followed by 32 hex digits.' },
  apiBaseUrl,
];

const twilioWebhooks = {
  inbound: { label: 'Messaging webhook', hint: 'Twilio console → phone number → Messaging webhook' },
  statusCallback: { label: 'Status callback', hint: 'Twilio console → phone number → Messaging webhook (status callback URL)' },
};

const provider = (values: SettingFormValues) => values.inboundProvider;

export const CHANNEL_TYPES: ChannelTypeDef[] = [
  {
    type: 'whatsapp',
    label: 'WhatsApp Cloud API',
    description: 'A WhatsApp Business number through Meta’s Cloud API.',
    settings: [
      { name: 'phoneNumberId', label: 'Phone number ID', kind: 'text', required: true, hint: 'The numeric ID Meta shows under WhatsApp → API Setup.' },
      { name: 'businessAccountId', label: 'Business account ID', kind: 'text', required: true, hint: 'The numeric WhatsApp Business Account ID.' },
      { name: 'displayPhoneNumber', label: 'Display phone number', kind: 'phone', placeholder: '+15551234567' },
      { name: 'accessToken', label: 'Access token', kind: 'secret', required: true },
      { name: 'appSecret', label: 'App secret', kind: 'secret', required: true, hint: 'Used to check the signature of Meta’s webhooks.' },
      { name: 'verifyToken', label: 'Verify token', kind: 'secret', required: true, hint: 'Any text; enter the same in Meta’s webhook configuration.' },
      apiBaseUrl,
    ],
    webhooks: { inbound: { label: 'Callback URL', hint: 'Paste this into Meta’s App Dashboard → WhatsApp → Configuration → Callback URL' } },
  },
  {
    type: 'twilio_sms',
    label: 'Twilio SMS',
    description: 'Text messages through a Twilio number or Messaging Service.',
    settings: twilioSettings,
    webhooks: twilioWebhooks,
  },
  {
    type: 'twilio_whatsapp',
    label: 'Twilio WhatsApp',
    description: 'WhatsApp messages through a Twilio WhatsApp sender.',
    settings: twilioSettings,
    webhooks: twilioWebhooks,
  },
  {
    type: 'email',
    label: 'Email',
    description: 'Send through SMTP, receive through Mailgun or Postmark.',
    settings: [
      { name: 'smtpHost', label: 'SMTP host', kind: 'text', required: true, placeholder: 'smtp.example.com' },
      { name: 'smtpPort', label: 'SMTP port', kind: 'port', required: true, placeholder: '587' },
      { name: 'smtpTls', label: 'Use TLS', kind: 'bool' },
      { name: 'smtpUser', label: 'SMTP user', kind: 'text' },
      { name: 'smtpPassword', label: 'SMTP password', kind: 'secret' },
      { name: 'fromAddress', label: 'From address', kind: 'email', required: true, placeholder: 'support@example.com' },
      {
        name: 'inboundProvider',
        label: 'Inbound provider',
        kind: 'select',
        required: true,
        options: [
          { value: 'mailgun', label: 'Mailgun' },
          { value: 'postmark', label: 'Postmark' },
        ],
      },
      { name: 'mailgunSigningKey', label: 'Mailgun signing key', kind: 'secret', required: true, showIf: (v) => provider(v) === 'mailgun' },
      { name: 'postmarkUser', label: 'Postmark user', kind: 'text', required: true, showIf: (v) => provider(v) === 'postmark' },
      { name: 'postmarkPassword', label: 'Postmark password', kind: 'secret', required: true, showIf: (v) => provider(v) === 'postmark' },
      apiBaseUrl,
    ],
    webhooks: { inbound: { label: 'Inbound webhook', hint: 'Mailgun route / Postmark inbound webhook' } },
  },
  {
    type: 'webchat',
    label: 'Web chat',
    description: 'A chat widget on your website.',
    settings: [
      {
        name: 'allowedOrigins',
        label: 'Allowed origins',
        kind: 'origins',
        required: true,
        placeholder: 'https://www.example.com',
        hint: 'One per line: the sites that may embed the widget, as scheme://host[:port].',
      },
      { name: 'greeting', label: 'Greeting', kind: 'text', placeholder: 'Hi! How can we help?' },
      { name: 'primaryColor', label: 'Primary colour', kind: 'color', placeholder: '#3b5bdb' },
      { name: 'backgroundColor', label: 'Background colour', kind: 'color', placeholder: '#ffffff' },
      apiBaseUrl,
    ],
    webhooks: { widget: { label: 'Widget URL', hint: 'Embed the widget with this URL' } },
  },
];

export function channelTypeDef(type: ChannelType): ChannelTypeDef {
  return CHANNEL_TYPES.find((d) => d.type === type) ?? CHANNEL_TYPES[CHANNEL_TYPES.length - 1];
}

export function channelTypeLabel(type: string): string {
  return CHANNEL_TYPES.find((d) => d.type === type)?.label ?? type;
}

/** The settings shown for these values (conditional ones only when they apply). */
export function visibleSettings(type: ChannelType, values: SettingFormValues): SettingDef[] {
  return channelTypeDef(type).settings.filter((s) => !s.showIf || s.showIf(values));
}

/** Form values for a type: a channel's plain settings (secrets always start empty), or the defaults of a new channel. */
export function toFormValues(type: ChannelType, settings: Record<string, ChannelSettingValue> = {}, isNew = false): SettingFormValues {
  const values: SettingFormValues = {};
  for (const def of channelTypeDef(type).settings) {
    const current = settings[def.name];
    if (def.kind === 'bool') values[def.name] = current === undefined ? isNew : current === true;
    else if (def.kind === 'secret' || current === undefined) values[def.name] = def.kind === 'select' && isNew ? (def.options?.[0]?.value ?? '') : '';
    else if (Array.isArray(current)) values[def.name] = current.join('\n');
    else values[def.name] = String(current);
  }
  return values;
}

/** A form value as the API wants it, or null when the field is empty. */
function toSettingValue(def: SettingDef, value: SettingFormValue | undefined): ChannelSettingValue | null {
  if (def.kind === 'bool') return value === true;
  const text = typeof value === 'string' ? value.trim() : '';
  if (def.kind === 'origins') {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    return lines.length ? lines : null;
  }
  if (text === '') return null;
  if (def.kind === 'port') return /^\d+$/.test(text) ? Number(text) : text;
  return def.kind === 'secret' && typeof value === 'string' ? value : text;
}

/** The `settings` of a new channel: every filled-in visible field. */
export function settingsForCreate(type: ChannelType, values: SettingFormValues): Record<string, ChannelSettingValue> {
  const out: Record<string, ChannelSettingValue> = {};
  for (const def of visibleSettings(type, values)) {
    const v = toSettingValue(def, values[def.name]);
    if (v !== null) out[def.name] = v;
  }
  return out;
}

/**
 * The `settings` of a PATCH: plain settings that changed (null removes one that was cleared) and the secrets the user typed.
 * Secrets left empty are omitted, so the server keeps them. Returns undefined when nothing changed.
 */
export function settingsForUpdate(
  type: ChannelType,
  original: Record<string, ChannelSettingValue>,
  values: SettingFormValues,
): Record<string, ChannelSettingValue | null> | undefined {
  const out: Record<string, ChannelSettingValue | null> = {};
  for (const def of visibleSettings(type, values)) {
    const v = toSettingValue(def, values[def.name]);
    if (def.kind === 'secret') {
      if (v !== null) out[def.name] = v;
      continue;
    }
    const before = original[def.name];
    if (def.kind === 'bool' ? v !== (before === true) : JSON.stringify(v) !== JSON.stringify(before ?? null)) {
      if (v !== null || before !== undefined) out[def.name] = v;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** Field paths the form shows errors for, so FieldErrors.unmatched() can list the rest at the top. */
export function settingErrorKey(name: string): string {
  return `settings.${name}`;
}
