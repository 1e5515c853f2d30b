import type { ReactNode } from 'react';
import { PageHeader } from '../components/Feedback';

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth__card">
        <div className="auth__brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name brand-name--dark">Switchboard</span>
        </div>
        <PageHeader title={title} description={subtitle} />
        {children}
      </div>
    </main>
  );
}
