using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Network;
using Switchboard.Tenancy;

namespace Switchboard.Webhooks;

public sealed record WebhookView(long Id, string Url, IReadOnlyList<string> Events, string? Description, bool IsActive,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Create: <c>url</c> required, <c>events</c> empty or left out = every event. Update: fields left out are kept; an
/// empty <c>description</c> clears it.</summary>
public sealed record WebhookRequest(string? Url, List<string>? Events, string? Description, bool? IsActive);

public sealed record WebhookDeliveryView(long Id, long SubscriptionId, string EventType, string EventId, WebhookDeliveryStatus Status,
    int Attempts, int? ResponseStatus, string? ResponseBody, string? Error, DateTimeOffset? LastAttemptAt, DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt, JsonNode? Payload);

/// <summary>What the receiver said to a test ping; <c>ok</c> is a 2xx answer.</summary>
public sealed record WebhookTestResult(bool Ok, long DeliveryId, string EventId, int? ResponseStatus, string? ResponseBody, string? Error);

/// <summary>The tenant's outbound webhooks (docs/webhooks.md): subscriptions, their delivery log, resending, test pings.</summary>
public static class WebhooksApi
{
    private const int MaxDescriptionLength = 500;

    public static void MapWebhooksApi(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks");
        webhooks.MapGet("/", List).RequirePermission(Permission.WebhooksManage);
        webhooks.MapPost("/", Create).RequirePermission(Permission.WebhooksManage).Audited("webhooks.create");
        webhooks.MapGet("/{id:long}", Get).RequirePermission(Permission.WebhooksManage);
        webhooks.MapPatch("/{id:long}", Update).RequirePermission(Permission.WebhooksManage).Audited("webhooks.update");
        webhooks.MapDelete("/{id:long}", Delete).RequirePermission(Permission.WebhooksManage).Audited("webhooks.delete");
        webhooks.MapGet("/{id:long}/deliveries", Deliveries).RequirePermission(Permission.WebhooksManage);
        webhooks.MapPost("/{id:long}/deliveries/{deliveryId:long}/resend", Resend).RequirePermission(Permission.WebhooksManage)
            .Audited("webhooks.resend");
        // The handler writes its entry before the ping goes out, so no transaction stays open while the receiver answers.
        webhooks.MapPost("/{id:long}/test", Test).RequirePermission(Permission.WebhooksManage).Audited("webhooks.test", handlerWritesEntry: true);
    }

    private static WebhookView View(WebhookSubscription s) => new(s.Id, s.Url, s.Events, s.Description, s.IsActive, s.CreatedAt, s.UpdatedAt);

    private static WebhookDeliveryView View(WebhookDelivery d) => new(d.Id, d.SubscriptionId, d.EventType, d.EventId, d.Status, d.Attempts,
        d.ResponseStatus, d.ResponseBody, d.Error, d.LastAttemptAt, d.DeliveredAt, d.CreatedAt, JsonNode.Parse(d.Payload));

    private static async Task<Ok<ItemList<WebhookView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<WebhookView>((await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(cancellationToken))
            .Select(View).ToList()));

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> Get(long id, SwitchboardDbContext db, CancellationToken cancellationToken) =>
        await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is { } subscription
            ? TypedResults.Ok(View(subscription))
            : Problems.NotFound("Webhook");

    /// <summary>Checks the fields given (all of them on create, where <c>url</c> is required).</summary>
    private static Validation Validate(WebhookRequest request, bool creating, OutboundGuard guard)
    {
        var validation = new Validation();
        if (creating || request.Url is not null)
        {
            if (string.IsNullOrWhiteSpace(request.Url))
                validation.Add("url", "is required.");
            else if (WebhookTargets.Problem(request.Url.Trim(), guard) is { } problem)
                validation.Add("url", problem);
        }
        var unknown = (request.Events ?? []).Where(e => !WebhookEventTypes.Subscribable.Contains(e)).Distinct().ToList();
        if (unknown.Count > 0)
            validation.Add("events", $"unknown event {string.Join(", ", unknown.Select(e => $"“{e}”"))}; the events are " +
                $"{string.Join(", ", WebhookEventTypes.Subscribable)} (an empty list means all of them).");
        validation.MaxLength("description", request.Description, MaxDescriptionLength);
        return validation;
    }

    private static string? Description(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static async Task<Results<Created<WebhookView>, ValidationProblem>> Create(WebhookRequest request, SwitchboardDbContext db,
        OutboundGuard guard, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = Validate(request, creating: true, guard);
        if (!validation.IsValid)
            return validation.ToResult();
        var now = clock.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            Url = request.Url!.Trim(), Events = (request.Events ?? []).Distinct().ToList(), Description = Description(request.Description),
            IsActive = request.IsActive ?? true, CreatedAt = now, UpdatedAt = now,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["webhookId"] = subscription.Id;
        audit.Meta["events"] = string.Join(",", subscription.Events);
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}", View(subscription));
    }

    private static async Task<Results<Ok<WebhookView>, ValidationProblem, ProblemHttpResult>> Update(long id, WebhookRequest request,
        SwitchboardDbContext db, OutboundGuard guard, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
            return Problems.NotFound("Webhook");
        var validation = Validate(request, creating: false, guard);
        if (!validation.IsValid)
            return validation.ToResult();
        var fields = new List<string>();
        if (request.Url is not null)
        {
            subscription.Url = request.Url.Trim();
            fields.Add("url");
        }
        if (request.Events is not null)
        {
            subscription.Events = request.Events.Distinct().ToList();
            fields.Add("events");
        }
        if (request.Description is not null)
        {
            subscription.Description = Description(request.Description);
            fields.Add("description");
        }
        if (request.IsActive is { } active)
        {
            subscription.IsActive = active;
            fields.Add("isActive");
        }
        subscription.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["fields"] = string.Join(",", fields);
        return TypedResults.Ok(View(subscription));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
            return Problems.NotFound("Webhook");
        db.WebhookSubscriptions.Remove(subscription); // its deliveries go with it; their queued jobs then find nothing to send
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Page<WebhookDeliveryView>>, ValidationProblem, ProblemHttpResult>> Deliveries(long id, string? status,
        string? cursor, int? limit, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        Paging.TryRead(limit, cursor, validation, out var take, out var position);
        var wanted = Enum.GetValues<WebhookDeliveryStatus>().Where(s => s.ToString().Equals(status, StringComparison.OrdinalIgnoreCase))
            .Cast<WebhookDeliveryStatus?>().FirstOrDefault();
        if (status is not null && wanted is null)
            validation.Add("status", "must be one of pending, succeeded, failed.");
        var ticks = 0L;
        if (position is not null && !long.TryParse(position.Value, NumberStyles.None, CultureInfo.InvariantCulture, out ticks))
            validation.Add("cursor", "is not a cursor this API issued.");
        if (!validation.IsValid)
            return validation.ToResult();
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, cancellationToken))
            return Problems.NotFound("Webhook");

        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (wanted is { } only)
            query = query.Where(d => d.Status == only);
        if (position is not null)
        {
            var at = new DateTimeOffset(ticks, TimeSpan.Zero);
            query = query.Where(d => d.CreatedAt < at || (d.CreatedAt == at && d.Id < position.Id));
        }
        var page = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take + 1).ToListAsync(cancellationToken);
        var next = page.Count > take
            ? new Cursor(page[take - 1].CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), page[take - 1].Id).Encode()
            : null;
        return TypedResults.Ok(new Page<WebhookDeliveryView>(page.Take(take).Select(View).ToList(), next));
    }

    /// <summary>Sends the same event again as a new delivery (same event id, so receivers that already have it can drop it).</summary>
    private static async Task<Results<Accepted<WebhookDeliveryView>, ProblemHttpResult>> Resend(long id, long deliveryId, SwitchboardDbContext db,
        WebhookOutbox outbox, AuditDetails audit, CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
            return Problems.NotFound("Webhook");
        var original = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == id, cancellationToken);
        if (original is null)
            return Problems.NotFound("Delivery");
        if (!subscription.IsActive)
            return Problems.Conflict("The webhook is disabled; enable it to resend.");
        var delivery = (await outbox.QueueAsync([id], original.EventType, original.EventId, original.Payload, runAt: null, cancellationToken)).Single();
        audit.Meta["eventId"] = original.EventId;
        audit.Meta["newDeliveryId"] = delivery.Id;
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", View(delivery));
    }

    /// <summary>Sends a <c>ping</c> now and answers what the receiver said. The ping is a delivery like any other (in the log,
    /// signed the same way) but is tried once; its queued job only sends it if this request died before it could.</summary>
    private static async Task<Results<Ok<WebhookTestResult>, ProblemHttpResult>> Test(long id, SwitchboardDbContext db, TenantContext scope,
        WebhookOutbox outbox, WebhookSender sender, AuditWriter audit, OutboundWebhookOptions options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
            return Problems.NotFound("Webhook");
        var now = clock.GetUtcNow();
        var eventId = WebhookEventTypes.NewEventId();
        var body = WebhookEventTypes.Envelope(eventId, WebhookEventTypes.Ping, now, scope.RequiredTenantId, new JsonObject { ["webhookId"] = id });
        WebhookDelivery delivery;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            delivery = (await outbox.QueueAsync([id], WebhookEventTypes.Ping, eventId, body, now + options.DeliveryTimeout + TimeSpan.FromMinutes(1),
                cancellationToken)).Single();
            audit.Add("webhooks.test", new JsonObject { ["id"] = id.ToString(CultureInfo.InvariantCulture), ["deliveryId"] = delivery.Id });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        var ok = await sender.AttemptAsync(delivery, subscription.Url, cancellationToken);
        if (!ok)
            delivery.Status = WebhookDeliveryStatus.Failed;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new WebhookTestResult(ok, delivery.Id, eventId, delivery.ResponseStatus, delivery.ResponseBody, delivery.Error));
    }
}
