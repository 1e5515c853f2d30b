using System.Collections.Frozen;
using System.Globalization;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using Switchboard.Platform.Http;

namespace Switchboard.Platform.Storage;

/// <summary>How a stored file goes out: the type it is served as, inline or as a download, and under which name.</summary>
public sealed record ServedFile(string ContentType, bool Inline, string FileName);

/// <summary>The one place that decides how a file people sent is served, used by every route that streams one (message
/// attachments, media links). The stored type is whatever a customer or an agent declared, so it is not trusted: only
/// raster images are shown inline; passive documents and media keep their type (providers such as Twilio read it from a
/// media link) but always download; everything else downloads as <c>application/octet-stream</c>. The answer also carries
/// <c>nosniff</c> and a sandboxing Content-Security-Policy, so even a file that reaches the browser as a page runs nothing
/// on this origin.</summary>
public static class FileResponsePolicy
{
    /// <summary>Images browsers decode without running anything, with the extension a name of that type gets.</summary>
    private static readonly FrozenDictionary<string, string> InlineImages = new Dictionary<string, string>
    {
        ["image/png"] = ".png", ["image/jpeg"] = ".jpg", ["image/gif"] = ".gif", ["image/webp"] = ".webp",
    }.ToFrozenDictionary();

    /// <summary>Documents and media no browser runs as a page: the channels' document, audio and video types.</summary>
    private static readonly FrozenDictionary<string, string> TypedDownloads = new Dictionary<string, string>
    {
        ["application/pdf"] = ".pdf",
        ["application/msword"] = ".doc",
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = ".docx",
        ["application/vnd.ms-excel"] = ".xls",
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = ".xlsx",
        ["application/vnd.ms-powerpoint"] = ".ppt",
        ["application/vnd.openxmlformats-officedocument.presentationml.presentation"] = ".pptx",
        ["audio/aac"] = ".aac", ["audio/amr"] = ".amr", ["audio/mpeg"] = ".mp3", ["audio/mp4"] = ".m4a", ["audio/ogg"] = ".ogg",
        ["video/mp4"] = ".mp4", ["video/3gpp"] = ".3gp",
    }.ToFrozenDictionary();

    private static readonly FileExtensionContentTypeProvider ExtensionTypes = new();

    /// <summary>How the file <paramref name="fileId"/>, stored as <paramref name="storedType"/> under <paramref name="storedName"/>,
    /// is served.</summary>
    private static ServedFile Decide(string? storedType, string? storedName, long fileId)
    {
        var type = MediaTypes.Normalize(storedType);
        var inline = InlineImages.TryGetValue(type, out var extension);
        if (!inline && !TypedDownloads.TryGetValue(type, out extension))
            (type, extension) = (MediaTypes.Binary, ".bin");
        return new ServedFile(type, inline, FileName(storedName, fileId, type, extension!));
    }

    /// <summary>Streams <paramref name="content"/> as <see cref="Decide"/> says.</summary>
    public static UserFileHttpResult Serve(Stream content, string? storedType, string? storedName, long fileId) =>
        new(content, Decide(storedType, storedName, fileId));

    /// <summary>The last segment of the name people gave, without control or invisible formatting characters (a right-to-left
    /// override, U+202E, makes <c>photo[U+202E]gnp.exe</c> read as <c>photoexe.png</c>); never empty (<c>file-{id}</c>);
    /// for a typed file, ending in an extension of that type, so a saved image cannot become a page.</summary>
    private static string FileName(string? storedName, long fileId, string type, string extension)
    {
        var lastSegment = (storedName ?? "").Split('/', '\\')[^1];
        var name = string.Concat(lastSegment.Where(c => !char.IsControl(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format))
            .Trim().Trim('.').Trim();
        if (name.Length == 0)
            return $"file-{fileId.ToString(CultureInfo.InvariantCulture)}{extension}";
        var fits = type == MediaTypes.Binary || name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)
            || (ExtensionTypes.TryGetContentType(name, out var named) && named == type);
        return fits ? name : name + extension;
    }
}

/// <summary>A stored file as <see cref="FileResponsePolicy"/> serves it.</summary>
public sealed class UserFileHttpResult(Stream content, ServedFile file) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        var disposition = new ContentDispositionHeaderValue(file.Inline ? "inline" : "attachment");
        disposition.SetHttpFileName(file.FileName);
        headers.ContentDisposition = disposition.ToString();
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = SecurityHeaders.NonDocumentPolicy;
        // Someone's file: kept by their browser only, never by a shared cache on the way.
        headers.CacheControl = "private";
        return TypedResults.Stream(content, file.ContentType, enableRangeProcessing: true).ExecuteAsync(httpContext);
    }
}
