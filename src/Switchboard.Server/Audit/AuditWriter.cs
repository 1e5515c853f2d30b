using Microsoft.AspNetCore.WebUtilities;
using System.Text.Json.Nodes;
using Switchboard.Platform.Database;

namespace Switchboard.Audit;

/// <summary>Endpoint metadata naming the audit action an unsafe endpoint records (see <see cref="AuditFilter"/>).</summary>
/// <param name="Action"><c>module.verb</c>, e.g. <c>contacts.create</c>; the module is the part before the dot.</param>
/// <param name="HandlerWritesEntry">The handler adds the entry itself, in its own transaction, because it must not hold a
/// transaction open while it streams a large body (CSV import).</param>
public sealed record AuditedAction(string Action, bool HandlerWritesEntry = false)
{
    public string Module => Action[..Action.IndexOf('.')];
}

/// <summary>Details a handler adds to the audit entry of the current request (ids, changed fields).</summary>
public sealed class AuditDetails
{
    public JsonObject Meta { get; } = new();
}

/// <summary>Adds audit entries to the current unit of work (they commit with the change they describe).</summary>
public sealed class AuditWriter(SwitchboardDbContext db, TenantContext tenant, IHttpContextAccessor http, TimeProvider clock)
{
    public AuditLog Add(string action, JsonObject? meta = null, long? userId = null)
    {
        var entry = new AuditLog
        {
            TenantId = tenant.RequiredTenantId,
            UserId = userId ?? tenant.UserId,
            ApiKeyId = tenant.ApiKeyId,
            Action = action,
            Module = action[..action.IndexOf('.')],
            IpAddress = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            Meta = (meta ?? new JsonObject()).ToJsonString(),
            LoggedAt = clock.GetUtcNow(),
        };
        db.AuditLogs.Add(entry);
        return entry;
    }
}

/// <summary>Runs an audited endpoint in one transaction with its audit entry: a change is committed together with the record
/// of it, or not at all. Failed requests (non-2xx) roll back.</summary>
internal sealed class AuditFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var audited = http.GetEndpoint()?.Metadata.GetMetadata<AuditedAction>();
        if (audited is null || audited.HandlerWritesEntry)
            return await next(context);

        var services = http.RequestServices;
        var db = services.GetRequiredService<SwitchboardDbContext>();
        await ReadBodyAsync(http.Request, http.RequestAborted);
        await using var transaction = await db.Database.BeginTransactionAsync(http.RequestAborted);
        var result = await next(context);
        // Typed handlers return a Results<...> union; its status is on the result inside.
        var outcome = result is INestedHttpResult nested ? nested.Result : result;
        if (outcome is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 })
        {
            var details = services.GetRequiredService<AuditDetails>();
            foreach (var (key, value) in http.Request.RouteValues)
                details.Meta.TryAdd(key, value?.ToString());
            services.GetRequiredService<AuditWriter>().Add(audited.Action, details.Meta);
            await db.SaveChangesAsync(http.RequestAborted);
            await transaction.CommitAsync(http.RequestAborted);
        }
        return result;
    }

    /// <summary>Reads the whole body before the transaction opens: on SQLite the transaction holds the database's one write
    /// lock, and a client uploading slowly would otherwise hold every other writer up for as long as it likes. Forms are parsed
    /// (files spill to disk); other bodies are buffered and rewound for the handler.</summary>
    private static async Task ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HasFormContentType)
        {
            await request.ReadFormAsync(cancellationToken);
            return;
        }
        request.EnableBuffering();
        await request.Body.DrainAsync(cancellationToken);
        request.Body.Position = 0;
    }
}

public static class AuditEndpointExtensions
{
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action, bool handlerWritesEntry = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditedAction(action, handlerWritesEntry));
}
