using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;

namespace Switchboard.Platform.Retention;

/// <summary>How long finished records are kept before the retention worker deletes them. Zero keeps them for good.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";
    /// <summary>How often each node prunes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Rows one statement deletes: small, so pruning never holds a lock (or SQLite's one writer) for long.</summary>
    public int BatchSize { get; set; } = 1000;
    /// <summary>Stored provider webhooks once processed or given up on. Longer than providers re-deliver (Meta retries for up
    /// to 7 days): a re-delivery of a pruned webhook is stored again and changes nothing (messages and reports are unique).</summary>
    public TimeSpan WebhookEvents { get; set; } = TimeSpan.FromDays(14);
    /// <summary>Outbound webhook deliveries once delivered or failed (the console's delivery log).</summary>
    public TimeSpan WebhookDeliveries { get; set; } = TimeSpan.FromDays(30);
    /// <summary>Dead-lettered jobs (succeeded ones go after <c>Jobs:KeepSucceededFor</c>).</summary>
    public TimeSpan DeadJobs { get; set; } = TimeSpan.FromDays(30);
    /// <summary>Stored files that no message links to: a grace period, since an upload is linked by the send that follows it.</summary>
    public TimeSpan UnlinkedFiles { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>One kind of record that grows without end unless pruned; each module declares its own. Rules run across tenants
/// (platform maintenance) and delete at most <paramref name="batchSize"/> rows a call.</summary>
public interface IRetentionRule
{
    string Name { get; }

    /// <summary>Deletes up to <paramref name="batchSize"/> rows past their keeping time at <paramref name="now"/>; how many.</summary>
    Task<int> PruneAsync(SwitchboardDbContext db, DateTimeOffset now, int batchSize, CancellationToken cancellationToken);
}

/// <summary>Prunes every <see cref="IRetentionRule"/> once an <see cref="RetentionOptions.Interval"/>, a batch at a time until
/// nothing is left past its time, on every node that runs background work. Several nodes may prune at once: each batch is
/// one conditional delete.</summary>
internal sealed class RetentionWorker(
    IServiceScopeFactory scopes, RetentionOptions options, Jobs.JobOptions jobs, TimeProvider clock, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Housekeeping is background work: a node that serves requests only (Jobs:Enabled false) leaves it to the others.
        while (jobs.Enabled && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PruneAllAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Retention pass failed; trying again at the next one");
            }
            await Task.Delay(options.Interval, stoppingToken);
        }
    }

    /// <summary>One pass over every rule; the rows deleted per rule.</summary>
    internal async Task<Dictionary<string, int>> PruneAllAsync(CancellationToken cancellationToken)
    {
        var deleted = new Dictionary<string, int>();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        foreach (var rule in scope.ServiceProvider.GetServices<IRetentionRule>())
        {
            var total = 0;
            int batch;
            do
            {
                batch = await rule.PruneAsync(db, clock.GetUtcNow(), options.BatchSize, cancellationToken);
                total += batch;
            }
            while (batch == options.BatchSize);
            deleted[rule.Name] = total;
            if (total > 0)
                logger.LogInformation("Retention: deleted {Count} {Rule}", total, rule.Name);
        }
        return deleted;
    }
}

public static class RetentionBatch
{
    /// <summary>Deletes the first <paramref name="batchSize"/> rows of <paramref name="due"/> (already in the order to prune) from
    /// <paramref name="rows"/> in one statement; how many went.</summary>
    public static Task<int> DeleteAsync<T>(IQueryable<T> rows, IQueryable<T> due, int batchSize, CancellationToken cancellationToken) where T : class
    {
        var batch = due.Select(r => EF.Property<long>(r, "Id")).Take(batchSize);
        return rows.Where(r => batch.Contains(EF.Property<long>(r, "Id"))).ExecuteDeleteAsync(cancellationToken);
    }
}

public static class RetentionSetup
{
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions());
        services.AddSingleton<RetentionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionWorker>());
        return services;
    }
}
