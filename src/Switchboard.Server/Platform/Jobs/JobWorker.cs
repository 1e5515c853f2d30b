using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;

namespace Switchboard.Platform.Jobs;

public sealed class JobOptions
{
    public const string Section = "Jobs";
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public bool Enabled { get; set; } = true;
    /// <summary>Jobs one node runs at once, so a slow provider call does not hold up the rest. PostgreSQL claims with SKIP
    /// LOCKED, so loops never wait on each other (default 4); SQLite has one writer, so its loops overlap only outside their
    /// short transactions (default 2).</summary>
    public int? Concurrency { get; set; }
    /// <summary>How long finished jobs stay in the table (for inspection) before they are deleted; dead ones are kept.</summary>
    public TimeSpan KeepSucceededFor { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>Claims due jobs one at a time and runs them. A claim is a lease: if this node dies mid-job the lease expires
/// and any node takes the job again. While a handler runs, the worker renews its lease; every claim carries its own token, and
/// renewing, postponing and finishing are conditional on it, so a runner that lost its claim (a pause longer than the lease)
/// changes nothing and has its handler cancelled. On PostgreSQL the claim uses <c>FOR UPDATE SKIP LOCKED</c>, so nodes never
/// wait on each other, and lease times come from the database's clock, so a node whose clock is ahead cannot take a running
/// job early; SQLite has a single writer (one node, one clock) and claims with a plain conditional update.</summary>
internal sealed class JobWorker(
    IServiceScopeFactory scopes, JobSignal signal, JobOptions options, DatabaseOptions database, TimeProvider clock,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly string node = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = options.Concurrency ?? (database.Provider == DatabaseProvider.Postgres ? 4 : 2);
        return Task.WhenAll(Enumerable.Range(0, Math.Max(1, loops)).Select(_ => Task.Run(() => LoopAsync(stoppingToken), stoppingToken)));
    }

    private Task LoopAsync(CancellationToken stoppingToken) => WorkLoop.RunAsync(RunNextAsync, async ct =>
    {
        await PurgeSucceededAsync(ct);
        await signal.WaitAsync(options.PollInterval, ct);
    }, options.PollInterval, logger, "Job worker loop", stoppingToken);

    /// <summary>Claims and runs one due job; false when none was due.</summary>
    internal async Task<bool> RunNextAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var claim = $"{node}/{Guid.NewGuid():N}";
        var job = await ClaimAsync(db, claim, cancellationToken);
        if (job is null)
            return false;
        if (job.TenantId is { } tenantId)
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId);

        // Handlers are scoped: they share the job scope's DbContext and tenant.
        var handler = scope.ServiceProvider.GetServices<IJobHandler>().FirstOrDefault(h => h.Type == job.Type);
        if (handler is not null && job.Attempts > job.MaxAttempts)
        {
            // Its lease ran out during each attempt: whatever it does stops the process (or outlasts it). Not again.
            await DeadLetterAsync(db, handler, job, claim, $"Gave up: the worker stopped during each of its {job.MaxAttempts} attempts.", cancellationToken);
            return true;
        }
        using var claimHeld = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var finished = new CancellationTokenSource();
        var renewing = KeepLeaseAsync(job.Id, claim, claimHeld, finished.Token);
        try
        {
            if (handler is null)
                throw new InvalidOperationException($"No handler for job type '{job.Type}'.");
            await handler.RunAsync(job, claimHeld.Token);
            await finished.CancelAsync();
            await renewing;
            await FinishAsync(db, job.Id, claim, JobStatus.Succeeded, null, null, cancellationToken);
        }
        catch (JobPostponedException postponed) when (!cancellationToken.IsCancellationRequested)
        {
            await finished.CancelAsync();
            await renewing;
            db.ChangeTracker.Clear();
            await PostponeAsync(db, job.Id, claim, clock.GetUtcNow() + postponed.Delay, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            await finished.CancelAsync();
            await renewing;
            db.ChangeTracker.Clear();
            if (job.Attempts >= job.MaxAttempts || handler is null)
            {
                logger.LogWarning(e, "Job {JobId} ({Type}) attempt {Attempt} failed; dead-lettered", job.Id, job.Type, job.Attempts);
                await DeadLetterAsync(db, handler, job, claim, e.Message, cancellationToken);
                return true;
            }
            // The handler's own delay when it knows one, else exponential backoff: 2, 4, 8 ... seconds, at most an hour.
            var delay = e is RetryLaterException later ? later.Delay : TimeSpan.FromSeconds(Math.Min(3600, Math.Pow(2, job.Attempts)));
            logger.LogWarning(e, "Job {JobId} ({Type}) attempt {Attempt} failed", job.Id, job.Type, job.Attempts);
            await FinishAsync(db, job.Id, claim, JobStatus.Queued, e.Message, clock.GetUtcNow() + delay, cancellationToken);
        }
        return true;
    }

    /// <summary>Renews the claim every third of the lease until <paramref name="finished"/>; when the claim turns out to be lost
    /// (another node took the job after this one went quiet too long), cancels the handler through <paramref name="claimHeld"/>.</summary>
    private async Task KeepLeaseAsync(long jobId, string claim, CancellationTokenSource claimHeld, CancellationToken finished)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Lease / 3, finished);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
                if (await RenewAsync(db, jobId, claim, finished) == 0)
                {
                    logger.LogWarning("Job {JobId} lost its claim to another worker; its run here is cancelled", jobId);
                    await claimHeld.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (finished.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A renewal that fails (the database is away) leaves the lease to run out; the handler goes on meanwhile.
            logger.LogWarning(e, "Could not renew the lease of job {JobId}", jobId);
        }
    }

    /// <summary>Marks the job dead and records the failure where people look (<see cref="IJobHandler.OnDeadAsync"/>) in one
    /// transaction, so a crash between the two cannot leave, say, a message pending for good.</summary>
    private async Task DeadLetterAsync(SwitchboardDbContext db, IJobHandler? handler, Job job, string claim, string error, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await FinishAsync(db, job.Id, claim, JobStatus.Dead, error, null, cancellationToken) == 0)
            return;
        if (handler is not null)
            await handler.OnDeadAsync(job, error, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private long nextPurgeTicks;

    /// <summary>Deletes succeeded jobs older than <see cref="JobOptions.KeepSucceededFor"/>, a batch at a time, when a loop is idle
    /// (at most once a minute per node): every webhook and message leaves a job row, so the table would otherwise grow forever.</summary>
    internal async Task<int> PurgeSucceededAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = Interlocked.Read(ref nextPurgeTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref nextPurgeTicks, now.AddMinutes(1).UtcTicks, due) != due)
            return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var cutoff = now - options.KeepSucceededFor;
        return await Retention.RetentionBatch.DeleteAsync(db.Jobs, db.Jobs.Where(j => j.Status == JobStatus.Succeeded && j.CompletedAt < cutoff).OrderBy(j => j.Id),
            5_000, cancellationToken);
    }

    /// <summary>When this worker last looked for jobs whose worker died (their lease ran out): a few seconds apart, not on
    /// every claim, since under load that second query would double the cost of claiming.</summary>
    private DateTimeOffset nextLeaseSweep = DateTimeOffset.MinValue;

    /// <summary>Claims the due job that has waited longest. Queued jobs are found through the (status, run_at, id) index
    /// without sorting the backlog; jobs with an expired lease are looked for every few seconds.</summary>
    private async Task<Job?> ClaimAsync(SwitchboardDbContext db, string claim, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now >= nextLeaseSweep)
        {
            nextLeaseSweep = now + LeaseSweepInterval;
            var expired = db.IsSqlite ? "locked_until < {2}" : "locked_until < clock_timestamp()";
            if (await ClaimWhereAsync(db, claim, $"status = 'Running' AND {expired}", now, cancellationToken) is { } abandoned)
                return abandoned;
        }
        return await ClaimWhereAsync(db, claim, "status = 'Queued' AND run_at <= {2}", now, cancellationToken);
    }

    private static readonly TimeSpan LeaseSweepInterval = TimeSpan.FromSeconds(5);

    private async Task<Job?> ClaimWhereAsync(SwitchboardDbContext db, string claim, string condition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // SKIP LOCKED lets PostgreSQL nodes and loops claim side by side; SQLite has one writer and needs no row lock.
        var rowLock = db.IsSqlite ? "" : " FOR UPDATE SKIP LOCKED";
        var sql = $$"""
            UPDATE jobs SET status = 'Running', locked_until = {{LeaseEnd(db)}}, locked_by = {1}, attempts = attempts + 1
            WHERE id = (SELECT id FROM jobs WHERE {{condition}} ORDER BY run_at, id LIMIT 1{{rowLock}})
            RETURNING *
            """;
        object nowParameter = db.IsSqlite ? now.UtcTicks : now;
        var claimed = await db.Jobs.FromSqlRaw(sql, LeaseParameter(db, now), claim, nowParameter).AsNoTracking().ToListAsync(cancellationToken);
        return claimed.SingleOrDefault();
    }

    /// <summary>The end of a lease starting now, as SQL over parameter {0}: the database's clock on PostgreSQL, where nodes'
    /// clocks may disagree; this node's on SQLite (one node).</summary>
    private static string LeaseEnd(SwitchboardDbContext db) => db.IsSqlite ? "{0}" : "clock_timestamp() + {0}";

    private object LeaseParameter(SwitchboardDbContext db, DateTimeOffset now) => db.IsSqlite ? (now + options.Lease).UtcTicks : options.Lease;

    private Task<int> RenewAsync(SwitchboardDbContext db, long jobId, string claim, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(
            db.IsSqlite
                ? "UPDATE jobs SET locked_until = {0} WHERE id = {1} AND locked_by = {2} AND status = 'Running'"
                : "UPDATE jobs SET locked_until = clock_timestamp() + {0} WHERE id = {1} AND locked_by = {2} AND status = 'Running'",
            [LeaseParameter(db, clock.GetUtcNow()), jobId, claim], cancellationToken);

    /// <summary>Puts the job back in the queue until <paramref name="runAt"/> and takes back the attempt its claim counted.</summary>
    private Task<int> PostponeAsync(SwitchboardDbContext db, long jobId, string claim, DateTimeOffset runAt, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => j.Id == jobId && j.LockedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.RunAt, runAt)
            .SetProperty(j => j.Attempts, j => j.Attempts - 1)
            .SetProperty(j => j.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(j => j.LockedBy, (string?)null), cancellationToken);

    /// <summary>Settles the claim; 0 when the claim was lost meanwhile (the row belongs to another runner and is left alone).</summary>
    private Task<int> FinishAsync(SwitchboardDbContext db, long jobId, string claim, JobStatus status, string? error, DateTimeOffset? retryAt,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? completedAt = status is JobStatus.Succeeded or JobStatus.Dead ? now : null;
        return db.Jobs.Where(j => j.Id == jobId && j.LockedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status)
            .SetProperty(j => j.LastError, error)
            .SetProperty(j => j.RunAt, j => retryAt ?? j.RunAt)
            .SetProperty(j => j.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(j => j.LockedBy, (string?)null)
            .SetProperty(j => j.CompletedAt, completedAt), cancellationToken);
    }
}
