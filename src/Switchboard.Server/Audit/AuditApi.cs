using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Audit;

public sealed record AuditEntryView(long Id, long? UserId, string? UserName, long? ApiKeyId, string Action, string Module,
    string? IpAddress, JsonObject Meta, DateTimeOffset LoggedAt);

public static class AuditApi
{
    public static void MapAuditApi(this RouteGroupBuilder api) =>
        api.MapGet("/audit-logs", List).WithTags("Audit log").RequirePermission(Permission.AuditRead);

    /// <summary>Newest first, keyset-paged on (logged_at, id).</summary>
    private static async Task<Results<Ok<Page<AuditEntryView>>, ValidationProblem>> List(
        SwitchboardDbContext db, string? module, long? userId, string? action, DateTimeOffset? from, DateTimeOffset? to, string? q,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (!Paging.TryRead(limit, cursor, validation, out var take, out var position))
            return validation.ToResult();
        if (from > to)
            return validation.Add("from", "must not be after 'to'.").ToResult();

        var query = db.AuditLogs.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(module))
            query = query.Where(a => a.Module == module);
        if (userId is not null)
            query = query.Where(a => a.UserId == userId);
        if (!string.IsNullOrWhiteSpace(action))
            query = query.Where(a => a.Action == action);
        if (from is not null)
            query = query.Where(a => a.LoggedAt >= from);
        if (to is not null)
            query = query.Where(a => a.LoggedAt <= to);
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = $"%{q.Trim().ToLowerInvariant()}%";
            query = query.Where(a => EF.Functions.Like(a.Action, pattern) || EF.Functions.Like(a.Module, pattern)
                || EF.Functions.Like(a.Meta.ToLower(), pattern));
        }
        if (position is not null)
        {
            var at = new DateTimeOffset(long.Parse(position.Value!, CultureInfo.InvariantCulture), TimeSpan.Zero);
            query = query.Where(a => a.LoggedAt < at || (a.LoggedAt == at && a.Id < position.Id));
        }

        var rows = await query.OrderByDescending(a => a.LoggedAt).ThenByDescending(a => a.Id).Take(take + 1)
            .GroupJoin(db.Users, a => a.UserId, u => u.Id, (a, users) => new { Entry = a, Users = users })
            .SelectMany(x => x.Users.DefaultIfEmpty(), (x, u) => new { x.Entry, UserName = u == null ? null : u.Name })
            .ToListAsync(cancellationToken);
        rows = rows.OrderByDescending(r => r.Entry.LoggedAt).ThenByDescending(r => r.Entry.Id).ToList();
        var items = rows.Take(take).Select(r => new AuditEntryView(r.Entry.Id, r.Entry.UserId, r.UserName, r.Entry.ApiKeyId,
            r.Entry.Action, r.Entry.Module, r.Entry.IpAddress, JsonNode.Parse(r.Entry.Meta) as JsonObject ?? new JsonObject(), r.Entry.LoggedAt)).ToList();
        var next = rows.Count > take
            ? new Cursor(items[^1].LoggedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), items[^1].Id).Encode()
            : null;
        return TypedResults.Ok(new Page<AuditEntryView>(items, next));
    }
}
