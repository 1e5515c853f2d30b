using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;

namespace Switchboard.Channels;

/// <summary>What one stored webhook says: customers' messages and delivery reports.</summary>
public sealed record ProviderUpdate(IReadOnlyList<InboundMessage> Messages, IReadOnlyList<ProviderStatus> Statuses)
{
    public static readonly ProviderUpdate Empty = new([], []);
}

/// <summary>Reads a provider's stored webhooks. Runs inside the processing unit of work (scoped), so anything else a
/// payload carries (WhatsApp's template reviews) is applied with it.</summary>
public interface IWebhookReader
{
    bool Reads(ChannelType type);

    Task<ProviderUpdate> ReadAsync(Channel channel, WebhookEvent stored, CancellationToken cancellationToken);
}

public sealed class WebhookProcessingOptions
{
    public const string Section = "Webhooks:Processing";
    /// <summary>Most webhooks one unit of work takes: under load a batch is what arrived while the previous one ran. On
    /// SQLite (default 50) a batch holds the database's one write lock, which incoming webhooks wait for, so batches stay
    /// short; PostgreSQL (default 200) stores them meanwhile.</summary>
    public int? BatchSize { get; set; }
    /// <summary>How long a claimed batch stays claimed: a node that dies mid-batch leaves it to others after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Batches one node processes at once on PostgreSQL (default 2): one batch is filed while the next waits on
    /// the database, and claims skip each other's rows. SQLite has one writer, and always one loop.</summary>
    public int? Loops { get; set; }
    /// <summary>Most channels <see cref="WebhookChannelCache"/> keeps at once (least recently used go first).</summary>
    public int ChannelCacheSize { get; set; } = 10_000;
}

/// <summary>Turns stored webhooks into inbox messages and delivery reports, a batch at a time: it claims due rows of
/// <c>webhook_events</c> straight off their index (a lease in <c>run_at</c>, <c>SKIP LOCKED</c> between nodes on PostgreSQL),
/// and files each tenant's share in one unit of work — a few queries for the lot, where a job per webhook cost a dozen round
/// trips each. If a batch fails, its webhooks are taken one by one, so one bad payload holds up nobody else. Safe to run
/// twice: messages are unique per provider id and reports per status and time. A report for a message whose send has not
/// recorded its id yet is retried shortly (providers can be faster than our own commit).</summary>
public sealed class WebhookProcessor(
    IServiceScopeFactory scopes, WebhookProcessingOptions options, JobOptions jobs, DatabaseOptions database, TimeProvider clock,
    ILogger<WebhookProcessor> logger)
    : BackgroundService
{
    /// <summary>Attempts before a webhook is given up on (its error stays in <see cref="WebhookEvent.LastError"/>).</summary>
    public const int MaxAttempts = 8;

    private readonly SemaphoreSlim arrived = new(0);

    /// <summary>Wakes the processor at once when webhooks were stored on this node, instead of at its next poll.</summary>
    public void Notify()
    {
        if (arrived.CurrentCount == 0)
            arrived.Release();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!jobs.Enabled)
            return Task.CompletedTask;
        var loops = database.Provider == DatabaseProvider.Postgres ? options.Loops ?? 2 : 1;
        return Task.WhenAll(Enumerable.Range(0, Math.Max(1, loops)).Select(_ => Task.Run(() => LoopAsync(stoppingToken), stoppingToken)));
    }

    private Task LoopAsync(CancellationToken stoppingToken) => WorkLoop.RunAsync(async ct => await RunBatchAsync(ct) > 0,
        ct => arrived.WaitAsync(options.PollInterval, ct), options.PollInterval, logger, "Webhook processing", stoppingToken);

    /// <summary>Claims and processes one batch of due webhooks; how many there were. Stopping interrupts the wait for work,
    /// not a claimed batch: cut off, its webhooks would sit out their lease before anyone took them again.</summary>
    internal async Task<int> RunBatchAsync(CancellationToken stoppingToken)
    {
        var batch = await ClaimAsync(stoppingToken);
        var cancellationToken = CancellationToken.None;
        // Claimed more often than it may be tried: its node died during each attempt. Not again, and not with the others.
        foreach (var poison in batch.Where(e => e.Attempts > MaxAttempts))
            await FailAsync(poison, new InvalidOperationException($"Processing stopped its worker during each of {MaxAttempts} attempts."), cancellationToken);
        foreach (var tenantShare in batch.Where(e => e.Attempts <= MaxAttempts).GroupBy(e => e.TenantId))
        {
            var events = tenantShare.ToList();
            try
            {
                await ProcessAsync(tenantShare.Key, events, cancellationToken);
            }
            catch (Exception e) when (events.Count > 1 && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "A batch of {Count} webhooks failed; processing them one by one", events.Count);
                foreach (var single in events)
                    await ProcessAloneAsync(single, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                await FailAsync(events[0], e, cancellationToken);
            }
        }
        return batch.Count;
    }

    private async Task ProcessAloneAsync(WebhookEvent stored, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessAsync(stored.TenantId, [stored], cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            await FailAsync(stored, e, cancellationToken);
        }
    }

    /// <summary>The oldest due webhooks, this attempt counted. On PostgreSQL they are claimed until the lease ends (a crash
    /// leaves them due again then), <c>SKIP LOCKED</c> letting nodes and loops claim side by side, and the attempt is counted
    /// in the claim itself, so a webhook whose processing kills the process runs out of attempts like any other. SQLite has one node, one loop and one writer: reading them is claim enough, and saves a commit — on SQLite
    /// a disk flush every incoming webhook would wait behind.</summary>
    private async Task<List<WebhookEvent>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var now = clock.GetUtcNow();
        // Claimed across tenants on purpose: the processor serves them all, and enters each one's scope to process its share.
        var due = db.IsSqlite
            ? db.WebhookEvents.FromSqlRaw("SELECT * FROM webhook_events WHERE run_at <= {0} ORDER BY run_at, id LIMIT {1}", now.UtcTicks,
                options.BatchSize ?? 50)
            : db.WebhookEvents.FromSqlRaw("""
                UPDATE webhook_events SET run_at = {0}, attempts = attempts + 1
                WHERE id IN (SELECT id FROM webhook_events WHERE run_at <= {1} ORDER BY run_at, id LIMIT {2} FOR UPDATE SKIP LOCKED)
                RETURNING *
                """, now + options.Lease, now, options.BatchSize ?? 200);
        var claimed = await due.IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken);
        if (db.IsSqlite)
            claimed.ForEach(e => e.Attempts++);
        return claimed.OrderBy(e => e.Id).ToList();
    }

    /// <summary>One tenant's webhooks in one unit of work: their messages filed together, their reports applied, and each
    /// marked processed or, when a report names a message not recorded yet, due again shortly.</summary>
    private async Task ProcessAsync(long tenantId, List<WebhookEvent> events, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId);
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<SwitchboardDbContext>();
        var readers = services.GetServices<IWebhookReader>().ToList();
        var statuses = services.GetRequiredService<MessageStatuses>();
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);

        var channelIds = events.Select(e => e.ChannelId).Distinct().ToList();
        var channels = await db.Channels.AsNoTracking().Include(c => c.Departments).Where(c => channelIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var updates = new List<(WebhookEvent Stored, Channel Channel, ProviderUpdate Update)>();
        foreach (var stored in events)
        {
            // A deleted channel takes its webhooks with it (cascade); one deleted since the claim leaves nothing to do.
            if (!channels.TryGetValue(stored.ChannelId, out var channel))
                continue;
            var reader = readers.FirstOrDefault(r => r.Reads(channel.Type))
                ?? throw new InvalidOperationException($"No webhook reader for {channel.Type} channels.");
            updates.Add((stored, channel, await reader.ReadAsync(channel, stored, cancellationToken)));
        }
        await services.GetRequiredService<InboundMessages>().RecordAsync(
            updates.SelectMany(u => u.Update.Messages.Select(m => new InboundMessages.ChannelMessage(u.Channel, m))).ToList(), cancellationToken);

        var reports = updates.SelectMany(u => u.Update.Statuses.Select(s => (u.Stored, Report: new MessageStatuses.ChannelReport(u.Channel, s)))).ToList();
        var found = await statuses.ApplyAsync(reports.Select(r => r.Report).ToList(), cancellationToken);
        var unmatched = reports.Where((_, i) => !found[i]).CountBy(r => r.Stored.Id).ToDictionary();

        var now = clock.GetUtcNow();
        foreach (var stored in events)
        {
            var waiting = unmatched.GetValueOrDefault(stored.Id);
            stored.LastError = waiting > 0 ? $"{waiting} status reports name messages not recorded yet." : null;
            if (waiting > 0 && stored.Attempts < MaxAttempts)
                stored.RunAt = now + TimeSpan.FromSeconds(2 * stored.Attempts);
            else
                (stored.RunAt, stored.ProcessedAt) = (null, now);
            // The claimed copy is not what the row holds (on SQLite the attempt is counted in memory; a failed batch may have
            // set these fields before this retry), so the outcome is written whole rather than compared with it.
            var entry = db.WebhookEvents.Attach(stored);
            foreach (var outcome in OutcomeProperties)
                entry.Property(outcome).IsModified = true;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static readonly string[] OutcomeProperties =
        [nameof(WebhookEvent.RunAt), nameof(WebhookEvent.ProcessedAt), nameof(WebhookEvent.Attempts), nameof(WebhookEvent.LastError)];

    /// <summary>Records why a webhook could not be processed: due again after an exponential backoff (2, 4, 8 ... s), or,
    /// after the last attempt, given up on.</summary>
    private async Task FailAsync(WebhookEvent stored, Exception error, CancellationToken cancellationToken)
    {
        var dead = stored.Attempts >= MaxAttempts;
        logger.LogWarning(error, "Webhook {EventId} attempt {Attempt} failed{Outcome}", stored.Id, stored.Attempts, dead ? "; given up" : "");
        DateTimeOffset? retryAt = dead ? null : clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Pow(2, stored.Attempts));
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().WebhookEvents.IgnoreQueryFilters().Where(e => e.Id == stored.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.RunAt, retryAt).SetProperty(e => e.Attempts, stored.Attempts).SetProperty(e => e.LastError, error.Message),
                cancellationToken);
    }
}
