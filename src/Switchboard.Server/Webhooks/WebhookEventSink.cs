using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;

namespace Switchboard.Webhooks;

public static class WebhookEventTypes
{
    /// <summary>Sent only by <c>POST /webhooks/{id}/test</c>; not something to subscribe to.</summary>
    public const string Ping = "ping";

    /// <summary>The events <see cref="InboxEvents"/> raises, which subscriptions may filter on.</summary>
    public static readonly IReadOnlyList<string> Subscribable =
        ["message.created", "message.status", "conversation.created", "conversation.updated", "conversation.assigned"];

    /// <summary>The body every delivery of one event carries: <c>{"id","type","createdAt","tenantId","data"}</c>.</summary>
    public static string Envelope(string eventId, string type, DateTimeOffset createdAt, long tenantId, JsonNode data) =>
        new JsonObject { ["id"] = eventId, ["type"] = type, ["createdAt"] = createdAt, ["tenantId"] = tenantId, ["data"] = data }.ToJsonString();

    public static string NewEventId() => "evt_" + Guid.CreateVersion7().ToString("N");
}

/// <summary>Adds pending deliveries, each with the job that sends it, to the caller's unit of work (saved, not committed).</summary>
public sealed class WebhookOutbox(SwitchboardDbContext db, JobQueue jobs, TimeProvider clock)
{
    public async Task<List<WebhookDelivery>> QueueAsync(IEnumerable<long> subscriptionIds, string eventType, string eventId, string payload,
        DateTimeOffset? runAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var deliveries = subscriptionIds.Select(id => new WebhookDelivery
        {
            SubscriptionId = id, EventType = eventType, EventId = eventId, Payload = payload, Status = WebhookDeliveryStatus.Pending, CreatedAt = now,
        }).ToList();
        db.WebhookDeliveries.AddRange(deliveries);
        await db.SaveChangesAsync(cancellationToken); // the jobs name the deliveries' ids
        foreach (var delivery in deliveries)
            jobs.Enqueue(WebhookDeliveryJob.JobType, new WebhookDeliveryJob.Payload(delivery.Id), runAt).MaxAttempts = WebhookDeliveryJob.MaxAttempts;
        await db.SaveChangesAsync(cancellationToken);
        return deliveries;
    }
}

/// <summary>Turns each inbox event into a delivery for every active subscription of the tenant that wants it, inside the unit
/// of work that raised the event: a delivery exists if and only if the change committed.</summary>
internal sealed class WebhookEventSink(SwitchboardDbContext db, TenantContext scope, WebhookOutbox outbox, TimeProvider clock) : IInboxEventSink
{
    /// <summary>The tenant's active subscriptions, read once per scope: a batch of inbound webhooks raises many events.</summary>
    private List<(long Id, List<string> Events)>? active;

    public async Task OnRaisedAsync(string eventType, JsonNode payload, CancellationToken cancellationToken)
    {
        // One query on the (tenant, active) index; the event filter is a small JSON list, matched here.
        active ??= (await db.WebhookSubscriptions.AsNoTracking().Where(s => s.IsActive).Select(s => new { s.Id, s.Events })
            .ToListAsync(cancellationToken)).Select(s => (s.Id, s.Events)).ToList();
        var wanted = active.Where(s => s.Events.Count == 0 || s.Events.Contains(eventType)).Select(s => s.Id).ToList();
        if (wanted.Count == 0)
            return;
        var eventId = WebhookEventTypes.NewEventId();
        var body = WebhookEventTypes.Envelope(eventId, eventType, clock.GetUtcNow(), scope.RequiredTenantId, payload);
        await outbox.QueueAsync(wanted, eventType, eventId, body, runAt: null, cancellationToken);
    }
}
