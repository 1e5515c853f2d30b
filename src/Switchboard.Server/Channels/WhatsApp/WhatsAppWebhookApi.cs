using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Platform.Http;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Meta's webhook for a WhatsApp channel: the subscription handshake, and event delivery — verified on the raw
/// bytes, stored durably, answered at once; <see cref="WebhookProcessor"/> processes it.</summary>
public static class WhatsAppWebhookApi
{
    /// <summary>Meta batches up to 1,000 updates in one POST.</summary>
    public const long MaxBodyBytes = 10 * 1024 * 1024;

    private static readonly ChannelType[] Types = [ChannelType.WhatsApp];

    public static void MapWhatsAppWebhooks(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/webhooks/whatsapp").WithTags("Provider webhooks").AllowAnonymous();
        webhooks.MapGet("/{channelId:long}", Verify);
        webhooks.MapPost("/{channelId:long}", Receive).WithMetadata(new BodySizeLimit(MaxBodyBytes));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Verify(long channelId, HttpRequest request, WebhookInbox inbox,
        CancellationToken cancellationToken)
    {
        var found = await inbox.FindAsync(channelId, Types, cancellationToken);
        var token = found?.Secrets["verifyToken"]?.GetValue<string>();
        var query = request.Query;
        if (found is null || token is null || query["hub.mode"] != "subscribe"
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(query["hub.verify_token"].ToString()), Encoding.UTF8.GetBytes(token)))
            return Problems.Forbidden("The verify token does not match this channel.");
        return TypedResults.Text(query["hub.challenge"].ToString(), "text/plain");
    }

    private static async Task<Results<Ok, ProblemHttpResult>> Receive(long channelId, HttpRequest request, WebhookInbox inbox,
        CancellationToken cancellationToken)
    {
        var found = await inbox.FindAsync(channelId, Types, cancellationToken);
        if (found is null)
            return Problems.NotFound("Channel");
        var body = await WebhookInbox.ReadBodyAsync(request, cancellationToken);
        var appSecret = found.Value.Secrets["appSecret"]?.GetValue<string>();
        if (appSecret is null || !WhatsAppSignature.IsValid(body, request.Headers[WhatsAppSignature.Header], appSecret))
            return TypedResults.Problem(title: "Unauthorized", detail: $"Missing or wrong {WhatsAppSignature.Header}.", statusCode: StatusCodes.Status401Unauthorized);
        await inbox.AcceptAsync(found.Value.Channel, Encoding.UTF8.GetString(body), WebhookInbox.Hash(body), cancellationToken);
        return TypedResults.Ok();
    }
}
