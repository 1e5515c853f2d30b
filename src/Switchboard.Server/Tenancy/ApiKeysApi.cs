using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Tenancy;

/// <summary>An API key as listed. <see cref="DisabledReason"/> says why a key that is not revoked no longer works (its creator's
/// membership ended or weakened), null when it works.</summary>
public sealed record ApiKeyView(long Id, string Name, Role Role, string Prefix, DateTimeOffset CreatedAt, long? CreatedById,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, string? DisabledReason)
{
    public static ApiKeyView Of(ApiKeyStanding standing)
    {
        var k = standing.Key;
        return new(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.CreatedById, k.LastUsedAt, k.RevokedAt, k.RevokedAt is null ? standing.Refusal : null);
    }
}

public sealed record CreatedApiKey(long Id, string Name, Role Role, string Prefix, DateTimeOffset CreatedAt, long? CreatedById, string Key);

public sealed record CreateApiKeyRequest(string? Name, Role? Role);

public sealed record ItemList<T>(IReadOnlyList<T> Items);

public static class ApiKeysApi
{
    public static void MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequirePermission(Permission.ApiKeysManage);
        keys.MapGet("/", List);
        keys.MapGet("/disabled-by-change", DisabledByChange);
        keys.MapPost("/", Create).Audited("tenancy.create_api_key");
        keys.MapDelete("/{id:long}", Revoke).Audited("tenancy.revoke_api_key");
    }

    private static async Task<Ok<ItemList<ApiKeyView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<ApiKeyView>((await db.Standings(db.ApiKeys).AsNoTracking().ToListAsync(cancellationToken))
            .OrderByDescending(s => s.Key.Id).Select(ApiKeyView.Of).ToList()));

    /// <summary>The working keys a member created that a change to their membership would disable (<paramref name="role"/>,
    /// <paramref name="status"/>, or <paramref name="remove"/>), so the console can say so before the change is made.</summary>
    private static async Task<Results<Ok<ItemList<ApiKeyView>>, ValidationProblem, ProblemHttpResult>> DisabledByChange(
        long userId, string? role, string? status, bool? remove, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var newRole = UsersApi.ParseFilter<Role>(role, "role", validation);
        var newStatus = UsersApi.ParseFilter<MembershipStatus>(status, "status", validation);
        if (!validation.IsValid)
            return validation.ToResult();
        var member = await db.Memberships.AsNoTracking().Include(m => m.User).FirstOrDefaultAsync(m => m.UserId == userId, cancellationToken);
        if (member is null)
            return Problems.NotFound("User");
        var removed = remove == true;
        var activeAfter = !removed && (newStatus ?? member.Status) == MembershipStatus.Active && member.User!.Status == UserStatus.Active;
        var roleAfter = removed ? (Role?)null : newRole ?? member.Role;
        var working = (await db.Standings(db.ApiKeys.Where(k => k.CreatedById == userId && k.RevokedAt == null)).AsNoTracking()
            .ToListAsync(cancellationToken)).Where(s => s.Refusal is null).OrderByDescending(s => s.Key.Id);
        return TypedResults.Ok(new ItemList<ApiKeyView>(working
            .Select(s => s with { CreatorRole = roleAfter, CreatorActive = activeAfter })
            .Where(after => after.Refusal is not null)
            .Select(ApiKeyView.Of)
            .ToList()));
    }

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
        // A key made with a key answers to the same person as the key that made it, so a chain of keys cannot outlive them.
        var creatorId = scope.UserId ?? await db.ApiKeys.Where(k => k.Id == scope.ApiKeyId).Select(k => k.CreatedById).FirstOrDefaultAsync(cancellationToken);
        var (key, secret) = provisioning.AddApiKey(request.Name!, request.Role.Value, creatorId);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["apiKeyId"] = key.Id;
        audit.Meta["role"] = key.Role.ToString();
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}",
            new CreatedApiKey(key.Id, key.Name, key.Role, key.Prefix, key.CreatedAt, key.CreatedById, secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        long id, SwitchboardDbContext db, TenantContext scope, TimeProvider clock, CancellationToken cancellationToken)
    {
        var standing = await db.Standings(db.ApiKeys.Where(k => k.Id == id)).FirstOrDefaultAsync(cancellationToken);
        if (standing is null)
            return Problems.NotFound("API key");
        // The rank rule for people applies to the keys they stand behind: an admin cannot revoke the owner's keys.
        if (!RoleRank.MayManage(scope.Role!.Value, standing.Rank))
            return Problems.Forbidden($"A {scope.Role} cannot revoke a key held at the {standing.Rank} rank.");
        var key = standing.Key;
        key.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
