using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;

namespace Switchboard.Webhooks;

/// <summary>Sends one pending delivery. A receiver that does not answer 2xx is tried again after <see cref="Backoff"/>; after
/// the last attempt the delivery fails. Safe to run again: a delivery no longer pending is left alone.</summary>
internal sealed class WebhookDeliveryJob(SwitchboardDbContext db, WebhookSender sender) : IJobHandler
{
    public const string JobType = "webhook.deliver";

    /// <summary>The wait after failed attempt 1, 2, ...; one last attempt follows the last wait (about 21 hours in all).</summary>
    public static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(6), TimeSpan.FromHours(12),
    ];

    public static readonly int MaxAttempts = Backoff.Length + 1;

    public sealed record Payload(long DeliveryId);

    public string Type => JobType;

    public async Task RunAsync(Job job, CancellationToken cancellationToken)
    {
        var deliveryId = Read(job);
        // Gone with its subscription, or settled already (a test ping the request sent itself, a run whose lease expired).
        if (await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId, cancellationToken) is not { Status: WebhookDeliveryStatus.Pending } delivery)
            return;
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
        if (!subscription.IsActive)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            delivery.Error = "The webhook was disabled before this delivery was sent.";
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        var delivered = await sender.AttemptAsync(delivery, subscription.Url, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (!delivered)
            throw new RetryLaterException(Backoff[Math.Min(job.Attempts, Backoff.Length) - 1], delivery.Error!);
    }

    public async Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken)
    {
        var deliveryId = Read(job);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId && d.Status == WebhookDeliveryStatus.Pending, cancellationToken);
        if (delivery is null)
            return;
        delivery.Status = WebhookDeliveryStatus.Failed;
        delivery.Error = $"Gave up after {job.Attempts} attempts: {error}";
        await db.SaveChangesAsync(cancellationToken);
    }

    private static long Read(Job job) => JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)!.DeliveryId;
}
