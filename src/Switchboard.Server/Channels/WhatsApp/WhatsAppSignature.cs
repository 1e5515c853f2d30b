using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Meta signs each webhook POST: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256(app secret, raw body)&gt;</c>.
/// It must be checked on the raw bytes, before any parsing (Meta signs the escaped-unicode form).</summary>
public static class WhatsAppSignature
{
    public const string Header = "X-Hub-Signature-256";

    public static bool IsValid(ReadOnlySpan<byte> body, string? header, string appSecret)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal))
            return false;
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(header["sha256=".Length..].ToLowerInvariant()));
    }
}
