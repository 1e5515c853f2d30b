import type { ReactNode } from 'react';

/**
 * The card + scroll wrapper + table markup every list page uses, so header rows, captions and styling stay consistent.
 * `head` is the header row's cells; `footer` goes below the scroll area, inside the card.
 */
export function TableCard({
  head,
  children,
  className = 'table',
  caption,
  busy,
  footer,
}: {
  head: ReactNode;
  children: ReactNode;
  className?: string;
  caption?: ReactNode;
  busy?: boolean;
  footer?: ReactNode;
}) {
  return (
    <div className="card card--flush">
      <div className="table-wrap" aria-busy={busy}>
        <table className={className}>
          {caption !== undefined && <caption className="visually-hidden">{caption}</caption>}
          <thead>
            <tr>{head}</tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
      {footer}
    </div>
  );
}

/** Header cell of the row-actions column: named for screen readers, blank on screen. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}

/** A row's Edit and Delete buttons, named after its item for screen readers. */
export function EditDeleteButtons({ name, onEdit, onDelete }: { name: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <>
      <button type="button" className="btn btn--ghost btn--sm" onClick={onEdit} aria-label={`Edit ${name}`}>
        Edit
      </button>
      <button type="button" className="btn btn--ghost btn--sm btn--danger-text" onClick={onDelete} aria-label={`Delete ${name}`}>
        Delete
      </button>
    </>
  );
}

/** "Showing N …" plus the "Load more" button of a cursor-paged list (see useCursorList). */
export function LoadMoreFooter({
  summary,
  hasMore,
  loadingMore,
  onLoadMore,
}: {
  summary: ReactNode;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}) {
  return (
    <div className="table-footer">
      <span className="muted" aria-live="polite">
        {summary}
      </span>
      {hasMore && (
        <button type="button" className="btn btn--secondary" onClick={onLoadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
