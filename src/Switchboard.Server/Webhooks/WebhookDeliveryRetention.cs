using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Retention;

namespace Switchboard.Webhooks;

/// <summary>The delivery log keeps finished deliveries (delivered or failed) for <see cref="RetentionOptions.WebhookDeliveries"/>;
/// ones still being tried stay.</summary>
internal sealed class WebhookDeliveryRetention(RetentionOptions options) : IRetentionRule
{
    public string Name => "webhook deliveries";

    public async Task<int> PruneAsync(SwitchboardDbContext db, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        if (options.WebhookDeliveries <= TimeSpan.Zero)
            return 0;
        var cutoff = now - options.WebhookDeliveries;
        var deliveries = db.WebhookDeliveries.IgnoreQueryFilters();
        return await RetentionBatch.DeleteAsync(deliveries,
            deliveries.Where(d => d.Status != WebhookDeliveryStatus.Pending && d.CreatedAt < cutoff).OrderBy(d => d.CreatedAt), batchSize, cancellationToken);
    }
}
