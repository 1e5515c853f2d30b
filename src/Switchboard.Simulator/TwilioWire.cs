using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

/// <summary>Twilio's error bodies, form encoding and signed webhooks (reference/wire-formats.md, the 2010-04-01 spec).</summary>
public static class TwilioWire
{
    public const string ApiVersion = "2010-04-01";

    /// <summary>Twilio's message for an error code, for errors queued without one.</summary>
    public static string Describe(int code) => code switch
    {
        20003 => "Authenticate",
        20429 => "Too Many Requests",
        20500 => "An internal server error has occurred",
        21211 => "Invalid 'To' Phone Number",
        21602 => "Message body is required.",
        21610 => "Attempt to send to unsubscribed recipient",
        21617 => "The concatenated message body exceeds the 1600 character limit.",
        _ => $"Error {code}",
    };

    /// <summary><c>{"code","message","more_info","status"}</c>.</summary>
    public static IResult Error(int status, int code, string? message = null) => Wire.Json(new JsonObject
    {
        ["code"] = code,
        ["message"] = message ?? Describe(code),
        ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
        ["status"] = status,
    }, status);

    public static IResult NotFound(HttpRequest request) => Error(404, 20404, $"The requested resource {request.Path} was not found");

    /// <summary>The account whose SID and auth token the request's HTTP basic auth carries (every Twilio API takes them),
    /// or null.</summary>
    public static TwilioAccount? Caller(ProviderAccounts accounts, HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || header.Scheme != "Basic" || header.Parameter is null)
            return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter)).Split(':', 2);
            return pair.Length == 2 && accounts.TwilioAccounts.TryGetValue(pair[0], out var account) && account.AuthToken == pair[1] ? account : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Dates as Twilio writes them (RFC 2822): "Thu, 24 Aug 2023 05:01:45 +0000".</summary>
    public static string Date(DateTimeOffset at) => at.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The signed form POST of these parameters to <paramref name="url"/>.</summary>
    public static WebhookDelivery Delivery(TwilioAccount account, string url, IReadOnlyList<KeyValuePair<string, string>> parameters, Behaviour behaviour)
    {
        var body = Encoding.UTF8.GetBytes(string.Join('&', parameters.Select(p => $"{WebUtility.UrlEncode(p.Key)}={WebUtility.UrlEncode(p.Value)}")));
        return new WebhookDelivery(SimulatedProvider.Twilio, account.AccountSid, url, body, "application/x-www-form-urlencoded; charset=utf-8",
            WebhookSignatures.TwilioHeader, WebhookSignatures.Twilio(account.AuthToken, url, parameters), behaviour.WebhookRetryDelay);
    }

    /// <summary>SMS segments: 160 GSM characters alone or 153 when concatenated, 70/67 for anything else (UCS-2).</summary>
    public static int Segments(string body)
    {
        var (single, part) = body.All(c => c < 0x80) ? (160, 153) : (70, 67);
        return body.Length <= single ? 1 : (body.Length + part - 1) / part;
    }

    /// <summary>Twilio's reserved keywords (whole message, any case) and the <c>OptOutType</c> each sets.</summary>
    public static string? OptOutType(string body) => body.Trim().ToUpperInvariant() switch
    {
        "STOP" or "STOPALL" or "UNSUBSCRIBE" or "CANCEL" or "END" or "QUIT" or "REVOKE" or "OPTOUT" => "STOP",
        "START" or "YES" or "UNSTOP" => "START",
        "HELP" or "INFO" => "HELP",
        _ => null,
    };
}
