import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  ApiError,
  CHANNELS,
  type Banking,
  type Channel,
  type Contact,
  type ContactInput,
  type Department,
  type Id,
  type User,
} from '../api';
import { FieldErrors } from '../lib/fieldErrors';
import { formatDateTime, joinList, splitList } from '../lib/format';
import { toId } from '../lib/lists';
import { CheckboxGroupField, describedBy, FieldError, SelectField, TextField } from './Field';
import { FormErrorBanner } from './Feedback';
import { SubmitButton } from './FormActions';

// 'E-mail' (not 'Email') so that the label 'Email' stays unique on the page for label-based lookups.
const CHANNEL_LABELS: Record<Channel, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'E-mail' };

const BANKING_FIELDS: { key: keyof Banking; label: string }[] = [
  { key: 'bankName', label: 'Bank' },
  { key: 'accountHolder', label: 'Account holder' },
  { key: 'accountNumber', label: 'Account number' },
  { key: 'routingNumber', label: 'Routing number' },
  { key: 'iban', label: 'IBAN' },
];

/**
 * The plain text inputs under "Contact details", in order. Declared as data because they differ only in these settings;
 * `list` fields also collect errors of their items ("tags[1]").
 */
const DETAIL_FIELDS: {
  key: 'name' | 'email' | 'phone' | 'extraPhones' | 'waId' | 'tags';
  id: string;
  label: string;
  type?: 'email' | 'tel';
  hint?: string;
  placeholder?: string;
  list?: boolean;
}[] = [
  { key: 'name', id: 'contact-name', label: 'Name' },
  { key: 'email', id: 'contact-email', label: 'Email', type: 'email' },
  { key: 'phone', id: 'contact-phone', label: 'Phone', type: 'tel', hint: 'International E.164 format, e.g. +15551234567', placeholder: '+15551234567' },
  { key: 'extraPhones', id: 'contact-extra-phones', label: 'Additional numbers', hint: 'Other phone numbers, comma separated, E.164 format', list: true },
  { key: 'waId', id: 'contact-waid', label: 'WhatsApp ID', hint: 'Digits only, e.g. 15551234567' },
  { key: 'tags', id: 'contact-tags', label: 'Tags', hint: 'Comma separated, e.g. vip, newsletter', list: true },
];

/** Field paths the form can show errors for; anything else goes to the banner at the top. */
export const CONTACT_FIELDS = [
  'name',
  'email',
  'phone',
  'extraPhones',
  'waId',
  'tags',
  'optIns',
  'customAttributes',
  'banking',
  'assignedToId',
  'departmentIds',
];

interface AttributeRow {
  rowId: number;
  key: string;
  value: string;
}

interface OptInState {
  optedIn: boolean;
  source: string;
  at: string | null;
  existed: boolean;
}

export interface ContactFormState {
  name: string;
  email: string;
  phone: string;
  extraPhones: string;
  waId: string;
  tags: string;
  optIns: Record<Channel, OptInState>;
  attributes: AttributeRow[];
  banking: Record<keyof Banking, string>;
  assignedToId: string;
  departmentIds: string[];
}

let nextRowId = 1;

export function toFormState(contact: Contact | null): ContactFormState {
  const optIns = {} as Record<Channel, OptInState>;
  for (const ch of CHANNELS) {
    const o = contact?.optIns?.[ch] ?? null;
    optIns[ch] = { optedIn: !!o?.optedIn, source: o?.source ?? '', at: o?.at ?? null, existed: !!o };
  }
  const banking = {} as Record<keyof Banking, string>;
  for (const f of BANKING_FIELDS) banking[f.key] = contact?.banking?.[f.key] ?? '';
  return {
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    extraPhones: joinList(contact?.extraPhones),
    waId: contact?.waId ?? '',
    tags: joinList(contact?.tags),
    optIns,
    attributes: Object.entries(contact?.customAttributes ?? {}).map(([key, value]) => ({
      rowId: nextRowId++,
      key,
      value: value == null ? '' : String(value),
    })),
    banking,
    assignedToId: contact?.assignedToId != null ? String(contact.assignedToId) : '',
    departmentIds: (contact?.departmentIds ?? []).map(String),
  };
}

function emptyToNull(value: string): string | null {
  const t = value.trim();
  return t === '' ? null : t;
}

export function toContactInput(
  state: ContactFormState,
  opts: { includeBanking: boolean; userIds: readonly Id[]; departmentIds: readonly Id[] },
): ContactInput {
  const optIns: ContactInput['optIns'] = {};
  for (const ch of CHANNELS) {
    const o = state.optIns[ch];
    if (o.optedIn || o.existed) {
      optIns[ch] = { optedIn: o.optedIn, source: emptyToNull(o.source) };
    } else {
      optIns[ch] = null;
    }
  }
  const customAttributes: Record<string, string> = {};
  for (const row of state.attributes) {
    const key = row.key.trim();
    if (key) customAttributes[key] = row.value;
  }
  const input: ContactInput = {
    name: emptyToNull(state.name),
    email: emptyToNull(state.email),
    phone: emptyToNull(state.phone),
    extraPhones: splitList(state.extraPhones),
    waId: emptyToNull(state.waId),
    tags: splitList(state.tags),
    optIns,
    customAttributes,
    assignedToId: state.assignedToId ? toId(state.assignedToId, opts.userIds) : null,
    departmentIds: state.departmentIds.map((d) => toId(d, opts.departmentIds)),
  };
  if (opts.includeBanking) {
    const banking: Banking = {};
    let any = false;
    for (const f of BANKING_FIELDS) {
      const v = emptyToNull(state.banking[f.key]);
      banking[f.key] = v;
      if (v) any = true;
    }
    input.banking = any ? banking : null;
  }
  return input;
}

function clientValidate(state: ContactFormState): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  if (!state.name.trim() && !state.email.trim() && !state.phone.trim()) {
    errors.name = ['Enter at least a name, an email or a phone number.'];
  }
  const seen = new Set<string>();
  for (const row of state.attributes) {
    const key = row.key.trim();
    if (!key && row.value.trim()) {
      errors.customAttributes = ['Every attribute needs a key.'];
    } else if (key && seen.has(key)) {
      errors.customAttributes = [`The key "${key}" is used twice.`];
    }
    seen.add(key);
  }
  return errors;
}

export interface ContactFormProps {
  contact: Contact | null;
  users: User[] | null;
  departments: Department[] | null;
  /** The user may see and edit full banking details (contacts.banking). */
  canBanking: boolean;
  /** The user may save (contacts.write). */
  canWrite: boolean;
  onSubmit: (input: ContactInput) => Promise<void>;
}

export function ContactForm({ contact, users, departments, canBanking, canWrite, onSubmit }: ContactFormProps) {
  const [state, setState] = useState<ContactFormState>(() => toFormState(contact));
  const [error, setError] = useState<unknown>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  const serverErrors = error instanceof ApiError ? error.errors : {};
  const fe = new FieldErrors({ ...serverErrors, ...clientErrors });
  const conflict = error instanceof ApiError && error.status === 409 ? error : null;
  const readOnly = !canWrite;

  const set = <K extends keyof ContactFormState>(key: K, value: ContactFormState[K]) => setState((s) => ({ ...s, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (readOnly) return;
    const errs = clientValidate(state);
    setClientErrors(errs);
    setError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await onSubmit(
        toContactInput(state, {
          includeBanking: canBanking,
          userIds: (users ?? []).map((u) => u.id),
          departmentIds: (departments ?? []).map((d) => d.id),
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const userOptions = [{ value: '', label: 'Unassigned' }, ...(users ?? []).map((u) => ({ value: String(u.id), label: u.name || u.email }))];
  if (state.assignedToId && !userOptions.some((o) => o.value === state.assignedToId)) {
    userOptions.push({ value: state.assignedToId, label: `User #${state.assignedToId}` });
  }

  const attrError = fe.get('customAttributes');
  const optInError = fe.get('optIns');
  const deptError = fe.get('departmentIds', { prefix: true });

  return (
    <form className="form form--wide" onSubmit={submit} noValidate aria-busy={busy}>
      {conflict ? (
        <div className="banner banner--error" role="alert">
          <div className="banner__body">
            <strong className="banner__title">A contact with this phone/email already exists.</strong>
            {conflict.existingId != null && (
              <div>
                <Link to={`/contacts/${encodeURIComponent(String(conflict.existingId))}`}>Open the existing contact</Link>
              </div>
            )}
          </div>
        </div>
      ) : error ? (
        <FormErrorBanner error={error} extra={fe.unmatched(CONTACT_FIELDS)} />
      ) : Object.keys(clientErrors).length ? (
        <div className="banner banner--error" role="alert">
          <div className="banner__body">Please correct the highlighted fields.</div>
        </div>
      ) : null}

      <fieldset className="card form-section" disabled={readOnly}>
        <legend className="form-section__title">Contact details</legend>
        <div className="grid-2">
          {DETAIL_FIELDS.map((f) => (
            <TextField
              key={f.id}
              id={f.id}
              label={f.label}
              type={f.type}
              value={state[f.key]}
              onChange={(v) => set(f.key, v)}
              error={fe.get(f.key, { prefix: f.list })}
              hint={f.hint}
              placeholder={f.placeholder}
              autoComplete="off"
            />
          ))}
        </div>
      </fieldset>

      <fieldset className="card form-section" disabled={readOnly} aria-describedby={optInError ? 'contact-optins-error' : undefined}>
        <legend className="form-section__title">Opt-ins</legend>
        <p className="form-section__help">Record consent per channel and where it came from.</p>
        <div className="optins">
          {CHANNELS.map((ch) => {
            const o = state.optIns[ch];
            const update = (patch: Partial<OptInState>) => set('optIns', { ...state.optIns, [ch]: { ...o, ...patch } });
            const chError = fe.get(`optIns.${ch}`, { prefix: true });
            return (
              <div className="optin" key={ch}>
                <div className="checkbox">
                  <input
                    type="checkbox"
                    id={`contact-optin-${ch}`}
                    checked={o.optedIn}
                    onChange={(e) => update({ optedIn: e.target.checked })}
                    aria-describedby={describedBy(`contact-optin-${ch}`, o.at, chError)}
                  />
                  <label htmlFor={`contact-optin-${ch}`}>{CHANNEL_LABELS[ch]} opt-in</label>
                </div>
                {o.at && (
                  <p className="field__hint" id={`contact-optin-${ch}-hint`}>
                    {o.optedIn ? 'Opted in' : 'Changed'} {formatDateTime(o.at)}
                  </p>
                )}
                <TextField
                  id={`contact-optin-${ch}-source`}
                  label={`${CHANNEL_LABELS[ch]} opt-in source`}
                  value={o.source}
                  onChange={(v) => update({ source: v })}
                  placeholder="e.g. web form"
                  className="field--compact"
                />
                <FieldError id={`contact-optin-${ch}`} error={chError} />
              </div>
            );
          })}
        </div>
        <FieldError id="contact-optins" error={optInError} />
      </fieldset>

      <fieldset className="card form-section" disabled={readOnly}>
        <legend className="form-section__title">Custom attributes</legend>
        {state.attributes.length === 0 && <p className="muted">No custom attributes yet.</p>}
        <div className="kv-rows" aria-describedby={attrError ? 'contact-attributes-error' : undefined}>
          {state.attributes.map((row, index) => {
            const update = (patch: Partial<AttributeRow>) =>
              set(
                'attributes',
                state.attributes.map((r) => (r.rowId === row.rowId ? { ...r, ...patch } : r)),
              );
            const rowError = row.key.trim() ? fe.get(`customAttributes.${row.key.trim()}`) : undefined;
            return (
              <div className="kv-row" key={row.rowId}>
                <div className="field">
                  <label htmlFor={`attr-key-${row.rowId}`} className="field__label">
                    Attribute {index + 1} key
                  </label>
                  <input id={`attr-key-${row.rowId}`} className="input" value={row.key} onChange={(e) => update({ key: e.target.value })} />
                </div>
                <div className="field">
                  <label htmlFor={`attr-value-${row.rowId}`} className="field__label">
                    Attribute {index + 1} value
                  </label>
                  <input
                    id={`attr-value-${row.rowId}`}
                    className="input"
                    value={row.value}
                    aria-invalid={rowError ? true : undefined}
                    aria-describedby={rowError ? `attr-value-${row.rowId}-error` : undefined}
                    onChange={(e) => update({ value: e.target.value })}
                  />
                  <FieldError id={`attr-value-${row.rowId}`} error={rowError} />
                </div>
                <button
                  type="button"
                  className="btn btn--ghost btn--sm kv-row__remove"
                  onClick={() => set('attributes', state.attributes.filter((r) => r.rowId !== row.rowId))}
                >
                  Remove<span className="visually-hidden"> attribute {index + 1}</span>
                </button>
              </div>
            );
          })}
        </div>
        <FieldError id="contact-attributes" error={attrError} />
        <button
          type="button"
          className="btn btn--secondary btn--sm"
          onClick={() => set('attributes', [...state.attributes, { rowId: nextRowId++, key: '', value: '' }])}
        >
          Add attribute
        </button>
      </fieldset>

      {(canBanking || contact?.banking) && (
        <fieldset className="card form-section" disabled={readOnly || !canBanking}>
          <legend className="form-section__title">Banking</legend>
          {!canBanking && <p className="form-section__help">Banking details are masked for your role.</p>}
          <div className="grid-2">
            {BANKING_FIELDS.map((f) => (
              <TextField
                key={f.key}
                id={`contact-banking-${f.key}`}
                label={f.label}
                value={state.banking[f.key]}
                onChange={(v) => set('banking', { ...state.banking, [f.key]: v })}
                error={fe.get(`banking.${f.key}`)}
                autoComplete="off"
                readOnly={!canBanking}
              />
            ))}
          </div>
          <FieldError id="contact-banking" error={fe.get('banking')} />
        </fieldset>
      )}

      <fieldset className="card form-section" disabled={readOnly}>
        <legend className="form-section__title">Ownership</legend>
        <SelectField
          id="contact-owner"
          label="Owner"
          value={state.assignedToId}
          onChange={(v) => set('assignedToId', v)}
          options={userOptions}
          error={fe.get('assignedToId')}
        />
        <CheckboxGroupField
          id="contact-departments"
          legend="Departments"
          options={departments?.map((d) => ({ value: String(d.id), label: d.name })) ?? null}
          values={state.departmentIds}
          onChange={(v) => set('departmentIds', v)}
          error={deptError}
          unavailableText="Departments could not be loaded."
          emptyText="No departments exist yet."
        />
      </fieldset>

      {canWrite && (
        <div className="form-actions form-actions--sticky">
          <SubmitButton busy={busy} busyLabel="Saving…">
            Save contact
          </SubmitButton>
        </div>
      )}
    </form>
  );
}
