import type { CSSProperties } from 'react';

/** A colour the chip can use safely: #rgb / #rrggbb, otherwise a neutral grey. */
export function safeColor(color: string | null | undefined): string {
  return color && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color.trim()) ? color.trim() : '#8a94a6';
}

/** A conversation tag: its colour as a dot, its name as text (colour is never the only cue). */
export function TagChip({
  tag,
  small = false,
  onRemove,
  removeDisabled,
}: {
  tag: { id: number; name: string; color: string };
  small?: boolean;
  onRemove?: () => void;
  removeDisabled?: boolean;
}) {
  return (
    <span className={`tag-chip${small ? ' tag-chip--sm' : ''}`} style={{ '--tag-color': safeColor(tag.color) } as CSSProperties}>
      <span className="tag-chip__dot" aria-hidden="true" />
      {tag.name}
      {onRemove && (
        <button type="button" className="tag-chip__remove" onClick={onRemove} disabled={removeDisabled} aria-label={`Remove tag ${tag.name}`}>
          ×
        </button>
      )}
    </span>
  );
}
