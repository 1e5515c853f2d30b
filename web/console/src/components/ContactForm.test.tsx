import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type Contact, type ContactInput } from '../api';
import { ContactForm, toContactInput, toFormState } from './ContactForm';

const contact: Contact = {
  id: 1,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+447700900123',
  extraPhones: ['+447700900124'],
  waId: '447700900123',
  tags: ['vip', 'beta'],
  optIns: { whatsapp: { optedIn: true, at: '2026-01-01T00:00:00Z', source: 'web form' }, sms: null, email: null },
  customAttributes: { plan: 'gold' },
  banking: null,
  assignedToId: 3,
  departmentIds: [2],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-02T00:00:00Z',
};

function renderForm(onSubmit: (input: ContactInput) => Promise<void>, c: Contact | null = contact) {
  return render(
    <MemoryRouter>
      <ContactForm
        contact={c}
        users={[{ id: 3, name: 'Grace', email: 'g@example.com' } as never]}
        departments={[{ id: 2, name: 'Sales' } as never]}
        canBanking
        canWrite
        onSubmit={onSubmit}
      />
    </MemoryRouter>,
  );
}

function submit() {
  fireEvent.click(screen.getByRole('button', { name: 'Save contact' }));
}

describe('ContactForm field errors', () => {
  it('shows server field errors next to the matching inputs and the detail at the top', async () => {
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError({
        status: 400,
        title: 'One or more validation errors occurred.',
        detail: 'Some fields are invalid.',
        errors: {
          Email: ['Enter a valid email address.'],
          phone: ['Use E.164 format, e.g. +15551234567.'],
          'banking.iban': ['IBAN checksum is wrong.'],
          somethingElse: ['Server-side rule failed.'],
        },
      }),
    );
    renderForm(onSubmit);
    submit();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Some fields are invalid.');
    // Errors that match no field are not lost.
    expect(alert.textContent).toContain('Server-side rule failed.');

    const email = screen.getByLabelText('Email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    const emailErrorId = email.getAttribute('aria-describedby')!.split(' ').find((id) => id.endsWith('-error'))!;
    expect(document.getElementById(emailErrorId)!.textContent).toBe('Enter a valid email address.');

    const phone = screen.getByLabelText('Phone');
    expect(phone.getAttribute('aria-invalid')).toBe('true');
    expect(phone.getAttribute('aria-describedby')).toContain('contact-phone-hint');
    expect(document.getElementById('contact-phone-error')!.textContent).toBe('Use E.164 format, e.g. +15551234567.');

    expect(screen.getByLabelText('IBAN').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('IBAN checksum is wrong.')).toBeTruthy();

    // Untouched fields stay clean.
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByLabelText('Tags').getAttribute('aria-describedby')).toBe('contact-tags-hint');
  });

  it('clears previous errors on a successful resubmit', async () => {
    const onSubmit = vi
      .fn()
      .mockRejectedValueOnce(new ApiError({ status: 400, title: 'Invalid', errors: { name: ['Too long.'] } }))
      .mockResolvedValueOnce(undefined);
    renderForm(onSubmit);
    submit();
    await screen.findByText('Too long.');
    submit();
    await waitFor(() => expect(screen.queryByText('Too long.')).toBeNull());
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBeNull();
  });

  it('explains a duplicate (409) with a link to the existing contact', async () => {
    const onSubmit = vi.fn().mockRejectedValue(new ApiError({ status: 409, title: 'Conflict', detail: 'Phone already used.', existingId: 42 }));
    renderForm(onSubmit, null);
    fireEvent.change(screen.getByLabelText('Phone'), { target: { value: '+15551234567' } });
    submit();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('A contact with this phone/email already exists');
    const link = screen.getByRole('link', { name: /existing contact/i });
    expect(link.getAttribute('href')).toBe('/contacts/42');
  });

  it('validates locally that a contact has a name, email or phone', async () => {
    const onSubmit = vi.fn();
    renderForm(onSubmit, null);
    submit();
    expect(await screen.findByText('Enter at least a name, an email or a phone number.')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

describe('ContactForm payload', () => {
  it('submits lists, opt-ins, attributes and ids in the API shape', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    renderForm(onSubmit);
    fireEvent.change(screen.getByLabelText('Tags'), { target: { value: 'vip, , new ' } });
    submit();
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const input = onSubmit.mock.calls[0][0] as ContactInput;
    expect(input.tags).toEqual(['vip', 'new']);
    expect(input.extraPhones).toEqual(['+447700900124']);
    expect(input.optIns).toEqual({ whatsapp: { optedIn: true, source: 'web form' }, sms: null, email: null });
    expect(input.customAttributes).toEqual({ plan: 'gold' });
    expect(input.assignedToId).toBe(3);
    expect(input.departmentIds).toEqual([2]);
    expect(input.banking).toBeNull();
  });

  it('omits banking when the role may not edit it', () => {
    const input = toContactInput(toFormState(contact), { includeBanking: false, userIds: [3], departmentIds: [2] });
    expect('banking' in input).toBe(false);
    expect(input.email).toBe('ada@example.com');
  });
});
