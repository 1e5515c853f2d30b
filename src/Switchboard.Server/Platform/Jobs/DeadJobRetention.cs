using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Retention;

namespace Switchboard.Platform.Jobs;

/// <summary>Dead-lettered jobs stay for inspection for <see cref="RetentionOptions.DeadJobs"/> after they died.</summary>
internal sealed class DeadJobRetention(RetentionOptions options) : IRetentionRule
{
    public string Name => "dead jobs";

    public async Task<int> PruneAsync(SwitchboardDbContext db, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        if (options.DeadJobs <= TimeSpan.Zero)
            return 0;
        var cutoff = now - options.DeadJobs;
        return await RetentionBatch.DeleteAsync(db.Jobs, db.Jobs.Where(j => j.Status == JobStatus.Dead && j.CompletedAt < cutoff).OrderBy(j => j.Id),
            batchSize, cancellationToken);
    }
}
