using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Retention;
using Switchboard.Platform.Storage;

namespace Switchboard.Conversations;

/// <summary>Stored files no message links to (an agent's upload whose send was refused, a download whose run was cut off)
/// go, row and file, once older than <see cref="RetentionOptions.UnlinkedFiles"/>.</summary>
internal sealed class UnlinkedFileRetention(RetentionOptions options, FileStore files) : IRetentionRule
{
    public string Name => "unlinked files";

    public async Task<int> PruneAsync(SwitchboardDbContext db, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        if (options.UnlinkedFiles <= TimeSpan.Zero)
            return 0;
        var cutoff = now - options.UnlinkedFiles;
        var unlinked = await db.MediaFiles.IgnoreQueryFilters()
            .Where(f => f.CreatedAt < cutoff && !db.MessageAttachments.IgnoreQueryFilters().Any(a => a.MediaFileId == f.Id))
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.StorageUrl }).Take(batchSize).ToListAsync(cancellationToken);
        var ids = unlinked.Select(f => f.Id).ToList();
        // Linked since it was read (a send picked it up): not deleted, so only the files whose rows went are removed.
        var deleted = await db.MediaFiles.IgnoreQueryFilters()
            .Where(f => ids.Contains(f.Id) && !db.MessageAttachments.IgnoreQueryFilters().Any(a => a.MediaFileId == f.Id))
            .ExecuteDeleteAsync(cancellationToken);
        var kept = await db.MediaFiles.IgnoreQueryFilters().Where(f => ids.Contains(f.Id)).Select(f => f.Id).ToListAsync(cancellationToken);
        foreach (var file in unlinked.Where(f => !kept.Contains(f.Id)))
            files.Delete(file.StorageUrl);
        return deleted;
    }
}
