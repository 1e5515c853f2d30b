import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError } from '../api';
import { TextField } from '../components/Field';
import { FormErrorBanner } from '../components/Feedback';
import { FieldErrors } from '../lib/fieldErrors';
import { useNameWithSlug } from '../lib/hooks';
import { isValidSlug } from '../lib/slug';
import { useSession } from '../session';
import { AuthFrame } from './AuthFrame';
import { SubmitButton } from '../components/FormActions';

const FIELDS = ['tenantName', 'tenantSlug', 'ownerName', 'ownerEmail', 'ownerPassword', 'confirmPassword'];

export function SetupPage() {
  const { setSession } = useSession();
  const navigate = useNavigate();
  const { name: companyName, setName: onCompanyName, slug, setSlug: onSlug } = useNameWithSlug();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  const fe = new FieldErrors({ ...(error instanceof ApiError ? error.errors : {}), ...clientErrors });

  function validate(): Record<string, string[]> {
    const errs: Record<string, string[]> = {};
    if (!companyName.trim()) errs.tenantName = ['Enter your company name.'];
    if (!isValidSlug(slug)) errs.tenantSlug = ['Use lower-case letters, digits and single hyphens (for example "acme-support").'];
    if (!name.trim()) errs.ownerName = ['Enter your name.'];
    if (!email.trim()) errs.ownerEmail = ['Enter your email address.'];
    if (!password) errs.ownerPassword = ['Choose a password.'];
    if (password !== confirm) errs.confirmPassword = ['The passwords do not match.'];
    return errs;
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const errs = validate();
    setClientErrors(errs);
    setError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const session = await api.setup({
        tenantName: companyName.trim(),
        tenantSlug: slug,
        ownerName: name.trim(),
        ownerEmail: email.trim(),
        ownerPassword: password,
      });
      setSession(session);
      navigate('/contacts', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Set up Switchboard" subtitle="Create the first workspace and its owner account.">
      <form className="form" onSubmit={onSubmit} noValidate aria-describedby="setup-required-note">
        {error ? <FormErrorBanner error={error} extra={fe.unmatched(FIELDS)} /> : null}
        <p id="setup-required-note" className="form__note">
          All fields are required.
        </p>
        <TextField id="setup-company" label="Company name" required value={companyName} onChange={onCompanyName} error={fe.get('tenantName')} autoComplete="organization" />
        <TextField
          id="setup-slug"
          label="Slug"
          required
          value={slug}
          onChange={onSlug}
          error={fe.get('tenantSlug')}
          hint="Used to pick this workspace when signing in. Derived from the company name; you can change it."
          autoComplete="off"
          spellCheck={false}
        />
        <TextField id="setup-name" label="Your name" required value={name} onChange={setName} error={fe.get('ownerName')} autoComplete="name" />
        <TextField id="setup-email" label="Email" type="email" required value={email} onChange={setEmail} error={fe.get('ownerEmail')} autoComplete="email" />
        <TextField id="setup-password" label="Password" type="password" required value={password} onChange={setPassword} error={fe.get('ownerPassword')} autoComplete="new-password" />
        <TextField id="setup-confirm" label="Confirm password" type="password" required value={confirm} onChange={setConfirm} error={fe.get('confirmPassword')} autoComplete="new-password" />
        <SubmitButton className="btn btn--primary btn--block" busy={busy} busyLabel="Creating workspace…">
          Create workspace
        </SubmitButton>
      </form>
    </AuthFrame>
  );
}
