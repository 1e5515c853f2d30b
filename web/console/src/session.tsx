import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, errorMessage, type Id, type Session } from './api';

export type SessionState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'setup' }
  | { status: 'anonymous'; expired?: boolean; signedOut?: boolean }
  | { status: 'signed-in'; session: Session };

interface SessionContextValue {
  state: SessionState;
  /** The signed-in session; throws if used outside a signed-in area. */
  session: Session | null;
  setSession: (session: Session) => void;
  signOut: () => Promise<void>;
  switchTenant: (tenantId: Id) => Promise<Session>;
  reload: () => void;
  can: (permission: string) => boolean;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const setup = await api.getSetup().catch((err: unknown) => {
          // An installation that does not expose /setup is simply "set up".
          if (err instanceof ApiError && (err.status === 404 || err.status === 401 || err.status === 403)) return { required: false };
          throw err;
        });
        if (cancelled) return;
        if (setup.required) {
          setState({ status: 'setup' });
          return;
        }
        const session = await api.getSession();
        if (!cancelled) setState({ status: 'signed-in', session });
      } catch (err) {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) setState({ status: 'anonymous' });
        else setState({ status: 'error', message: errorMessage(err) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  useEffect(() => {
    api.onUnauthorized(() => setState((s) => (s.status === 'signed-in' ? { status: 'anonymous', expired: true } : s)));
    return () => api.onUnauthorized(null);
  }, []);

  const setSession = useCallback((session: Session) => setState({ status: 'signed-in', session }), []);

  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } finally {
      // Marked as a deliberate sign-out so RequireSession sends the user to a plain /sign-in
      // instead of treating it like an expired session (which keeps ?next=).
      setState({ status: 'anonymous', signedOut: true });
    }
  }, []);

  const switchTenant = useCallback(async (tenantId: Id) => {
    const session = await api.switchTenant(tenantId);
    setState({ status: 'signed-in', session });
    return session;
  }, []);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((a) => a + 1);
  }, []);

  const value = useMemo<SessionContextValue>(() => {
    const session = state.status === 'signed-in' ? state.session : null;
    return {
      state,
      session,
      setSession,
      signOut,
      switchTenant,
      reload,
      can: (permission: string) => !!session && (session.user.isSuperAdmin || session.permissions.includes(permission)),
    };
  }, [state, setSession, signOut, switchTenant, reload]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside <SessionProvider>');
  return ctx;
}

/** For components rendered only inside the signed-in layout. */
export function useRequiredSession(): Session & { can: (permission: string) => boolean } {
  const { session, can } = useSession();
  if (!session) throw new Error('No signed-in session');
  return { ...session, can };
}

/** Where to send a user after sign-in: the first page they may see. */
export function homePath(session: Session): string {
  const can = (p: string) => session.user.isSuperAdmin || session.permissions.includes(p);
  if (can('contacts.read')) return '/contacts';
  return '/inbox';
}
