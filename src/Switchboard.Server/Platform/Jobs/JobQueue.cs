using System.Text.Json;
using Switchboard.Platform.Database;

namespace Switchboard.Platform.Jobs;

/// <summary>Runs one type of job. Handlers run inside the job's tenant scope and must be idempotent: a job whose worker
/// died is run again once its lease expires. The worker keeps the lease while the handler runs and cancels the handler's token
/// if the claim is lost.</summary>
public interface IJobHandler
{
    string Type { get; }

    Task RunAsync(Job job, CancellationToken cancellationToken);

    /// <summary>Called once when the job is dead-lettered after its last attempt, to record the failure where people look.</summary>
    Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken);
}

/// <summary>Thrown by a handler that knows when it is worth trying again (a provider's rate limit says how long to wait);
/// counts as a failed attempt like any other exception.</summary>
public sealed class RetryLaterException(TimeSpan delay, string message) : Exception(message)
{
    public TimeSpan Delay { get; } = delay;
}

/// <summary>Thrown by a handler that could not start the work yet (its channel's send rate is used up): the job runs again
/// after <see cref="Delay"/> and the claim is not counted as an attempt, since nothing was tried.</summary>
public sealed class JobPostponedException(TimeSpan delay, string message) : Exception(message)
{
    public TimeSpan Delay { get; } = delay;
}

/// <summary>Wakes this node's worker at once when work is queued here, instead of at its next poll.</summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim signal = new(0);

    public void Notify()
    {
        if (signal.CurrentCount == 0)
            signal.Release();
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Queues jobs in the caller's unit of work, so the job exists if and only if the change that asked for it commits.</summary>
public sealed class JobQueue(SwitchboardDbContext db, TenantContext scope, JobSignal signal, TimeProvider clock)
{
    public Job Enqueue(string type, object payload, DateTimeOffset? runAt = null)
    {
        var now = clock.GetUtcNow();
        var job = new Job
        {
            TenantId = scope.TenantId,
            Type = type,
            Payload = JsonSerializer.Serialize(payload, JsonSerializerOptions.Web),
            RunAt = runAt ?? now,
            CreatedAt = now,
        };
        db.Jobs.Add(job);
        // Woken before the commit, the worker would find nothing yet and sleep a whole poll interval.
        db.AfterCommit(signal.Notify);
        return job;
    }
}
