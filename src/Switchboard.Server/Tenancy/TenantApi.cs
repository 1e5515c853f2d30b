using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Security;

namespace Switchboard.Tenancy;

public sealed record TenantView(long Id, string Name, string Slug, string? Domain, TenantStatus Status, JsonObject Settings, DateTimeOffset CreatedAt);

public sealed record UpdateTenantRequest(string? Name, string? Domain, JsonObject? Settings);

public sealed record WebhookSecretView(string WebhookSecret);

/// <summary>The caller's own tenant: profile, settings and webhook secret.</summary>
public static class TenantApi
{
    public static void MapTenantApi(this RouteGroupBuilder api)
    {
        var tenant = api.MapGroup("/tenant").WithTags("Tenant");
        tenant.MapGet("/", Get).RequirePermission(Permission.TenantRead);
        tenant.MapPatch("/", Update).RequirePermission(Permission.TenantManage).Audited("tenancy.update");
        tenant.MapPost("/webhook-secret", RotateWebhookSecret).RequirePermission(Permission.TenantManage).Audited("tenancy.rotate_webhook_secret");
    }

    private static Task<Tenant> CurrentAsync(SwitchboardDbContext db, TenantContext scope, CancellationToken cancellationToken)
    {
        var id = scope.RequiredTenantId;
        return db.Tenants.FirstAsync(t => t.Id == id, cancellationToken);
    }

    private static TenantView View(Tenant t) => new(t.Id, t.Name, t.Slug, t.Domain, t.Status, t.Settings, t.CreatedAt);

    private static async Task<Ok<TenantView>> Get(SwitchboardDbContext db, TenantContext scope, CancellationToken cancellationToken) =>
        TypedResults.Ok(View(await CurrentAsync(db, scope, cancellationToken)));

    private static async Task<Results<Ok<TenantView>, ValidationProblem, ProblemHttpResult>> Update(
        UpdateTenantRequest request, SwitchboardDbContext db, TenantContext scope, TimeProvider clock, CancellationToken cancellationToken)
    {
        var tenant = await CurrentAsync(db, scope, cancellationToken);
        var validation = new Validation();
        if (request.Name is not null)
            validation.Required("name", request.Name);
        var domain = string.IsNullOrWhiteSpace(request.Domain) ? null : request.Domain.Trim().ToLowerInvariant();
        if (domain is not null && (domain.Length > 253 || !Uri.CheckHostName(domain).Equals(UriHostNameType.Dns)))
            validation.Add("domain", "must be a host name such as support.example.com.");
        if (!validation.IsValid)
            return validation.ToResult();
        if (domain is not null && domain != tenant.Domain && await db.Tenants.AnyAsync(t => t.Domain == domain, cancellationToken))
            return Problems.Conflict("Another workspace uses that domain.");

        if (request.Name is not null)
            tenant.Name = request.Name.Trim();
        if (request.Domain is not null)
            tenant.Domain = domain;
        if (request.Settings is not null)
            tenant.Settings = request.Settings;
        tenant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(tenant));
    }

    private static async Task<Ok<WebhookSecretView>> RotateWebhookSecret(
        SwitchboardDbContext db, TenantContext scope, SecretProtector secrets, TimeProvider clock, CancellationToken cancellationToken)
    {
        var tenant = await CurrentAsync(db, scope, cancellationToken);
        var secret = SecretProtector.NewSecret();
        tenant.WebhookSecretCiphertext = secrets.Protect(secret);
        tenant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new WebhookSecretView(secret));
    }
}
