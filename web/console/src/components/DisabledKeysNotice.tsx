import { useEffect, useState } from 'react';
import { api, type ApiKey, type Id, type MemberChange } from '../api';

/**
 * Says, before a member is changed or removed, which of the API keys they created the change would stop: a key works only while
 * its creator is an active member holding at least the key's role. Renders nothing when no key is affected.
 */
export function DisabledKeysNotice({ userId, change }: { userId: Id; change: MemberChange }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [failed, setFailed] = useState(false);
  const { role, status, remove } = change;

  useEffect(() => {
    let current = true;
    setKeys(null);
    setFailed(false);
    api.apiKeysDisabledByChange(userId, { role, status, remove }).then(
      (page) => current && setKeys(page.items),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [userId, role, status, remove]);

  if (failed) {
    return (
      <div className="banner banner--info" role="status">
        <div className="banner__body">Could not check which API keys this change would disable.</div>
      </div>
    );
  }
  if (!keys || keys.length === 0) return null;
  return (
    <div className="banner banner--info" role="status">
      <div className="banner__body">
        <strong className="banner__title">
          {keys.length === 1 ? 'This change disables 1 API key' : `This change disables ${keys.length} API keys`} this person created:
        </strong>
        <ul className="banner__list">
          {keys.map((k) => (
            <li key={String(k.id)}>
              {k.name} (<code>{k.prefix}…</code>, {k.role})
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
