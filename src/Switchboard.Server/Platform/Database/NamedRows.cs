using Microsoft.EntityFrameworkCore;

namespace Switchboard.Platform.Database;

/// <summary>A row whose name is unique within its tenant, ignoring case (conversation tags, SLA policies).</summary>
public interface INamedRow
{
    long Id { get; }
    string Name { get; }
}

public static class NamedRows
{
    /// <summary>Whether a row other than <paramref name="exceptId"/> already has <paramref name="name"/>, ignoring case and
    /// surrounding spaces; false when no name is given (an update that keeps the name).</summary>
    public static Task<bool> NameTakenAsync<T>(this IQueryable<T> rows, string? name, long exceptId, CancellationToken cancellationToken)
        where T : class, INamedRow =>
        name is null
            ? Task.FromResult(false)
            : rows.AnyAsync(r => r.Name.ToLower() == name.Trim().ToLower() && r.Id != exceptId, cancellationToken);
}
