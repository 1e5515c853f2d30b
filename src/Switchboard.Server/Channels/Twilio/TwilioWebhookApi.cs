using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Platform.Http;

namespace Switchboard.Channels.Twilio;

/// <summary>Twilio's webhook for an SMS or WhatsApp channel: inbound messages and status callbacks arrive at the same URL,
/// signed with the account's auth token. Verified, stored, answered at once; <see cref="WebhookProcessor"/> processes them.</summary>
public static class TwilioWebhookApi
{
    /// <summary>The answer Twilio reads as TwiML: an empty response sends no automatic reply.</summary>
    public const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";
    private const string FormContentType = "application/x-www-form-urlencoded";
    private static readonly ChannelType[] Types = [ChannelType.TwilioSms, ChannelType.TwilioWhatsApp];

    /// <summary>Twilio posts small forms (media come as URLs): the default body limit fits.</summary>
    public static void MapTwilioWebhooks(this IEndpointRouteBuilder app) =>
        app.MapGroup("/webhooks/twilio").WithTags("Provider webhooks").AllowAnonymous().MapPost("/{channelId:long}", Receive);

    /// <summary>A forged or unsigned request gets 403, Twilio's own convention, and nothing is stored.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Receive(long channelId, HttpRequest request, WebhookInbox inbox,
        ChannelWebhookUrls urls, CancellationToken cancellationToken)
    {
        var found = await inbox.FindAsync(channelId, Types, cancellationToken);
        if (found is null)
            return Problems.NotFound("Channel");
        var (channel, secrets) = found.Value;
        var body = await WebhookInbox.ReadBodyAsync(request, cancellationToken);
        var text = Encoding.UTF8.GetString(body);
        // Twilio signed the public address it was given: the configured base URL, else this request's (forwarded) scheme and host.
        var url = urls.For(channel, request)["inbound"] + request.QueryString.ToUriComponent();
        if (secrets["authToken"]?.GetValue<string>() is not { } authToken || !IsSigned(request, url, authToken, body, text))
            return Problems.Forbidden($"Missing or wrong {TwilioSignature.Header}.");
        // Our id of the message a status callback reports on travels in the signed URL; it is kept with the form.
        if (request.HasFormContentType && long.TryParse(request.Query[ChannelWebhookUrls.MessageIdParameter].ToString(), out var id))
            text += $"&{ChannelWebhookUrls.MessageIdParameter}={id}";
        await inbox.AcceptAsync(channel, text, WebhookInbox.Hash(body), cancellationToken);
        return TypedResults.Text(EmptyTwiml, "text/xml");
    }

    /// <summary>A form signs its parameters; any other body must be bound by <c>bodySHA256</c>, so no body goes unsigned.</summary>
    private static bool IsSigned(HttpRequest request, string url, string authToken, byte[] body, string text)
    {
        var signature = request.Headers[TwilioSignature.Header].ToString();
        if (request.Query.ContainsKey(TwilioSignature.BodyHashParameter))
            return TwilioSignature.IsValidWithBody(signature, authToken, url, body);
        return string.Equals(request.ContentType?.Split(';')[0].Trim(), FormContentType, StringComparison.OrdinalIgnoreCase)
            && TwilioSignature.IsValid(signature, authToken, url, TwilioWebhookReader.FormParameters(text));
    }
}
