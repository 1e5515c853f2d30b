using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Identity;

public sealed class IdentityOptions
{
    public const string Section = "Identity";
    public int SignInAttemptsPerMinutePerIp { get; set; } = 10;
    /// <summary>Failed sign-ins to one account from one address, within <see cref="SignInThrottleMinutes"/>, before that
    /// address must wait (429).</summary>
    public int FailedSignInsPerAccountAndAddress { get; set; } = 5;
    /// <summary>Failed sign-ins to one account from all addresses together before everyone must wait: higher, so a stranger
    /// cannot keep the owner out from one address, yet guessing spread over many addresses is still capped.</summary>
    public int FailedSignInsPerAccount { get; set; } = 50;
    public int SignInThrottleMinutes { get; set; } = 15;
}

public static class IdentitySetup
{
    public const string SignInRateLimit = "sign-in";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    public static IServiceCollection AddSwitchboardIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(IdentityOptions.Section).Get<IdentityOptions>() ?? new IdentityOptions();
        services.AddSingleton(options);
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<SignInService>();
        services.AddScoped<SignInThrottling>();

        services.AddAuthentication(AuthSchemes.Default)
            .AddPolicyScheme(AuthSchemes.Default, "API key or session cookie", o =>
                o.ForwardDefaultSelector = context => ApiKeyAuthenticationHandler.PresentedKey(context.Request) is not null
                    ? AuthSchemes.ApiKey
                    : AuthSchemes.Cookie)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null)
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.Cookie.Name = "sb.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = SessionValidation.ValidateAsync;
                // An API answers with a status, never a redirect to a login page.
                o.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            });

        services.AddAuthorizationBuilder().AddPermissionPolicies();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "sb.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = TooManyRequests.RejectAsync;
            o.AddPolicy(SignInRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInAttemptsPerMinutePerIp, Window = TimeSpan.FromMinutes(1) }));
        });
        return services;
    }

    private static AuthorizationBuilder AddPermissionPolicies(this AuthorizationBuilder builder)
    {
        foreach (var permission in Enum.GetValues<Permission>())
        {
            builder.AddPolicy(PolicyName(permission), policy => policy.RequireAuthenticatedUser().RequireAssertion(context =>
                context.User.GetRole() is { } role && PermissionMatrix.Allows(role, permission)));
        }
        builder.AddPolicy(SuperAdminPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(SwitchboardClaims.SuperAdmin, "true"));
        builder.AddPolicy(PersonPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(SwitchboardClaims.UserId));
        return builder;
    }

    public const string SuperAdminPolicy = "superadmin";
    public const string PersonPolicy = "person";

    /// <summary>Only a signed-in person, acting on their own account (an API key has no person behind it).</summary>
    public static TBuilder RequirePerson<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PersonPolicy).WithMetadata(new RequiresPerson());

    /// <summary>Only the installation's operator, signed in to the console (an API key never is one).</summary>
    public static TBuilder RequireSuperAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SuperAdminPolicy).WithMetadata(new RequiresSuperAdmin());

    public static string PolicyName(Permission permission) => "permission:" + permission.WireName();

    /// <summary>Requires <paramref name="permission"/>; the metadata also lets tests walk the permission of every route.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PolicyName(permission)).WithMetadata(new RequiresPermission(permission));

    /// <summary>Enters the tenant of the authenticated caller into the request's <see cref="TenantContext"/>.</summary>
    public static IApplicationBuilder UseTenantContext(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && user.GetLong(SwitchboardClaims.TenantId) is { } tenantId)
        {
            context.RequestServices.GetRequiredService<TenantContext>().Enter(
                tenantId, user.GetLong(SwitchboardClaims.UserId), user.GetRole(), user.GetLong(SwitchboardClaims.ApiKeyId));
        }
        await next(context);
    });

    /// <summary>Cookie-authenticated unsafe API requests must echo the antiforgery token in <see cref="CsrfHeader"/>.
    /// API-key requests carry no ambient credential, so they need none.</summary>
    public static IApplicationBuilder UseCsrfProtection(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var unsafeMethod = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        var byCookie = context.User.Identity is { IsAuthenticated: true, AuthenticationType: AuthSchemes.Cookie };
        if (unsafeMethod && byCookie && request.Path.StartsWithSegments("/api")
            && context.GetEndpoint()?.Metadata.GetMetadata<CsrfExempt>() is null)
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status400BadRequest,
                        Title = "CSRF token missing or invalid",
                        Detail = $"Send the token from GET /api/v1/auth/csrf in the {CsrfHeader} header.",
                    },
                });
                return;
            }
        }
        await next(context);
    });
}

/// <summary>Endpoint metadata: the permission a route requires.</summary>
public sealed record RequiresPermission(Permission Permission);

/// <summary>Endpoint metadata: a platform route, for the operator only and across tenants by design.</summary>
public sealed record RequiresSuperAdmin;

/// <summary>Endpoint metadata: a route about the signed-in person's own account (any role, never an API key).</summary>
public sealed record RequiresPerson;

/// <summary>Endpoint metadata: an unsafe endpoint that needs no CSRF token (it creates the session, or only ends it).</summary>
public sealed record CsrfExempt;
