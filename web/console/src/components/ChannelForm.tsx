import { useState, type FormEvent } from 'react';
import { ApiError, type ChannelType, type CreateChannelInput, type Department, type MessagingChannel, type UpdateChannelInput } from '../api';
import {
  CHANNEL_TYPES,
  channelTypeDef,
  settingErrorKey,
  settingsForCreate,
  settingsForUpdate,
  toFormValues,
  visibleSettings,
  type SettingDef,
  type SettingFormValues,
} from '../lib/channelTypes';
import { FieldErrors } from '../lib/fieldErrors';
import { useAsyncAction } from '../lib/hooks';
import { toId } from '../lib/lists';
import { CheckboxField, CheckboxGroupField, FieldError, SelectField, TextAreaField, TextField } from './Field';
import { FormErrorBanner } from './Feedback';
import { SubmitButton } from './FormActions';

export const SECRET_SET_PLACEHOLDER = '•••••• (set — leave empty to keep)';

const TEXT_INPUT_TYPES: Partial<Record<SettingDef['kind'], string>> = { secret: 'password', email: 'email', url: 'url', phone: 'tel' };

/** One setting's input, chosen by its kind. Errors come from the problem's `settings.<name>` keys. */
function SettingInput({
  def,
  value,
  onChange,
  error,
  secretSet,
}: {
  def: SettingDef;
  value: string | boolean | undefined;
  onChange: (value: string | boolean) => void;
  error?: string[];
  secretSet: boolean;
}) {
  const id = `channel-setting-${def.name}`;
  const text = typeof value === 'string' ? value : '';
  // A secret that is already set need not be typed again.
  const required = def.required && !secretSet;
  switch (def.kind) {
    case 'bool':
      return (
        <div>
          <CheckboxField id={id} label={def.label} checked={value === true} onChange={onChange} hint={def.hint} />
          <FieldError id={id} error={error} />
        </div>
      );
    case 'select':
      return (
        <SelectField id={id} label={def.label} required={required} value={text} onChange={onChange} options={def.options ?? []} hint={def.hint} error={error} />
      );
    case 'origins':
      return (
        <TextAreaField
          id={id}
          label={def.label}
          required={required}
          value={text}
          onChange={onChange}
          rows={3}
          placeholder={def.placeholder}
          hint={def.hint}
          error={error}
        />
      );
    default:
      return (
        <TextField
          id={id}
          label={def.label}
          required={required}
          type={TEXT_INPUT_TYPES[def.kind] ?? 'text'}
          inputMode={def.kind === 'port' ? 'numeric' : undefined}
          value={text}
          onChange={onChange}
          placeholder={def.kind === 'secret' && secretSet ? SECRET_SET_PLACEHOLDER : def.placeholder}
          hint={def.hint}
          error={error}
          autoComplete={def.kind === 'secret' ? 'new-password' : 'off'}
          spellCheck={false}
        />
      );
  }
}

type ChannelFormProps =
  | { channel: null; departments: Department[] | null; readOnly?: false; onSubmit: (input: CreateChannelInput) => Promise<void> }
  | { channel: MessagingChannel; departments: Department[] | null; readOnly?: boolean; onSubmit: (input: UpdateChannelInput) => Promise<void> };

/**
 * Connects a channel (choose the type, then its settings) or edits one. The fields of every type come from the one table
 * in lib/channelTypes; an edit sends only what changed, and secrets only when typed (the server keeps the others).
 */
export function ChannelForm(props: ChannelFormProps) {
  const { channel, departments, readOnly = false } = props;
  const [type, setType] = useState<ChannelType | null>(channel?.type ?? null);
  const [name, setName] = useState(channel?.name ?? '');
  const [values, setValues] = useState<SettingFormValues>(() => (channel ? toFormValues(channel.type, channel.settings) : {}));
  const [departmentIds, setDepartmentIds] = useState<string[]>((channel?.departmentIds ?? []).map(String));
  const { busy, error, run } = useAsyncAction();
  const fe = new FieldErrors(error instanceof ApiError ? error.errors : undefined);
  const secretsSet = new Set(channel?.secretsSet ?? []);
  const shown = type ? visibleSettings(type, values) : [];

  function chooseType(next: ChannelType) {
    setType(next);
    // Keep what was typed for settings the types share; fill in the new type's defaults for the rest.
    setValues((prev) => ({ ...toFormValues(next, {}, true), ...prev }));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!type) return;
    const known = [...(departments ?? []).map((d) => d.id), ...(channel?.departmentIds ?? [])];
    const ids = departmentIds.map((d) => toId(d, known));
    await run(async () => {
      if (props.channel === null) {
        await props.onSubmit({ type, name: name.trim(), settings: settingsForCreate(type, values), departmentIds: ids });
        return;
      }
      const original = props.channel;
      const input: UpdateChannelInput = {};
      if (name.trim() !== original.name) input.name = name.trim();
      const settings = settingsForUpdate(type, original.settings, values);
      if (settings) input.settings = settings;
      const before = original.departmentIds.map(String).sort().join();
      if ([...departmentIds].sort().join() !== before) input.departmentIds = ids;
      await props.onSubmit(input);
    });
  }

  const knownErrors = ['name', 'type', 'departmentIds', ...shown.map((s) => settingErrorKey(s.name))];

  return (
    <form className="form form--wide" onSubmit={submit} noValidate aria-label={channel ? 'Channel settings' : 'Connect a channel'}>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(knownErrors)} /> : null}
      {!channel && (
        <div className="card form-section">
          <h2 id="channel-type-title" className="form-section__title">
            Channel type
          </h2>
          <div role="radiogroup" aria-labelledby="channel-type-title" className="radio-list">
            {CHANNEL_TYPES.map((d) => (
              <div className="radio" key={d.type}>
                <input
                  type="radio"
                  name="channel-type"
                  id={`channel-type-${d.type}`}
                  value={d.type}
                  checked={type === d.type}
                  onChange={() => chooseType(d.type)}
                  aria-describedby={`channel-type-${d.type}-hint`}
                />
                <label htmlFor={`channel-type-${d.type}`}>{d.label}</label>
                <span id={`channel-type-${d.type}-hint`} className="field__hint">
                  {d.description}
                </span>
              </div>
            ))}
          </div>
          <FieldError id="channel-type" error={fe.get('type')} />
        </div>
      )}

      {type && (
        <>
          <fieldset className="card form-section" disabled={readOnly}>
            <legend className="form-section__title">{channelTypeDef(type).label} settings</legend>
            <TextField
              id="channel-name"
              label="Name"
              required
              value={name}
              onChange={setName}
              error={fe.get('name')}
              autoComplete="off"
              hint="How agents see this channel, e.g. “Support WhatsApp”."
            />
            {shown.map((def) => (
              <SettingInput
                key={def.name}
                def={def}
                value={values[def.name]}
                onChange={(v) => setValues((prev) => ({ ...prev, [def.name]: v }))}
                error={fe.get(settingErrorKey(def.name))}
                secretSet={def.kind === 'secret' && secretsSet.has(def.name)}
              />
            ))}
          </fieldset>

          <fieldset className="card form-section" disabled={readOnly}>
            <legend className="form-section__title">Routing</legend>
            <CheckboxGroupField
              id="channel-departments"
              legend="Departments"
              options={departments?.map((d) => ({ value: String(d.id), label: d.name })) ?? null}
              values={departmentIds}
              onChange={setDepartmentIds}
              error={fe.get('departmentIds', { prefix: true })}
              unavailableText="Departments could not be loaded."
              emptyText="No departments exist yet."
            />
          </fieldset>
        </>
      )}

      {!readOnly && (
        <div className="form-actions form-actions--start">
          <SubmitButton busy={busy} busyLabel={channel ? 'Saving…' : 'Connecting…'} disabled={!type}>
            {channel ? 'Save channel' : 'Connect channel'}
          </SubmitButton>
        </div>
      )}
    </form>
  );
}
