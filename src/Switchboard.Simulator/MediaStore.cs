using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Switchboard.Simulator;

/// <summary>A stored file. <see cref="Owner"/> is the phone number id or account SID allowed to read it.</summary>
public sealed record StoredMedia(string Id, string Owner, string MimeType, byte[] Bytes)
{
    /// <summary>Base64 SHA-256 of the bytes, as Meta's webhooks carry it.</summary>
    public string Sha256 { get; } = Convert.ToBase64String(SHA256.HashData(Bytes));
}

/// <summary>Media uploaded by the server and media customers send, for both providers.</summary>
public sealed class MediaStore
{
    private readonly ConcurrentDictionary<string, StoredMedia> media = new();

    public StoredMedia Add(string id, string owner, string mimeType, byte[] bytes)
    {
        var stored = new StoredMedia(id, owner, mimeType, bytes);
        media[id] = stored;
        return stored;
    }

    public StoredMedia? Find(string id) => media.GetValueOrDefault(id);

    /// <summary>Stand-in bytes for a customer's attachment when the caller gives none: a 1×1 PNG for images, a
    /// minimal PDF for documents, and a few marker bytes for other types.</summary>
    public static byte[] Placeholder(string mimeType) => mimeType switch
    {
        "image/png" => Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
        "application/pdf" => "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"u8.ToArray(),
        _ => System.Text.Encoding.UTF8.GetBytes($"simulated {mimeType}"),
    };
}
