import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, type Invitation, type Profile } from '../api';
import { TextField } from '../components/Field';
import { Badge, ErrorBanner, FormErrorBanner, Loading, PageHeader, SuccessBanner } from '../components/Feedback';
import { FieldErrors } from '../lib/fieldErrors';
import { formatDateTime, joinList, splitList, titleCase } from '../lib/format';
import { useAsyncAction } from '../lib/hooks';
import { useSession } from '../session';

/** The signed-in person's own profile: the same in every workspace, and changed only here (workspaces manage membership). */
function ProfileForm({ profile, onSaved }: { profile: Profile; onSaved: (p: Profile) => void }) {
  const [name, setName] = useState(profile.name);
  const [username, setUsername] = useState(profile.username ?? '');
  const [phones, setPhones] = useState(joinList(profile.phones));
  const [timeout, setTimeoutMinutes] = useState(String(profile.inactivityTimeoutMinutes));
  const { busy, error, run } = useAsyncAction();
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});
  const fe = new FieldErrors({ ...(error instanceof ApiError ? error.errors : {}), ...clientErrors });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string[]> = {};
    if (!/^\d+$/.test(timeout.trim())) errs.inactivityTimeoutMinutes = ['Enter a whole number of minutes.'];
    setClientErrors(errs);
    if (Object.keys(errs).length) return;
    await run(async () => {
      onSaved(await api.updateProfile({ name: name.trim(), username: username.trim(), phones: splitList(phones), inactivityTimeoutMinutes: Number(timeout) }));
    });
  }

  return (
    <form className="form card" onSubmit={submit} noValidate>
      {error ? <FormErrorBanner error={error} extra={fe.unmatched(['name', 'username', 'phones', 'inactivityTimeoutMinutes'])} /> : null}
      <TextField id="profile-email" label="Email" value={profile.email} onChange={() => undefined} readOnly />
      <TextField id="profile-name" label="Name" required value={name} onChange={setName} error={fe.get('name')} autoComplete="name" />
      <TextField id="profile-username" label="Username" value={username} onChange={setUsername} error={fe.get('username')} autoComplete="off" />
      <TextField id="profile-phones" label="Phones" value={phones} onChange={setPhones} error={fe.get('phones', { prefix: true })} hint="Comma separated, E.164 format, e.g. +15551234567" />
      <TextField
        id="profile-timeout"
        label="Inactivity timeout (minutes)"
        value={timeout}
        onChange={setTimeoutMinutes}
        inputMode="numeric"
        error={fe.get('inactivityTimeoutMinutes')}
        hint="You are signed out after this many idle minutes (5 to 10080)."
      />
      <div className="form-actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  );
}

/** Workspaces that invited this person: nothing is granted until they accept. */
function Invitations({ invitations, onAnswered }: { invitations: Invitation[]; onAnswered: (id: Invitation['id'], accepted: boolean) => Promise<void> }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function answer(invitation: Invitation, accept: boolean) {
    setBusy(true);
    setError(null);
    try {
      await (accept ? api.acceptInvitation(invitation.id) : api.declineInvitation(invitation.id));
      await onAnswered(invitation.id, accept);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (invitations.length === 0) return <p className="muted">No pending invitations.</p>;
  return (
    <div className="stack">
      {error && <ErrorBanner title={error} />}
      <ul className="stack">
        {invitations.map((i) => (
          <li key={String(i.id)} className="card">
            <strong>{i.tenant.name}</strong> <Badge tone="info">{titleCase(String(i.tenant.role))}</Badge>
            <p className="muted">
              {i.invitedBy ? `Invited by ${i.invitedBy}` : 'Invited'} on {formatDateTime(i.createdAt)}
            </p>
            <div className="form-actions">
              <button type="button" className="btn btn--primary btn--sm" disabled={busy} onClick={() => answer(i, true)}>
                Accept<span className="visually-hidden"> {i.tenant.name}</span>
              </button>
              <button type="button" className="btn btn--secondary btn--sm" disabled={busy} onClick={() => answer(i, false)}>
                Decline<span className="visually-hidden"> {i.tenant.name}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ProfilePage() {
  const { setSession } = useSession();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [invitations, setInvitations] = useState<Invitation[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    Promise.all([api.getProfile(), api.listInvitations()])
      .then(([p, i]) => {
        if (cancelled) return;
        setProfile(p);
        setInvitations(i.items);
      })
      .catch((err) => !cancelled && setLoadError(errorMessage(err)));
    return () => {
      cancelled = true;
    };
  }, []);

  async function onAnswered(id: Invitation['id'], accepted: boolean) {
    const answered = invitations?.find((i) => String(i.id) === String(id));
    setInvitations((prev) => (prev ?? []).filter((i) => String(i.id) !== String(id)));
    // A new workspace appears in the switcher at once.
    if (accepted) setSession(await api.getSession());
    setMessage(accepted ? `You joined ${answered?.tenant.name ?? 'the workspace'}.` : 'Invitation declined.');
  }

  return (
    <div className="page">
      <PageHeader title="My profile" description="Your name, phones and sign-in timeout, the same in every workspace you belong to." />
      {message && <SuccessBanner>{message}</SuccessBanner>}
      {loadError && <ErrorBanner title="Could not load your profile.">{loadError}</ErrorBanner>}
      {!profile && !loadError && <Loading label="Loading your profile…" />}
      {profile && (
        <ProfileForm
          profile={profile}
          onSaved={(saved) => {
            setProfile(saved);
            setMessage('Your profile was saved.');
          }}
        />
      )}
      {invitations && (
        <section className="stack">
          <h2>Invitations</h2>
          <Invitations invitations={invitations} onAnswered={onAnswered} />
        </section>
      )}
    </div>
  );
}
