using System.Net.Mail;
using System.Text.RegularExpressions;

namespace Switchboard.Platform.Http;

/// <summary>Formats checked at the API boundary.</summary>
public static partial class Formats
{
    /// <summary>Trims and lower-cases an address if it is a plain <c>local@domain.tld</c>; null otherwise.</summary>
    public static string? NormalizeEmail(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 254 || !MailAddress.TryCreate(trimmed, out var address)
            || address.Address != trimmed || !address.Host.Contains('.') || address.DisplayName.Length > 0)
            return null;
        return trimmed.ToLowerInvariant();
    }

    /// <summary>An E.164 number (<c>+</c>, country code, subscriber number: 7 to 15 digits) with spaces, dots, dashes and
    /// parentheses removed; null if it is not one. (No per-country numbering plan is checked: libphonenumber is not available.)</summary>
    public static string? NormalizeE164(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var compact = Separators().Replace(value.Trim(), "");
        return E164Pattern().IsMatch(compact) ? compact : null;
    }

    public static bool IsSlug(string? value) => value is not null && SlugPattern().IsMatch(value);

    /// <summary><c>#rrggbb</c>.</summary>
    public static bool IsHexColor(string? value) => value is not null && HexColorPattern().IsMatch(value);

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164Pattern();

    [GeneratedRegex(@"[\s().\-]")]
    private static partial Regex Separators();

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColorPattern();
}
