using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Retention;

namespace Switchboard.Channels;

/// <summary>Stored provider webhooks (Mailgun's carry attachments, up to 50 MB a row) go once processed or given up on and
/// older than <see cref="RetentionOptions.WebhookEvents"/>; those still due stay whatever their age.</summary>
internal sealed class WebhookEventRetention(RetentionOptions options) : IRetentionRule
{
    public string Name => "webhook events";

    public async Task<int> PruneAsync(SwitchboardDbContext db, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        if (options.WebhookEvents <= TimeSpan.Zero)
            return 0;
        var cutoff = now - options.WebhookEvents;
        var events = db.WebhookEvents.IgnoreQueryFilters();
        return await RetentionBatch.DeleteAsync(events, events.Where(e => e.RunAt == null && e.ReceivedAt < cutoff).OrderBy(e => e.ReceivedAt),
            batchSize, cancellationToken);
    }
}
