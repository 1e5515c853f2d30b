using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Jobs;
using Switchboard.Platform.Security;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Meta's webhook for a WhatsApp channel: the subscription handshake, and event delivery — verified on the raw
/// bytes, stored durably, answered at once; <see cref="WhatsAppInboundJob"/> processes it.</summary>
public static class WhatsAppWebhookApi
{
    /// <summary>Meta batches up to 1,000 updates in one POST.</summary>
    public const long MaxBodyBytes = 10 * 1024 * 1024;

    public static void MapWhatsAppWebhooks(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/webhooks/whatsapp").WithTags("Provider webhooks").AllowAnonymous();
        webhooks.MapGet("/{channelId:long}", Verify);
        webhooks.MapPost("/{channelId:long}", Receive).WithMetadata(new BodySizeLimit(MaxBodyBytes));
    }

    /// <summary>A webhook names its channel, not its tenant: this lookup spans tenants by design, and the signature (or
    /// verify token) is what proves the caller.</summary>
    private static async Task<(Channel Channel, JsonObject Secrets)?> FindAsync(long channelId, SwitchboardDbContext db, SecretProtector secrets,
        CancellationToken cancellationToken)
    {
        var channel = await db.Channels.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == channelId && c.Type == ChannelType.WhatsApp && c.Status == ChannelStatus.Active, cancellationToken);
        if (channel is null)
            return null;
        return (channel, ChannelSecrets.Read(channel, secrets));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Verify(long channelId, HttpRequest request, SwitchboardDbContext db,
        SecretProtector secrets, CancellationToken cancellationToken)
    {
        var found = await FindAsync(channelId, db, secrets, cancellationToken);
        var token = found?.Secrets["verifyToken"]?.GetValue<string>();
        var query = request.Query;
        if (found is null || token is null || query["hub.mode"] != "subscribe"
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(query["hub.verify_token"].ToString()), Encoding.UTF8.GetBytes(token)))
            return Problems.Forbidden("The verify token does not match this channel.");
        return TypedResults.Text(query["hub.challenge"].ToString(), "text/plain");
    }

    private static async Task<Results<Ok, ProblemHttpResult>> Receive(long channelId, HttpRequest request, SwitchboardDbContext db,
        SecretProtector secrets, TenantContext scope, JobQueue jobs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = await FindAsync(channelId, db, secrets, cancellationToken);
        if (found is null)
            return Problems.NotFound("Channel");
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        var appSecret = found.Value.Secrets["appSecret"]?.GetValue<string>();
        if (appSecret is null || !WhatsAppSignature.IsValid(body, request.Headers[WhatsAppSignature.Header], appSecret))
            return TypedResults.Problem(title: "Unauthorized", detail: $"Missing or wrong {WhatsAppSignature.Header}.", statusCode: StatusCodes.Status401Unauthorized);

        scope.Enter(found.Value.Channel.TenantId);
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        if (await db.WebhookEvents.AnyAsync(e => e.ChannelId == channelId && e.PayloadHash == hash, cancellationToken))
            return TypedResults.Ok(); // a re-delivery of what is already stored
        var stored = new WebhookEvent { ChannelId = channelId, Payload = Encoding.UTF8.GetString(body), PayloadHash = hash, ReceivedAt = clock.GetUtcNow() };
        // The event and the job that processes it commit together: an accepted webhook is never left unprocessed.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.WebhookEvents.Add(stored);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return TypedResults.Ok(); // the same delivery, racing itself
        }
        jobs.Enqueue(WhatsAppInboundJob.JobType, new WhatsAppInboundJob.Payload(stored.Id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok();
    }
}
