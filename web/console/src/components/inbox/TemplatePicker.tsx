import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, errorMessage, type MessageTemplate, type TemplateRef } from '../../api';
import { isApproved, templateParameterCount, templateParts } from '../../lib/inbox';
import { ErrorBanner, Loading } from '../Feedback';

/**
 * The composer once WhatsApp's 24-hour window has closed: approved templates of the conversation's channel (Meta's, or
 * Twilio Content templates on a Twilio WhatsApp channel), a field for each {{n}} parameter and a preview of the body with
 * the parameters filled in.
 */
export function TemplatePicker({
  channelId,
  channelType,
  canSync,
  onSend,
}: {
  channelId: number;
  channelType: string;
  canSync: boolean;
  onSend: (template: TemplateRef) => Promise<void>;
}) {
  const [templates, setTemplates] = useState<MessageTemplate[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState('');
  const [params, setParams] = useState<string[]>([]);
  const [attempted, setAttempted] = useState(false);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const [syncing, setSyncing] = useState(false);

  function accept(list: MessageTemplate[]) {
    const approved = list.filter(isApproved);
    setTemplates(approved);
    setSelectedId((current) => (approved.some((t) => String(t.id) === current) ? current : approved[0] ? String(approved[0].id) : ''));
  }

  useEffect(() => {
    let cancelled = false;
    setTemplates(null);
    setLoadError(null);
    api.listMessageTemplates(channelId).then(
      (r) => !cancelled && accept(r.items),
      (err: unknown) => !cancelled && setLoadError(errorMessage(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [channelId]);

  const template = useMemo(() => templates?.find((t) => String(t.id) === selectedId) ?? null, [templates, selectedId]);
  const count = template ? templateParameterCount(template) : 0;

  // One value per {{n}} of the chosen template (the state may still hold another template's values).
  const values = Array.from({ length: count }, (_, i) => params[i] ?? '');

  function choose(id: string) {
    setSelectedId(id);
    setParams([]);
    setAttempted(false);
  }

  async function sync() {
    setSyncing(true);
    setLoadError(null);
    try {
      accept((await api.syncMessageTemplates(channelId)).items);
    } catch (err) {
      setLoadError(errorMessage(err));
    } finally {
      setSyncing(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!template) return;
    setAttempted(true);
    if (values.some((p) => !p.trim())) return;
    setSending(true);
    setSendError(null);
    try {
      await onSend({ name: template.name, language: template.language, parameters: values.map((p) => p.trim()) });
      setParams([]);
      setAttempted(false);
    } catch (err) {
      setSendError(errorMessage(err));
    } finally {
      setSending(false);
    }
  }

  const syncButton = canSync && (
    <button type="button" className="btn btn--secondary btn--sm" onClick={sync} disabled={syncing}>
      {syncing ? 'Syncing…' : `Sync templates from ${channelType === 'twilio_whatsapp' ? 'Twilio' : 'WhatsApp'}`}
    </button>
  );

  return (
    <form className="template-picker" onSubmit={submit} noValidate aria-label="Send a template">
      <p className="template-picker__why" id="template-why">
        The 24-hour WhatsApp window has closed. WhatsApp only allows an approved template until the customer writes again.
      </p>
      {loadError && (
        <ErrorBanner title="Could not load templates.">
          {loadError}
        </ErrorBanner>
      )}
      {!templates && !loadError && <Loading label="Loading templates…" />}
      {templates && templates.length === 0 && (
        <div className="template-picker__none">
          <p>No approved templates for this channel yet.{canSync ? '' : ' Ask an administrator to create and sync templates.'}</p>
          {syncButton}
        </div>
      )}
      {templates && templates.length > 0 && (
        <>
          <div className="field">
            <label htmlFor="template-select" className="field__label">
              Template
            </label>
            <select id="template-select" className="input select" value={selectedId} onChange={(e) => choose(e.target.value)} aria-describedby="template-why">
              {templates.map((t) => (
                <option key={t.id} value={String(t.id)}>
                  {t.name} ({t.language}) — {t.category}
                </option>
              ))}
            </select>
          </div>
          {values.length > 0 && (
          <div className="template-picker__params">
          {values.map((value, i) => {
            const id = `template-param-${i + 1}`;
            const invalid = attempted && !value.trim();
            return (
              <div className={`field${invalid ? ' field--invalid' : ''}`} key={id}>
                <label htmlFor={id} className="field__label">
                  Parameter {`{{${i + 1}}}`}
                </label>
                <input
                  id={id}
                  className="input"
                  value={value}
                  required
                  aria-required
                  aria-invalid={invalid || undefined}
                  aria-describedby={invalid ? `${id}-error` : undefined}
                  onChange={(e) => setParams(values.map((p, j) => (j === i ? e.target.value : p)))}
                  autoComplete="off"
                />
                {invalid && (
                  <p id={`${id}-error`} className="field__error">
                    Fill in this parameter.
                  </p>
                )}
              </div>
            );
          })}
          </div>
          )}
          {template && (
            <div className="template-preview">
              <span className="field__label" id="template-preview-label">
                Preview
              </span>
              <p className="template-preview__body" aria-labelledby="template-preview-label" data-testid="template-preview">
                {templateParts(template.body, values).map((p, i) =>
                  p.param ? (
                    <mark key={i} className={p.filled ? 'template-preview__param' : 'template-preview__param template-preview__param--empty'}>
                      {p.text}
                    </mark>
                  ) : (
                    <span key={i}>{p.text}</span>
                  ),
                )}
              </p>
            </div>
          )}
          {sendError && <ErrorBanner title={sendError} />}
          <div className="composer__actions">
            {syncButton}
            <span className="composer__spacer" />
            <button type="submit" className="btn btn--primary" disabled={sending || !template}>
              {sending ? 'Sending…' : 'Send template'}
            </button>
          </div>
        </>
      )}
    </form>
  );
}
