using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace Switchboard.Platform.Storage;

/// <summary>The media types of files people send: how a declared type is read, and which kinds the inbox keeps at all,
/// whether a provider or an agent brings them. Types a browser runs as a page (HTML, SVG, XML, scripts) are not kept.</summary>
public static class MediaTypes
{
    public const string Binary = "application/octet-stream";

    private static readonly string[] StorablePrefixes = ["image/", "video/", "audio/", "application/vnd.openxmlformats-officedocument.", "application/vnd.ms-"];

    private static readonly FrozenSet<string> StorableTypes =
        new[] { "text/plain", "text/csv", "application/pdf", "application/msword", "application/zip", Binary }.ToFrozenSet();

    /// <summary>SVG is an image to the eye but a document with scripts to the browser.</summary>
    private const string Svg = "image/svg+xml";

    /// <summary>The bare, lower-case type of a declared Content-Type (no parameters); <see cref="Binary"/> when it is missing,
    /// unreadable or a wildcard.</summary>
    public static string Normalize(string? declared) =>
        MediaTypeHeaderValue.TryParse(declared, out var parsed) && parsed.MediaType.Value is { } type && !type.Contains('*')
            ? type.ToLowerInvariant()
            : Binary;

    /// <summary>Whether the inbox keeps a file of this (normalized) type.</summary>
    public static bool IsStorable(string type) =>
        type != Svg && (StorableTypes.Contains(type) || StorablePrefixes.Any(p => type.StartsWith(p, StringComparison.Ordinal)));
}
