using Microsoft.EntityFrameworkCore.Storage;

namespace Switchboard.Platform.Database;

/// <summary>A transaction that joins the caller's when one is open (an audited request already runs in one) and otherwise
/// owns its own: services can be atomic without knowing who calls them.</summary>
public sealed class UnitOfWork(IDbContextTransaction? owned) : IAsyncDisposable
{
    public static async Task<UnitOfWork> BeginAsync(SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
            return new UnitOfWork(null);
        // An owned unit of work is all or nothing (no caller recovers from a failed save inside it), so EF's savepoint around
        // each SaveChanges would only cost two round trips each.
        db.Database.AutoSavepointsEnabled = false;
        return new UnitOfWork(await db.Database.BeginTransactionAsync(cancellationToken));
    }

    /// <summary>Commits an owned transaction; a joined one commits with its owner.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => owned?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}
