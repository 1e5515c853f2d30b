using System.Text.Json;
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

/// <summary>Turns a webhook stored by <see cref="WebhookInbox"/> into inbox messages and delivery reports; each provider
/// says how to read its payload. Safe to run twice: messages are unique per provider id and reports per status and time.
/// A report for a message whose send has not recorded its id yet is retried shortly (providers can be faster than our own
/// commit).</summary>
internal abstract class WebhookEventJob(SwitchboardDbContext db, InboundMessages inbound, MessageStatuses statuses, TimeProvider clock) : IJobHandler
{
    public sealed record Payload(long EventId);

    public abstract string Type { get; }

    protected SwitchboardDbContext Db => db;

    /// <summary>The messages and reports in <paramref name="stored"/>; anything else it carries (WhatsApp's template reviews)
    /// is applied here.</summary>
    protected abstract Task<ProviderUpdate> ReadAsync(Channel channel, WebhookEvent stored, CancellationToken cancellationToken);

    public async Task RunAsync(Job job, JobLease lease, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)!;
        var stored = await db.WebhookEvents.FirstOrDefaultAsync(e => e.Id == payload.EventId, cancellationToken);
        if (stored is null || stored.ProcessedAt is not null)
            return;
        var channel = await db.Channels.AsNoTracking().Include(c => c.Departments).FirstAsync(c => c.Id == stored.ChannelId, cancellationToken);
        var update = await ReadAsync(channel, stored, cancellationToken);
        foreach (var message in update.Messages)
            await inbound.RecordAsync(channel, message, cancellationToken);
        var unmatched = 0;
        foreach (var status in update.Statuses)
        {
            if (!await statuses.ApplyAsync(channel, status, cancellationToken))
                unmatched++;
        }
        if (unmatched > 0 && job.Attempts < job.MaxAttempts)
            throw new RetryLaterException(TimeSpan.FromSeconds(2 * job.Attempts), $"{unmatched} status reports name messages not recorded yet.");
        stored.ProcessedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken) => Task.CompletedTask;
}
