using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Switchboard.Channels.Twilio;

/// <summary>Twilio signs each webhook: <c>X-Twilio-Signature</c> = Base64(HMAC-SHA1(auth token, URL + every POST parameter
/// as key and value, sorted by key)). A JSON body is signed through its hash instead: <c>bodySHA256</c> in the URL's query
/// and the URL alone signed. The URL is the one Twilio was given, so the caller passes the public one.</summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";
    public const string BodyHashParameter = "bodySHA256";

    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        // OrderBy is stable: a repeated key keeps its values in the order they were posted.
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            data.Append(key).Append(value);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    /// <summary>A form POST to <paramref name="url"/> (or a default-port variant of it) with <paramref name="parameters"/>.</summary>
    public static bool IsValid(string? signature, string authToken, string url, IReadOnlyCollection<KeyValuePair<string, string>> parameters) =>
        !string.IsNullOrEmpty(signature)
        && UrlVariants(url).Any(candidate => CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Compute(authToken, candidate, parameters)), Encoding.ASCII.GetBytes(signature)));

    /// <summary>A POST whose URL carries <c>bodySHA256</c>: the body must have that hash, and the URL alone is signed.</summary>
    public static bool IsValidWithBody(string? signature, string authToken, string url, ReadOnlySpan<byte> body)
    {
        var start = url.IndexOf('?', StringComparison.Ordinal);
        if (start < 0 || !QueryHelpers.ParseQuery(url[start..]).TryGetValue(BodyHashParameter, out var claimed))
            return false;
        var actual = Convert.ToHexStringLower(SHA256.HashData(body));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(claimed.ToString().ToLowerInvariant()))
            && IsValid(signature, authToken, url, []);
    }

    /// <summary>The URL, and the same with the scheme's default port (:443, :80) added when it has none or removed when it
    /// has it: Twilio's own validators accept both, since proxies and Twilio's edge differ on it. The host keeps its case.</summary>
    public static IReadOnlyList<string> UrlVariants(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var defaultPort = schemeEnd < 0 ? null : url[..schemeEnd].ToLowerInvariant() switch { "https" => "443", "http" => "80", _ => null };
        if (defaultPort is null)
            return [url];
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], schemeEnd + 3);
        if (authorityEnd < 0)
            authorityEnd = url.Length;
        var hostStart = Math.Max(schemeEnd + 3, url.LastIndexOf('@', authorityEnd - 1, authorityEnd - schemeEnd - 3) + 1);
        var host = url[hostStart..authorityEnd];
        var colon = host.LastIndexOf(':');
        if (colon <= host.LastIndexOf(']')) // no port (a colon inside [...] belongs to an IPv6 address)
            return [url, $"{url[..authorityEnd]}:{defaultPort}{url[authorityEnd..]}"];
        return host[(colon + 1)..] == defaultPort ? [url, url[..(hostStart + colon)] + url[authorityEnd..]] : [url];
    }
}
