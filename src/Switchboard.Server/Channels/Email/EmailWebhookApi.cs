using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Platform.Http;

namespace Switchboard.Channels.Email;

/// <summary>Inbound mail for an email channel, from the provider its <c>inboundProvider</c> names: Mailgun posts a form signed
/// with the domain's webhook signing key; Postmark posts JSON with the basic-auth credentials written into its webhook URL.
/// Verified, stored, answered at once; <see cref="WebhookProcessor"/> files the message.</summary>
public static class EmailWebhookApi
{
    /// <summary>Both providers take mail up to about 25 MB; base64 attachments in Postmark's JSON add a third.</summary>
    public const long MaxBodyBytes = 50 * 1024 * 1024;
    /// <summary>How far a Mailgun timestamp may be from now (Mailgun's own advice against replays).</summary>
    public static readonly TimeSpan MailgunMaxAge = TimeSpan.FromMinutes(15);
    private static readonly ChannelType[] Types = [ChannelType.Email];

    public static void MapEmailWebhooks(this IEndpointRouteBuilder app) =>
        app.MapGroup("/webhooks/email").WithTags("Provider webhooks").AllowAnonymous()
            .MapPost("/{channelId:long}", Receive).WithMetadata(new BodySizeLimit(MaxBodyBytes));

    private static async Task<Results<Ok, ProblemHttpResult>> Receive(long channelId, HttpRequest request, WebhookInbox inbox, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var found = await inbox.FindAsync(channelId, Types, cancellationToken);
        if (found is null)
            return Problems.NotFound("Channel");
        var (channel, secrets) = found.Value;
        return channel.Settings["inboundProvider"]?.GetValue<string>() == InboundEmail.Mailgun
            ? await ReceiveMailgunAsync(channel, secrets["mailgunSigningKey"]?.GetValue<string>(), request, inbox, clock.GetUtcNow(), cancellationToken)
            : await ReceivePostmarkAsync(channel, channel.Settings["postmarkUser"]?.GetValue<string>(), secrets["postmarkPassword"]?.GetValue<string>(),
                request, inbox, cancellationToken);
    }

    /// <summary>Mailgun signs only timestamp + token, not the content, so a captured signature must not carry other mail:
    /// the timestamp must be recent and each token is accepted once (the delivery key is the token, unique per channel; a
    /// form's bytes would not do anyway, its multipart boundary changes per delivery). Refusals are 403 and store nothing.</summary>
    private static async Task<Results<Ok, ProblemHttpResult>> ReceiveMailgunAsync(Channel channel, string? signingKey, HttpRequest request,
        WebhookInbox inbox, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (signingKey is null || !request.HasFormContentType)
            return Problems.Forbidden("Mailgun posts a signed form.");
        var form = await request.ReadFormAsync(cancellationToken);
        var (timestamp, token) = (form["timestamp"].ToString(), form["token"].ToString());
        if (!IsMailgunSignature(signingKey, timestamp, token, form["signature"].ToString()))
            return Problems.Forbidden("Missing or wrong Mailgun signature.");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > MailgunMaxAge.TotalSeconds)
            return Problems.Forbidden($"The Mailgun timestamp is more than {MailgunMaxAge.TotalMinutes} minutes from now.");
        var payload = await InboundEmail.StoreMailgunAsync(form, cancellationToken);
        return await inbox.AcceptAsync(channel, payload.ToJsonString(), WebhookInbox.Hash(Encoding.UTF8.GetBytes($"mailgun-token:{token}")), cancellationToken)
            ? TypedResults.Ok()
            : Problems.Forbidden("This Mailgun token was already used.");
    }

    /// <summary>Mailgun's <c>signature</c>: hex HMAC-SHA256(signing key, timestamp + token).</summary>
    private static bool IsMailgunSignature(string signingKey, string timestamp, string token, string signature)
    {
        if (timestamp.Length == 0 || token.Length == 0)
            return false;
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(timestamp + token)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.ToLowerInvariant()));
    }

    /// <summary>Postmark: HTTP basic auth, then the JSON as it arrived (identical re-deliveries are stored once). Wrong
    /// credentials get 401, which Postmark retries (a 403 would stop it), and nothing is stored.</summary>
    private static async Task<Results<Ok, ProblemHttpResult>> ReceivePostmarkAsync(Channel channel, string? user, string? password, HttpRequest request,
        WebhookInbox inbox, CancellationToken cancellationToken)
    {
        if (user is null || password is null || !HasBasicCredentials(request, $"{user}:{password}"))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"Switchboard\"";
            return TypedResults.Problem(title: "Unauthorized", detail: "Missing or wrong basic auth credentials.", statusCode: StatusCodes.Status401Unauthorized);
        }
        var body = await WebhookInbox.ReadBodyAsync(request, cancellationToken);
        if (!IsJsonObject(body))
            return Problems.BadRequest("Postmark posts a JSON object.");
        await inbox.AcceptAsync(channel, Encoding.UTF8.GetString(body), WebhookInbox.Hash(body), cancellationToken);
        return TypedResults.Ok();
    }

    private static bool HasBasicCredentials(HttpRequest request, string expected)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
            return false;
        var given = new byte[header.Parameter.Length];
        return Convert.TryFromBase64String(header.Parameter, given, out var length)
            && CryptographicOperations.FixedTimeEquals(given.AsSpan(0, length), Encoding.UTF8.GetBytes(expected));
    }

    private static bool IsJsonObject(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
