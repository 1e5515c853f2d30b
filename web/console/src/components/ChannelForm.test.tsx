import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type MessagingChannel } from '../api';
import { CHANNEL_TYPES, settingsForUpdate, toFormValues } from '../lib/channelTypes';
import { ChannelForm, SECRET_SET_PLACEHOLDER } from './ChannelForm';

const departments = [
  { id: 1, name: 'Sales' },
  { id: 2, name: 'Support' },
] as never[];

const whatsapp: MessagingChannel = {
  id: 7,
  type: 'whatsapp',
  name: 'Support WhatsApp',
  status: 'active',
  settings: { phoneNumberId: '106540352242922', businessAccountId: '419561257915477', displayPhoneNumber: '+15551234567' },
  secretsSet: ['accessToken', 'appSecret', 'verifyToken'],
  webhookUrls: { inbound: 'https://sb.example.com/webhooks/whatsapp/7' },
  departmentIds: [2],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const labelsOf = () =>
  Array.from(document.querySelectorAll<HTMLLabelElement>('fieldset.form-section label')).map((l) => l.textContent);

function chooseType(label: string) {
  fireEvent.click(screen.getByRole('radio', { name: label }));
}

describe('ChannelForm: connecting a channel', () => {
  it('asks for the type first, then shows that type’s fields, secrets as password inputs', () => {
    render(<ChannelForm channel={null} departments={departments} onSubmit={vi.fn()} />);
    const group = screen.getByRole('radiogroup', { name: 'Channel type' });
    expect(within(group).getAllByRole('radio').map((r) => r.getAttribute('value'))).toEqual(CHANNEL_TYPES.map((t) => t.type));
    expect(screen.queryByLabelText('Name')).toBeNull();
    expect((screen.getByRole('button', { name: 'Connect channel' }) as HTMLButtonElement).disabled).toBe(true);

    chooseType('WhatsApp Cloud API');
    expect(labelsOf()).toEqual([
      'Name',
      'Phone number ID',
      'Business account ID',
      'Display phone number',
      'Access token',
      'App secret',
      'Verify token',
      'API base URL (optional)',
      'Sales',
      'Support',
    ]);
    for (const secret of ['Access token', 'App secret', 'Verify token']) expect(input(secret).type).toBe('password');
    expect(input('Phone number ID').type).toBe('text');

    chooseType('Twilio SMS');
    expect(screen.queryByLabelText('Phone number ID')).toBeNull();
    for (const label of ['Account SID', 'Auth token', 'From number', 'Messaging service SID']) expect(screen.getByLabelText(label)).toBeTruthy();
    expect(input('Auth token').type).toBe('password');

    chooseType('Web chat');
    expect(screen.getByLabelText('Allowed origins').tagName).toBe('TEXTAREA');
    for (const label of ['Greeting', 'Primary colour', 'Background colour']) expect(screen.getByLabelText(label)).toBeTruthy();
  });

  it('shows the email provider’s own fields for the chosen inbound provider', () => {
    render(<ChannelForm channel={null} departments={departments} onSubmit={vi.fn()} />);
    chooseType('Email');
    for (const label of ['SMTP host', 'SMTP port', 'Use TLS', 'SMTP user', 'SMTP password', 'From address', 'Inbound provider'])
      expect(screen.getByLabelText(label)).toBeTruthy();
    expect(input('SMTP password').type).toBe('password');
    expect(input('Mailgun signing key').type).toBe('password');
    expect(screen.queryByLabelText('Postmark user')).toBeNull();

    fireEvent.change(screen.getByLabelText('Inbound provider'), { target: { value: 'postmark' } });
    expect(screen.queryByLabelText('Mailgun signing key')).toBeNull();
    expect(screen.getByLabelText('Postmark user')).toBeTruthy();
    expect(input('Postmark password').type).toBe('password');
  });

  it('sends the settings in the API’s shapes and puts settings.<name> errors next to their inputs', async () => {
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError({
        status: 400,
        title: 'One or more validation errors occurred.',
        errors: {
          'settings.allowedOrigins': ['each origin must be scheme://host[:port] with no path.'],
          'settings.primaryColor': ['must be a hex colour such as #3b5bdb.'],
          'settings.somethingElse': ['is not a setting of a webchat channel.'],
        },
      }),
    );
    render(<ChannelForm channel={null} departments={departments} onSubmit={onSubmit} />);
    chooseType('Web chat');
    fireEvent.change(input('Name'), { target: { value: ' Website ' } });
    fireEvent.change(screen.getByLabelText('Allowed origins'), { target: { value: 'https://www.example.com\n\n https://example.com/path ' } });
    fireEvent.change(input('Primary colour'), { target: { value: 'blue' } });
    fireEvent.click(screen.getByLabelText('Support'));
    fireEvent.click(screen.getByRole('button', { name: 'Connect channel' }));

    await screen.findByText('each origin must be scheme://host[:port] with no path.');
    expect(onSubmit).toHaveBeenCalledWith({
      type: 'webchat',
      name: 'Website',
      settings: { allowedOrigins: ['https://www.example.com', 'https://example.com/path'], primaryColor: 'blue' },
      departmentIds: [2],
    });
    const origins = screen.getByLabelText('Allowed origins');
    expect(origins.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(origins.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent).toMatch(/each origin/);
    expect(input('Primary colour').getAttribute('aria-invalid')).toBe('true');
    expect(input('Greeting').getAttribute('aria-invalid')).toBeNull();
    // An error for no field on the form is listed at the top.
    expect(within(screen.getByRole('alert')).getByText(/somethingelse: is not a setting/)).toBeTruthy();
  });

  it('sends email ports as numbers and TLS as a boolean', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<ChannelForm channel={null} departments={[]} onSubmit={onSubmit} />);
    chooseType('Email');
    fireEvent.change(input('Name'), { target: { value: 'Mail' } });
    fireEvent.change(input('SMTP host'), { target: { value: 'smtp.example.com' } });
    fireEvent.change(input('SMTP port'), { target: { value: '587' } });
    fireEvent.change(input('From address'), { target: { value: 'help@example.com' } });
    fireEvent.change(input('Mailgun signing key'), { target: { value: 'key-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect channel' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(onSubmit.mock.calls[0][0].settings).toEqual({
      smtpHost: 'smtp.example.com',
      smtpPort: 587,
      smtpTls: true,
      fromAddress: 'help@example.com',
      inboundProvider: 'mailgun',
      mailgunSigningKey: 'key-1',
    });
  });
});

describe('ChannelForm: editing a channel', () => {
  it('shows set secrets as empty with a placeholder and leaves untouched secrets out of the PATCH', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<ChannelForm channel={whatsapp} departments={departments} onSubmit={onSubmit} />);
    expect(screen.queryByRole('radiogroup')).toBeNull();
    expect(input('Phone number ID').value).toBe('106540352242922');
    for (const secret of ['Access token', 'App secret', 'Verify token']) {
      expect(input(secret).value).toBe('');
      expect(input(secret).placeholder).toBe(SECRET_SET_PLACEHOLDER);
      expect(input(secret).required).toBe(false);
    }
    expect(input('Support').checked).toBe(true);

    fireEvent.change(input('Display phone number'), { target: { value: '+15557654321' } });
    fireEvent.change(input('App secret'), { target: { value: 'new-app-secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save channel' }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({ settings: { displayPhoneNumber: '+15557654321', appSecret: 'new-app-secret' } });
  });

  it('sends null for a cleared optional setting, and the name and departments only when changed', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<ChannelForm channel={whatsapp} departments={departments} onSubmit={onSubmit} />);
    fireEvent.change(input('Display phone number'), { target: { value: '' } });
    fireEvent.change(input('Name'), { target: { value: 'WhatsApp' } });
    fireEvent.click(input('Sales'));
    fireEvent.click(screen.getByRole('button', { name: 'Save channel' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({ name: 'WhatsApp', settings: { displayPhoneNumber: null }, departmentIds: [2, 1] });
  });

  it('is read-only without channels.manage', () => {
    render(<ChannelForm channel={whatsapp} departments={departments} readOnly onSubmit={vi.fn()} />);
    expect(input('Phone number ID').closest('fieldset')!.disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save channel' })).toBeNull();
  });
});

describe('settingsForUpdate', () => {
  it('is undefined when nothing changed', () => {
    expect(settingsForUpdate('whatsapp', whatsapp.settings, toFormValues('whatsapp', whatsapp.settings))).toBeUndefined();
    const webchat = { allowedOrigins: ['https://a.example'], greeting: 'Hi' };
    expect(settingsForUpdate('webchat', webchat, toFormValues('webchat', webchat))).toBeUndefined();
  });
});
