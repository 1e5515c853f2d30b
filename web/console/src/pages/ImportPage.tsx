import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, errorMessage, type ContactImport, type Id, type UploadProgress } from '../api';
import { EmptyState, ErrorBanner, Loading, PageHeader } from '../components/Feedback';
import { ImportProgress, ImportStatusBadge, isFinished } from '../components/ImportProgress';
import { ActionsHeader, TableCard } from '../components/Table';
import { formatBytes, formatDateTime } from '../lib/format';
import { useLoadedList } from '../lib/useLoadedList';

const POLL_MS = 500;

function uploadErrorMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 413) return 'The file is too large (the limit is 100 MiB).';
  return errorMessage(err);
}

export function ImportPage() {
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [upload, setUpload] = useState<UploadProgress | null>(null);
  const [job, setJob] = useState<ContactImport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const [pollKey, setPollKey] = useState(0);

  const { items: history, error: historyError, load: loadHistory } = useLoadedList(api.listImports, errorMessage);

  // Poll the running import every 500 ms until it completes or fails.
  const jobId = job?.id;
  const jobDone = isFinished(job);
  useEffect(() => {
    if (jobId === undefined || jobDone) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const next = await api.getImport(jobId);
        if (cancelled) return;
        setPollError(null);
        setJob(next);
        if (!isFinished(next)) timer = setTimeout(tick, POLL_MS);
        else loadHistory();
      } catch (err) {
        if (!cancelled) setPollError(errorMessage(err));
      }
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [jobId, jobDone, pollKey, loadHistory]);

  function chooseFile(f: File | null) {
    setError(null);
    if (!f) {
      setFile(null);
      setFileError(null);
      return;
    }
    if (!/\.csv$/i.test(f.name) && f.type !== 'text/csv') {
      setFile(null);
      setFileError('Choose a .csv file.');
      return;
    }
    setFileError(null);
    setFile(f);
  }

  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files?.[0] ?? null;
    chooseFile(f);
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!file) {
      setFileError('Choose a CSV file to import.');
      fileInput.current?.focus();
      return;
    }
    setUploading(true);
    setError(null);
    setPollError(null);
    setJob(null);
    setUpload({ loaded: 0, total: file.size });
    try {
      const created = await api.uploadContactsImport(file, setUpload);
      setJob(created);
      setUpload({ loaded: file.size, total: file.size });
      if (isFinished(created)) loadHistory();
    } catch (err) {
      setError(uploadErrorMessage(err));
      setUpload(null);
    } finally {
      setUploading(false);
    }
  }

  async function viewImport(id: Id) {
    setError(null);
    setPollError(null);
    try {
      const found = await api.getImport(id);
      setUpload(null);
      setJob(found);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  function reset() {
    setFile(null);
    setJob(null);
    setUpload(null);
    setError(null);
    if (fileInput.current) fileInput.current.value = '';
  }

  const busy = uploading || (!!job && !jobDone);

  return (
    <div className="page">
      <PageHeader
        title="Import contacts"
        back={
          <Link to="/contacts" className="back-link">
            ← Contacts
          </Link>
        }
        description="Upload a CSV file. Rows are matched by phone, then email: existing contacts are updated, new ones created."
      />

      <div className="grid-main-aside">
        <section className="card">
          <form className="form" onSubmit={onSubmit} noValidate>
            {error && <ErrorBanner title="The import could not be started.">{error}</ErrorBanner>}
            <div
              className={`dropzone${dragging ? ' dropzone--active' : ''}${fileError ? ' dropzone--invalid' : ''}`}
              onDragOver={(e) => {
                e.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={onDrop}
            >
              <div className="dropzone__icon" aria-hidden="true">
                ⇪
              </div>
              <label htmlFor="import-file" className="field__label">
                CSV file
              </label>
              <p className="dropzone__hint" id="import-file-hint">
                Drag a .csv file here, or choose one. Up to 100 MiB.
              </p>
              <input
                ref={fileInput}
                id="import-file"
                type="file"
                accept=".csv,text/csv"
                className="dropzone__input"
                required
                aria-required="true"
                aria-invalid={fileError ? true : undefined}
                aria-describedby={`import-file-hint${fileError ? ' import-file-error' : ''}`}
                onChange={(e) => chooseFile(e.target.files?.[0] ?? null)}
                disabled={busy}
              />
              {file && (
                <p className="dropzone__file">
                  <strong>{file.name}</strong> <span className="muted">({formatBytes(file.size)})</span>
                </p>
              )}
              {fileError && (
                <p id="import-file-error" className="field__error">
                  {fileError}
                </p>
              )}
            </div>
            <div className="form-actions">
              {jobDone && (
                <button type="button" className="btn btn--secondary" onClick={reset}>
                  Import another file
                </button>
              )}
              <button type="submit" className="btn btn--primary" disabled={busy || !file}>
                {uploading ? 'Uploading…' : busy ? 'Importing…' : 'Upload and import'}
              </button>
            </div>
          </form>

          {pollError && (
            <ErrorBanner title="Lost track of the import." onRetry={() => setPollKey((k) => k + 1)}>
              {pollError}
            </ErrorBanner>
          )}
          {(upload || job) && <ImportProgress upload={upload} job={job} />}
        </section>

        <aside className="card help">
          <h2 className="card__title">CSV format</h2>
          <p>The first row holds column names (any order, case-insensitive):</p>
          <p className="code-list">
            <code>name</code> <code>email</code> <code>phone</code> <code>extra_phones</code> <code>wa_id</code> <code>tags</code>{' '}
            <code>assigned_to_email</code> <code>departments</code> <code>opt_in_whatsapp</code> <code>opt_in_sms</code>{' '}
            <code>opt_in_email</code> <code>bank_name</code> <code>account_holder</code> <code>account_number</code>{' '}
            <code>routing_number</code> <code>iban</code> <code>attr.&lt;key&gt;</code>
          </p>
          <p>
            Separate several values in one cell with <code>;</code>. Phones use E.164, e.g. <code>+15551234567</code>.
          </p>
        </aside>
      </div>

      <section className="section" aria-labelledby="past-imports">
        <h2 id="past-imports" className="section__title">
          Past imports
        </h2>
        {historyError && <ErrorBanner title="Could not load past imports." onRetry={loadHistory}>{historyError}</ErrorBanner>}
        {!history && !historyError && <Loading label="Loading past imports…" />}
        {history && history.length === 0 && (
          <EmptyState icon="⇪" title="No imports yet">
            Imports you run appear here with their results.
          </EmptyState>
        )}
        {history && history.length > 0 && (
          <TableCard
            head={
              <>
                <th scope="col">File</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Created
                </th>
                <th scope="col" className="num">
                  Updated
                </th>
                <th scope="col" className="num">
                  Rejected
                </th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <ActionsHeader />
              </>
            }
          >
            {history.map((imp) => (
              <tr key={String(imp.id)}>
                <th scope="row">{imp.fileName || `Import #${imp.id}`}</th>
                <td>
                  <ImportStatusBadge status={imp.status} />
                </td>
                <td className="num">{imp.rowsCreated}</td>
                <td className="num">{imp.rowsUpdated}</td>
                <td className="num">{imp.rowsRejected}</td>
                <td className="nowrap">{formatDateTime(imp.createdAt)}</td>
                <td className="nowrap">{formatDateTime(imp.completedAt)}</td>
                <td>
                  <button type="button" className="btn btn--ghost btn--sm" onClick={() => viewImport(imp.id)} disabled={busy}>
                    View<span className="visually-hidden"> import {imp.fileName || String(imp.id)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </TableCard>
        )}
      </section>
    </div>
  );
}
