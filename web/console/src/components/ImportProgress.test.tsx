import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ContactImport } from '../api';
import { ImportProgress } from './ImportProgress';

function job(overrides: Partial<ContactImport> = {}): ContactImport {
  return {
    id: 5,
    fileName: 'people.csv',
    status: 'running',
    bytesTotal: 1000,
    bytesProcessed: 250,
    rowsProcessed: 10,
    rowsCreated: 7,
    rowsUpdated: 2,
    rowsRejected: 1,
    errors: [],
    createdAt: '2026-01-01T00:00:00Z',
    completedAt: null,
    ...overrides,
  };
}

describe('ImportProgress', () => {
  it('renders nothing before an upload starts', () => {
    const { container } = render(<ImportProgress upload={null} job={null} />);
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(container.querySelector('[data-testid="import-result"]')).toBeNull();
  });

  it('shows upload progress as an accessible progress bar', () => {
    render(<ImportProgress upload={{ loaded: 300, total: 1200 }} job={null} />);
    const bar = screen.getByRole('progressbar', { name: 'Upload progress' });
    expect(bar.tagName).toBe('PROGRESS');
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect((bar as HTMLProgressElement).value).toBe(25);
    expect(screen.queryByRole('progressbar', { name: 'Import progress' })).toBeNull();
  });

  it('shows processing progress from bytesProcessed / bytesTotal, without a result yet', () => {
    render(<ImportProgress upload={{ loaded: 1000, total: 1000 }} job={job()} />);
    expect(screen.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('aria-valuenow')).toBe('100');
    expect(screen.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByText('Processing')).toBeTruthy();
    expect(screen.queryByTestId('import-result')).toBeNull();
  });

  it('shows the result with counts and the rejected rows once completed', () => {
    render(
      <ImportProgress
        upload={null}
        job={job({
          status: 'completed',
          bytesProcessed: 1000,
          rowsCreated: 3,
          rowsUpdated: 4,
          rowsRejected: 2,
          errors: [
            { row: 3, field: 'phone', message: 'Not a valid E.164 number' },
            { row: 8, field: 'email', message: 'Invalid email' },
          ],
        })}
      />,
    );
    expect(screen.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).toBe('100');
    const result = screen.getByTestId('import-result');
    expect(result.textContent).toContain('Created 3');
    expect(result.textContent).toContain('Updated 4');
    expect(result.textContent).toContain('Rejected 2');
    const table = within(result).getByRole('table', { name: 'Rejected rows' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3); // header + 2
    expect(rows[1].textContent).toContain('3');
    expect(rows[1].textContent).toContain('phone');
    expect(rows[1].textContent).toContain('Not a valid E.164 number');
  });

  it('reports a failed import', () => {
    render(<ImportProgress upload={null} job={job({ status: 'failed', rowsCreated: 0, rowsUpdated: 0, rowsRejected: 0 })} />);
    const result = screen.getByTestId('import-result');
    expect(result.textContent).toContain('Import failed');
    expect(result.textContent).toContain('Created 0');
  });
});
