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
