using System.Text;
using System.Text.Json;

namespace Switchboard.Platform.Http;

/// <summary>An opaque keyset-pagination position: the last row's sort value and id.</summary>
public sealed record Cursor(string? Value, long Id)
{
    public string Encode() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string? text, out Cursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text))
            return true;
        try
        {
            var base64 = text.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            cursor = JsonSerializer.Deserialize<Cursor>(Convert.FromBase64String(base64));
            return cursor is not null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }
}

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Checks <paramref name="limit"/> and <paramref name="cursor"/> from the query string.</summary>
    public static bool TryRead(int? limit, string? cursor, Validation validation, out int take, out Cursor? position)
    {
        take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
            validation.Add("limit", $"must be between 1 and {MaxLimit}.");
        if (!Cursor.TryDecode(cursor, out position))
            validation.Add("cursor", "is not a cursor this API issued.");
        return validation.IsValid;
    }
}
