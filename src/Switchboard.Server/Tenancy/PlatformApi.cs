using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Tenancy;

public sealed record PlatformTenantView(long Id, string Name, string Slug, string? Domain, TenantStatus Status, int MemberCount, DateTimeOffset CreatedAt);

public sealed record CreatePlatformTenantRequest(string? Name, string? Slug, string? OwnerName, string? OwnerEmail, string? OwnerPassword);

/// <summary>The installation operator's view: every tenant, by design across tenants, so only a superadmin signed in to the
/// console may call it (never an API key, which belongs to one tenant).</summary>
public static class PlatformApi
{
    public static void MapPlatformApi(this RouteGroupBuilder api)
    {
        var tenants = api.MapGroup("/platform/tenants").WithTags("Platform").RequireSuperAdmin();
        tenants.MapGet("/", List);
        tenants.MapPost("/", Create).Audited("tenancy.platform_create_tenant", handlerWritesEntry: true);
        tenants.MapPost("/{id:long}/suspend", (long id, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct) =>
            SetStatusAsync(id, TenantStatus.Suspended, db, clock, ct)).Audited("tenancy.platform_suspend_tenant");
        tenants.MapPost("/{id:long}/activate", (long id, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct) =>
            SetStatusAsync(id, TenantStatus.Active, db, clock, ct)).Audited("tenancy.platform_activate_tenant");
    }

    private static async Task<Ok<ItemList<PlatformTenantView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<PlatformTenantView>(await db.Tenants.AsNoTracking().OrderBy(t => t.Name)
            .Select(t => new PlatformTenantView(t.Id, t.Name, t.Slug, t.Domain, t.Status,
                db.Memberships.IgnoreQueryFilters().Count(m => m.TenantId == t.Id), t.CreatedAt))
            .ToListAsync(cancellationToken)));

    private static async Task<Results<Created<PlatformTenantView>, ValidationProblem, ProblemHttpResult>> Create(
        CreatePlatformTenantRequest request, IServiceScopeFactory scopes, SwitchboardDbContext db, AuditWriter audit, CancellationToken cancellationToken)
    {
        var newTenant = new NewTenant(request.Name, request.Slug, request.OwnerName, request.OwnerEmail, request.OwnerPassword);
        var validation = TenantProvisioning.Validate(newTenant);
        if (!validation.IsValid)
            return validation.ToResult();
        // The new tenant is provisioned in its own scope (this request's scope is the operator's own tenant), and before
        // the audit entry is written, so no transaction waits on another (SQLite has one writer).
        await using var scope = scopes.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(newTenant, withApiKey: false, cancellationToken);
        if (created is null)
            return Problems.Conflict("That slug is taken.");
        var t = created.Tenant;
        audit.Add("tenancy.platform_create_tenant", new() { ["tenantId"] = t.Id, ["slug"] = t.Slug });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/platform/tenants/{t.Id}", new PlatformTenantView(t.Id, t.Name, t.Slug, t.Domain, t.Status, 1, t.CreatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetStatusAsync(
        long id, TenantStatus status, SwitchboardDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Saved through the change tracker, so the status change is announced to every node (AccessChangeInterceptor).
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
            return Problems.NotFound("Tenant");
        tenant.Status = status;
        tenant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
