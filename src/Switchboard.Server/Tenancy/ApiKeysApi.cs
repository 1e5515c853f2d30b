using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Tenancy;

public sealed record ApiKeyView(long Id, string Name, Role Role, string Prefix, DateTimeOffset CreatedAt, long? CreatedById,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

public sealed record CreatedApiKey(long Id, string Name, Role Role, string Prefix, DateTimeOffset CreatedAt, long? CreatedById, string Key);

public sealed record CreateApiKeyRequest(string? Name, Role? Role);

public sealed record ItemList<T>(IReadOnlyList<T> Items);

public static class ApiKeysApi
{
    public static void MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequirePermission(Permission.ApiKeysManage);
        keys.MapGet("/", List);
        keys.MapPost("/", Create).Audited("tenancy.create_api_key");
        keys.MapDelete("/{id:long}", Revoke).Audited("tenancy.revoke_api_key");
    }

    private static async Task<Ok<ItemList<ApiKeyView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<ApiKeyView>(await db.ApiKeys.AsNoTracking()
            .OrderByDescending(k => k.Id)
            .Select(k => new ApiKeyView(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.CreatedById, k.LastUsedAt, k.RevokedAt))
            .ToListAsync(cancellationToken)));

    private static async Task<Results<Created<CreatedApiKey>, ValidationProblem, ProblemHttpResult>> Create(
        CreateApiKeyRequest request, SwitchboardDbContext db, TenantContext scope, TenantProvisioning provisioning,
        AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("name", request.Name, 100);
        if (request.Role is null)
            validation.Add("role", "is required.");
        if (!validation.IsValid)
            return validation.ToResult();
        if (!PermissionMatrix.CanGrant(scope.Role!.Value, request.Role!.Value))
            return Problems.Forbidden($"A {scope.Role} cannot create a key with the {request.Role} role.");
        var (key, secret) = provisioning.AddApiKey(request.Name!, request.Role.Value, scope.UserId);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["apiKeyId"] = key.Id;
        audit.Meta["role"] = key.Role.ToString();
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}",
            new CreatedApiKey(key.Id, key.Name, key.Role, key.Prefix, key.CreatedAt, key.CreatedById, secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        long id, SwitchboardDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
            return Problems.NotFound("API key");
        key.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
