using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

public sealed record SignInRequest(string? Email, string? Password, string? TenantSlug);

public sealed record SwitchTenantRequest(long TenantId);

public sealed record SetupStatus(bool Required);

public sealed record SetupRequest(string? TenantName, string? TenantSlug, string? OwnerName, string? OwnerEmail, string? OwnerPassword);

public sealed record CsrfToken(string Token);

/// <summary>Console sign-in, session, CSRF token and the one-time setup of an empty installation.</summary>
public static class AuthApi
{
    public static void MapAuthApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Authentication");
        auth.MapPost("/sign-in", SignIn).AllowAnonymous().RequireRateLimiting(IdentitySetup.SignInRateLimit).WithMetadata(new CsrfExempt());
        auth.MapPost("/sign-out", SignOut).AllowAnonymous().WithMetadata(new CsrfExempt());
        auth.MapGet("/session", GetSession).RequireAuthorization();
        auth.MapGet("/csrf", GetCsrfToken).AllowAnonymous();
        auth.MapPost("/switch-tenant", SwitchTenant).RequireAuthorization().Audited("identity.switch_tenant");

        var setup = api.MapGroup("/setup").WithTags("Setup");
        setup.MapGet("/", GetSetupStatus).AllowAnonymous();
        setup.MapPost("/", RunSetup).AllowAnonymous().RequireRateLimiting(IdentitySetup.SignInRateLimit).WithMetadata(new CsrfExempt());
    }

    private static async Task<Results<Ok<Session>, ValidationProblem, ProblemHttpResult>> SignIn(
        SignInRequest request, SignInService signIn, HttpContext http, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("password", request.Password, 256);
        // No account has a malformed address, and refusing it here keeps stray text (newlines…) out of the logs.
        var email = Formats.NormalizeEmail(request.Email);
        if (email is null)
            validation.Add("email", "must be a valid email address.");
        if (!validation.IsValid)
            return validation.ToResult();
        var result = await signIn.SignInAsync(email!, request.Password!, request.TenantSlug, cancellationToken);
        if (result.RetryAfter is { } wait)
            http.Response.Headers.RetryAfter = TooManyRequests.Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return result.Outcome switch
        {
            SignInOutcome.SignedIn => TypedResults.Ok(result.Session!),
            SignInOutcome.Throttled => TypedResults.Problem(title: "Too many requests",
                detail: $"Too many failed sign-ins for this email. Try again in {TooManyRequests.Seconds(result.RetryAfter!.Value)} seconds.",
                statusCode: StatusCodes.Status429TooManyRequests),
            SignInOutcome.NoActiveWorkspace => Problems.Forbidden("You have no active workspace here (it may be suspended)."),
            _ => TypedResults.Problem(title: "Sign-in failed", detail: "Wrong email or password.", statusCode: StatusCodes.Status401Unauthorized),
        };
    }

    private static async Task<NoContent> SignOut(HttpContext context, TenantContext scope, AuditWriter audit, SwitchboardDbContext db,
        CancellationToken cancellationToken)
    {
        if (scope.TenantId is not null && scope.UserId is not null)
        {
            audit.Add("identity.sign_out");
            await db.SaveChangesAsync(cancellationToken);
        }
        await context.SignOutAsync(AuthSchemes.Cookie);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Session>, UnauthorizedHttpResult>> GetSession(
        HttpContext context, SignInService signIn, CancellationToken cancellationToken)
    {
        var userId = context.User.GetLong(SwitchboardClaims.UserId);
        var tenantId = context.User.GetLong(SwitchboardClaims.TenantId);
        var session = userId is null || tenantId is null ? null : await signIn.DescribeAsync(userId.Value, tenantId.Value, cancellationToken);
        return session is null ? TypedResults.Unauthorized() : TypedResults.Ok(session);
    }

    private static Ok<CsrfToken> GetCsrfToken(HttpContext context, IAntiforgery antiforgery) =>
        TypedResults.Ok(new CsrfToken(antiforgery.GetAndStoreTokens(context).RequestToken!));

    private static async Task<Results<Ok<Session>, ProblemHttpResult>> SwitchTenant(
        SwitchTenantRequest request, HttpContext context, SignInService signIn, CancellationToken cancellationToken)
    {
        var userId = context.User.GetLong(SwitchboardClaims.UserId);
        if (userId is null)
            return Problems.BadRequest("Only a signed-in person can switch workspace; an API key belongs to one tenant.");
        var session = await signIn.SwitchTenantAsync(userId.Value, request.TenantId, cancellationToken);
        return session is null ? Problems.NotFound("Workspace") : TypedResults.Ok(session);
    }

    private static async Task<Ok<SetupStatus>> GetSetupStatus(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new SetupStatus(!await db.Tenants.AnyAsync(cancellationToken)));

    private static async Task<Results<Created<Session>, ValidationProblem, ProblemHttpResult>> RunSetup(
        SetupRequest request, SwitchboardDbContext db, TenantProvisioning provisioning, SignInService signIn,
        AuditWriter audit, CancellationToken cancellationToken)
    {
        if (await db.Tenants.AnyAsync(cancellationToken))
            return Problems.Conflict("This installation is already set up. Sign in instead.");
        var newTenant = new NewTenant(request.TenantName, request.TenantSlug, request.OwnerName, request.OwnerEmail, request.OwnerPassword);
        var validation = TenantProvisioning.Validate(newTenant);
        if (!validation.IsValid)
            return validation.Renamed(new() { ["name"] = "tenantName", ["slug"] = "tenantSlug" }).ToResult();
        var created = await provisioning.CreateAsync(newTenant, withApiKey: false, cancellationToken);
        if (created is null)
            return Problems.Conflict("That slug is taken.");
        created.Owner.IsSuperAdmin = true; // The person who sets up the installation operates it.
        audit.Add("tenancy.setup", new() { ["tenantId"] = created.Tenant.Id, ["slug"] = created.Tenant.Slug }, created.Owner.Id);
        await db.SaveChangesAsync(cancellationToken);
        await signIn.IssueCookieAsync(created.Owner, created.Tenant.Id, Role.Owner);
        var session = await signIn.DescribeAsync(created.Owner.Id, created.Tenant.Id, cancellationToken);
        return TypedResults.Created("/api/v1/auth/session", session!);
    }
}
