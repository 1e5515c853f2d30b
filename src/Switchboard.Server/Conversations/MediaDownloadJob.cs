using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Platform.Security;
using Switchboard.Platform.Storage;

namespace Switchboard.Conversations;

/// <summary>A provider's file, opened for download.</summary>
public sealed record FetchedMedia(Stream Content, string MimeType, long? Length, string? Filename) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>Downloads a file a provider holds for an inbound message (WhatsApp media id, Twilio MediaUrl) with the channel's
/// credentials.</summary>
public interface IMediaFetcher
{
    bool Handles(ChannelType type);

    Task<FetchedMedia> FetchAsync(Channel channel, System.Text.Json.Nodes.JsonObject secrets, string platformUrl, CancellationToken cancellationToken);
}

/// <summary>Brings an inbound attachment into storage, within the size limit and for the media types the inbox keeps
/// (<see cref="MediaTypes.IsStorable"/>).
/// A file that breaks the rules is not stored; the attachment keeps the reason in its metadata.</summary>
internal sealed class MediaDownloadJob(SwitchboardDbContext db, IEnumerable<IMediaFetcher> fetchers, SecretProtector secrets, FileStore files, TimeProvider clock)
    : IJobHandler
{
    public const string JobType = "media.download";

    public sealed record Payload(long AttachmentId);

    public string Type => JobType;

    public async Task RunAsync(Job job, CancellationToken cancellationToken)
    {
        var attachmentId = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)!.AttachmentId;
        var attachment = await db.MessageAttachments.FirstOrDefaultAsync(a => a.Id == attachmentId, cancellationToken);
        if (attachment is null || attachment.MediaFileId is not null || attachment.PlatformUrl is null)
            return;
        var channel = await db.Channels.AsNoTracking().Join(db.Messages.Where(m => m.Id == attachment.MessageId), c => c.Id, m => m.ChannelId, (c, _) => c)
            .FirstAsync(cancellationToken);
        var fetcher = fetchers.FirstOrDefault(f => f.Handles(channel.Type)) ?? throw new InvalidOperationException($"No media fetcher for {channel.Type}.");
        await using var media = await fetcher.FetchAsync(channel, ChannelSecrets.Read(channel, secrets), attachment.PlatformUrl, cancellationToken);
        var type = MediaTypes.Normalize(media.MimeType);
        if (!MediaTypes.IsStorable(type))
        {
            attachment.Metadata["rejected"] = $"Files of type {type} are not stored.";
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        StoredFile stored;
        try
        {
            stored = await files.SaveAsync(db.CurrentTenantId!.Value, media.Content, cancellationToken);
        }
        catch (FileTooLargeException e)
        {
            attachment.Metadata["rejected"] = e.Message;
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        var file = new MediaFile
        {
            StorageUrl = stored.Path, MimeType = type, FileSize = stored.Size, Sha256 = stored.Sha256,
            OriginalFilename = attachment.Filename ?? media.Filename, CreatedAt = clock.GetUtcNow(),
        };
        // The file's row and its link commit together, and the link only if no other run linked one meanwhile (a claim
        // taken over after a pause): the loser's file is removed instead of lingering unlinked.
        var linked = false;
        try
        {
            await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
            db.MediaFiles.Add(file);
            await db.SaveChangesAsync(cancellationToken);
            linked = await db.MessageAttachments.Where(a => a.Id == attachment.Id && a.MediaFileId == null).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.MediaFileId, file.Id)
                .SetProperty(a => a.MimeType, a => a.MimeType ?? type)
                .SetProperty(a => a.FileSize, stored.Size)
                .SetProperty(a => a.Filename, a => a.Filename ?? media.Filename), cancellationToken) == 1;
            if (linked)
                await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            if (!linked)
                files.Delete(stored.Path);
        }
    }

    public Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken) => Task.CompletedTask;
}
