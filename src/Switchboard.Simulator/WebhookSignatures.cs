using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Simulator;

/// <summary>The providers' webhook signatures (reference/wire-formats.md).</summary>
public static class WebhookSignatures
{
    public const string MetaHeader = "X-Hub-Signature-256";
    public const string TwilioHeader = "X-Twilio-Signature";

    /// <summary>Meta: <c>sha256=</c> and the lowercase hex HMAC-SHA256 of the raw body under the app secret.</summary>
    public static string Meta(string appSecret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    /// <summary>Twilio: Base64 HMAC-SHA1 under the auth token of the full URL followed by every POST parameter's key and
    /// value, sorted by key (ordinal).</summary>
    public static string Twilio(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            data.Append(key).Append(value);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }
}
