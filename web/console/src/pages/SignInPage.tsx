import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError, errorMessage } from '../api';
import { TextField } from '../components/Field';
import { ErrorBanner } from '../components/Feedback';
import { FieldErrors } from '../lib/fieldErrors';
import { homePath, useSession } from '../session';
import { AuthFrame } from './AuthFrame';
import { SubmitButton } from '../components/FormActions';

export function signInErrorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.status) {
      case 401:
        return 'Wrong email or password.';
      case 429:
        // The server says how long to wait (per email after repeated wrong passwords, or per address).
        return err.problem.detail || 'Too many attempts, wait a minute and try again.';
    }
  }
  return errorMessage(err);
}

export function SignInPage() {
  const { setSession, state } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState(params.get('workspace') ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fe = new FieldErrors(error instanceof ApiError && error.status === 400 ? error.errors : undefined);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.signIn({ email: email.trim(), password, tenantSlug: workspace.trim() || undefined });
      setSession(session);
      const next = params.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(session), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Sign in" subtitle="Welcome back. Sign in to your contact center.">
      <form className="form" onSubmit={onSubmit} noValidate>
        {state.status === 'anonymous' && state.expired && !error && (
          <div className="banner banner--info" role="status">
            Your session has ended. Please sign in again.
          </div>
        )}
        {error ? <ErrorBanner title={signInErrorMessage(error)} /> : null}
        <TextField id="signin-email" label="Email" type="email" required value={email} onChange={setEmail} error={fe.get('email')} autoComplete="username" />
        <TextField id="signin-password" label="Password" type="password" required value={password} onChange={setPassword} error={fe.get('password')} autoComplete="current-password" />
        <TextField
          id="signin-workspace"
          label="Workspace (optional)"
          value={workspace}
          onChange={setWorkspace}
          error={fe.get('tenantSlug')}
          hint="The workspace slug, if you belong to more than one."
          autoComplete="organization"
          spellCheck={false}
        />
        <SubmitButton className="btn btn--primary btn--block" busy={busy} busyLabel="Signing in…">
          Sign in
        </SubmitButton>
      </form>
    </AuthFrame>
  );
}
