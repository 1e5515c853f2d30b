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
/// and any node takes the job again. On PostgreSQL the claim uses <c>FOR UPDATE SKIP LOCKED</c>, so nodes never wait on
/// each other; SQLite has a single writer and claims with a plain conditional update.</summary>
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
        var job = await ClaimAsync(db, cancellationToken);
        if (job is null)
            return false;
        if (job.TenantId is { } tenantId)
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId);

        // Handlers are scoped: they share the job scope's DbContext and tenant.
        var handler = scope.ServiceProvider.GetServices<IJobHandler>().FirstOrDefault(h => h.Type == job.Type);
        try
        {
            if (handler is null)
                throw new InvalidOperationException($"No handler for job type '{job.Type}'.");
            await handler.RunAsync(job, new JobLease(ct => RenewAsync(db, job.Id, ct)), cancellationToken);
            await FinishAsync(db, job.Id, JobStatus.Succeeded, null, null, cancellationToken);
        }
        catch (JobPostponedException postponed) when (!cancellationToken.IsCancellationRequested)
        {
            db.ChangeTracker.Clear();
            await PostponeAsync(db, job.Id, clock.GetUtcNow() + postponed.Delay, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var dead = job.Attempts >= job.MaxAttempts || handler is null;
            // The handler's own delay when it knows one, else exponential backoff: 2, 4, 8 ... seconds, at most an hour.
            var delay = e is RetryLaterException later ? later.Delay : TimeSpan.FromSeconds(Math.Min(3600, Math.Pow(2, job.Attempts)));
            var retryAt = clock.GetUtcNow() + delay;
            logger.LogWarning(e, "Job {JobId} ({Type}) attempt {Attempt} failed{Outcome}", job.Id, job.Type, job.Attempts, dead ? "; dead-lettered" : "");
            db.ChangeTracker.Clear();
            await FinishAsync(db, job.Id, dead ? JobStatus.Dead : JobStatus.Queued, e.Message, dead ? null : retryAt, cancellationToken);
            if (dead && handler is not null)
                await handler.OnDeadAsync(job, e.Message, cancellationToken);
        }
        return true;
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
        var batch = db.Jobs.Where(j => j.Status == JobStatus.Succeeded && j.CompletedAt < cutoff).OrderBy(j => j.Id).Select(j => j.Id).Take(5_000);
        return await db.Jobs.Where(j => batch.Contains(j.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>When this worker last looked for jobs whose worker died (their lease ran out): a few seconds apart, not on
    /// every claim, since under load that second query would double the cost of claiming.</summary>
    private DateTimeOffset nextLeaseSweep = DateTimeOffset.MinValue;

    /// <summary>Claims the due job that has waited longest. Queued jobs are found through the (status, run_at, id) index
    /// without sorting the backlog; jobs with an expired lease are looked for every few seconds.</summary>
    private async Task<Job?> ClaimAsync(SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now >= nextLeaseSweep)
        {
            nextLeaseSweep = now + LeaseSweepInterval;
            if (await ClaimWhereAsync(db, "status = 'Running' AND locked_until < {2}", now, cancellationToken) is { } abandoned)
                return abandoned;
        }
        return await ClaimWhereAsync(db, "status = 'Queued' AND run_at <= {2}", now, cancellationToken);
    }

    private static readonly TimeSpan LeaseSweepInterval = TimeSpan.FromSeconds(5);

    private async Task<Job?> ClaimWhereAsync(SwitchboardDbContext db, string condition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leaseEnd = now + options.Lease;
        // SKIP LOCKED lets PostgreSQL nodes and loops claim side by side; SQLite has one writer and needs no row lock.
        var rowLock = db.IsSqlite ? "" : " FOR UPDATE SKIP LOCKED";
        var sql = $$"""
            UPDATE jobs SET status = 'Running', locked_until = {0}, locked_by = {1}, attempts = attempts + 1
            WHERE id = (SELECT id FROM jobs WHERE {{condition}} ORDER BY run_at, id LIMIT 1{{rowLock}})
            RETURNING *
            """;
        object leaseParameter = db.IsSqlite ? leaseEnd.UtcTicks : leaseEnd;
        object nowParameter = db.IsSqlite ? now.UtcTicks : now;
        var claimed = await db.Jobs.FromSqlRaw(sql, leaseParameter, node, nowParameter).AsNoTracking().ToListAsync(cancellationToken);
        return claimed.SingleOrDefault();
    }

    private Task RenewAsync(SwitchboardDbContext db, long jobId, CancellationToken cancellationToken)
    {
        var leaseEnd = clock.GetUtcNow() + options.Lease;
        return db.Jobs.Where(j => j.Id == jobId && j.LockedBy == node)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LockedUntil, leaseEnd), cancellationToken);
    }

    /// <summary>Puts the job back in the queue until <paramref name="runAt"/> and takes back the attempt its claim counted.</summary>
    private Task PostponeAsync(SwitchboardDbContext db, long jobId, DateTimeOffset runAt, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => j.Id == jobId && j.LockedBy == node).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.RunAt, runAt)
            .SetProperty(j => j.Attempts, j => j.Attempts - 1)
            .SetProperty(j => j.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(j => j.LockedBy, (string?)null), cancellationToken);

    private Task FinishAsync(SwitchboardDbContext db, long jobId, JobStatus status, string? error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? completedAt = status is JobStatus.Succeeded or JobStatus.Dead ? now : null;
        return db.Jobs.Where(j => j.Id == jobId && j.LockedBy == node).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status)
            .SetProperty(j => j.LastError, error)
            .SetProperty(j => j.RunAt, j => retryAt ?? j.RunAt)
            .SetProperty(j => j.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(j => j.LockedBy, (string?)null)
            .SetProperty(j => j.CompletedAt, completedAt), cancellationToken);
    }
}
