using System.Security.Cryptography;

namespace Switchboard.Platform.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";
    public string DataDirectory { get; set; } = "data";
    /// <summary>The largest media file accepted from a provider or an agent (WhatsApp's own limit for documents is 100 MB).</summary>
    public long MaxMediaBytes { get; set; } = 25 * 1024 * 1024;
}

public sealed record StoredFile(string Path, long Size, string Sha256);

public sealed class FileTooLargeException(long limit) : Exception($"The file is larger than {limit} bytes.");

/// <summary>Keeps media on local disk under <c>{DataDirectory}/media/{tenant}/</c>. Several nodes need that directory on a
/// shared volume (README).</summary>
public sealed class FileStore(StorageOptions options)
{
    private string Root => Path.GetFullPath(Path.Combine(options.DataDirectory, "media"));

    public long MaxBytes => options.MaxMediaBytes;

    /// <summary>Copies <paramref name="content"/> to a new file, hashing it on the way; stops (and deletes) past the limit.</summary>
    public async Task<StoredFile> SaveAsync(long tenantId, Stream content, CancellationToken cancellationToken)
    {
        var relative = Path.Combine(tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{Guid.NewGuid():N}");
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        try
        {
            await using var file = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                size += read;
                if (size > options.MaxMediaBytes)
                    throw new FileTooLargeException(options.MaxMediaBytes);
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch
        {
            File.Delete(full);
            throw;
        }
        return new StoredFile(relative, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Removes a stored file; one already gone is fine.</summary>
    public void Delete(string path) => File.Delete(Path.Combine(Root, path));

    public Stream OpenRead(string path) => new FileStream(Path.Combine(Root, path), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
}
