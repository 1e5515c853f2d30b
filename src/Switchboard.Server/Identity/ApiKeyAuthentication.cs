using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

/// <summary>Authenticates <c>Authorization: Bearer sb_…</c> against the hashed keys table.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SwitchboardDbContext db,
    TimeProvider clock,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>Last-used times are written at most this often per key, so a busy integration does not write on every call.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>The key from <c>Authorization: Bearer</c>, or, for the real-time hubs only, from <c>?access_token=</c>: browsers
    /// cannot set headers on a WebSocket, and SignalR clients send the token there.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim();
        return request.Path.StartsWithSegments("/hubs") && request.Query["access_token"].ToString() is { Length: > 0 } token ? token : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
            return AuthenticateResult.NoResult();
        var hash = ApiKeys.Hash(presented);

        // The tenant is not known until the key is found, so this one lookup spans tenants on purpose. It is made on every
        // request, uncached, so a revocation or a change to the creator's membership applies at once on every node.
        var found = await db.Standings(db.ApiKeys.IgnoreQueryFilters().Where(k => k.KeyHash == hash))
            .AsNoTracking()
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (found is null)
            return AuthenticateResult.Fail("The API key is not valid or has been revoked.");
        if (found.Refusal is { } refusal)
            return AuthenticateResult.Fail(refusal);

        var now = clock.GetUtcNow();
        if (found.Key.LastUsedAt is null || now - found.Key.LastUsedAt > LastUsedResolution)
        {
            var stale = now - LastUsedResolution;
            await db.ApiKeys.IgnoreQueryFilters()
                .Where(k => k.Id == found.Key.Id && (k.LastUsedAt == null || k.LastUsedAt < stale))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(SwitchboardClaims.ApiKeyId, found.Key.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, found.Key.Name),
                new Claim(SwitchboardClaims.TenantId, found.Key.TenantId.ToString(CultureInfo.InvariantCulture)),
                new Claim(SwitchboardClaims.Role, found.Key.Role.ToString()),
            ],
            Scheme.Name, ClaimTypes.Name, SwitchboardClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = failure?.Message ?? "An API key is required.",
            },
        });
    }
}

/// <summary>Creating and hashing API keys.</summary>
public static class ApiKeys
{
    public const string KeyPrefix = "sb_";

    /// <summary>A new key: <c>sb_</c> + 8 public characters + <c>_</c> + 32 bytes of secret.</summary>
    public static (string Key, string Prefix, string Hash) Generate()
    {
        var prefix = KeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var key = $"{prefix}_{Platform.Security.SecretProtector.NewSecret()}";
        return (key, prefix, Hash(key));
    }

    /// <summary>Keys carry 256 bits of entropy, so a fast hash is enough; no salt or stretching is needed.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
