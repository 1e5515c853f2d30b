import type { ContactImport, UploadProgress } from '../api';
import { formatBytes, percent } from '../lib/format';
import { Badge } from './Feedback';

export function isFinished(job: Pick<ContactImport, 'status'> | null | undefined): boolean {
  return job?.status === 'completed' || job?.status === 'failed';
}

const STATUS_TONE = { queued: 'neutral', running: 'info', completed: 'success', failed: 'danger' } as const;
const STATUS_LABEL = { queued: 'Queued', running: 'Processing', completed: 'Completed', failed: 'Failed' } as const;

export function ImportStatusBadge({ status }: { status: ContactImport['status'] }) {
  return <Badge tone={STATUS_TONE[status] ?? 'neutral'}>{STATUS_LABEL[status] ?? status}</Badge>;
}

function ProgressBar({ label, value, text }: { label: string; value: number; text: string }) {
  return (
    <div className="progress">
      <div className="progress__label">
        <span>{label}</span>
        <span className="progress__text">{text}</span>
      </div>
      <progress
        className="progress__bar"
        aria-label={label}
        max={100}
        value={value}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={`${value}% — ${text}`}
      />
    </div>
  );
}

/**
 * Upload progress (bytes sent by the browser) and processing progress (bytes parsed by the server),
 * then the result: counts and the rejected rows.
 */
export function ImportProgress({ upload, job }: { upload: UploadProgress | null; job: ContactImport | null }) {
  const uploadPct = job ? 100 : upload ? (upload.total > 0 ? percent(upload.loaded, upload.total) : 0) : 0;
  const uploadText = job
    ? 'Uploaded'
    : upload && upload.total > 0
      ? `${uploadPct}% (${formatBytes(upload.loaded)} of ${formatBytes(upload.total)})`
      : 'Starting…';

  const finished = isFinished(job);
  const processPct = job ? (job.status === 'completed' ? 100 : percent(job.bytesProcessed, job.bytesTotal)) : 0;
  const processText = job
    ? job.bytesTotal > 0
      ? `${processPct}% (${formatBytes(job.bytesProcessed)} of ${formatBytes(job.bytesTotal)})`
      : `${processPct}%`
    : '';

  return (
    <div className="import-progress">
      {(upload || job) && <ProgressBar label="Upload progress" value={uploadPct} text={uploadText} />}
      {job && (
        <>
          <ProgressBar label="Import progress" value={processPct} text={processText} />
          <div className="import-progress__status">
            <ImportStatusBadge status={job.status} />
            <dl className="stats" aria-live={finished ? 'off' : 'polite'}>
              <div>
                <dt>Rows processed</dt>
                <dd>{job.rowsProcessed}</dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>{job.rowsCreated}</dd>
              </div>
              <div>
                <dt>Updated</dt>
                <dd>{job.rowsUpdated}</dd>
              </div>
              <div>
                <dt>Rejected</dt>
                <dd>{job.rowsRejected}</dd>
              </div>
            </dl>
          </div>
        </>
      )}
      {job && finished && <ImportResult job={job} />}
    </div>
  );
}

export function ImportResult({ job }: { job: ContactImport }) {
  const failed = job.status === 'failed';
  return (
    <section
      className={`import-result card ${failed ? 'import-result--failed' : 'import-result--ok'}`}
      data-testid="import-result"
      role="status"
      aria-labelledby={`import-result-title-${job.id}`}
    >
      <h2 id={`import-result-title-${job.id}`} className="import-result__title">
        {failed ? 'Import failed' : 'Import complete'}
        {job.fileName ? <span className="muted"> — {job.fileName}</span> : null}
      </h2>
      <ul className="import-result__counts">
        <li className="count count--created">{`Created ${job.rowsCreated}`}</li>
        <li className="count count--updated">{`Updated ${job.rowsUpdated}`}</li>
        <li className="count count--rejected">{`Rejected ${job.rowsRejected}`}</li>
      </ul>
      {failed && job.errors.length === 0 && <p>The file could not be processed. Check that it is a UTF-8 CSV with a header row.</p>}
      {job.errors.length > 0 && (
        <div className="table-wrap">
          <table className="table table--compact">
            <caption className="table-caption">Rejected rows</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Field</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((e, i) => (
                <tr key={`${e.row}-${e.field}-${i}`}>
                  <td>{e.row}</td>
                  <td>{e.field || '—'}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
