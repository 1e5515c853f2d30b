using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

/// <summary>A console session as the database has it now.</summary>
internal sealed record SessionStanding(long UserId, long TenantId, string Name, Role Role, bool IsSuperAdmin, TimeSpan Idle)
{
    /// <summary>Whether <paramref name="principal"/> still says what the database says (a role change applies at once).</summary>
    public bool Matches(ClaimsPrincipal principal) =>
        Role == principal.GetRole() && IsSuperAdmin == principal.HasClaim(SwitchboardClaims.SuperAdmin, "true");
}

/// <summary>Re-checks a console session on every request: the user, membership and tenant must still be active, the user's
/// inactivity timeout must not have passed, and a role change takes effect at once. Live hub connections are re-checked with
/// the same <see cref="CheckAsync"/> (<see cref="LiveConnections"/>).</summary>
internal static class SessionValidation
{
    /// <summary>The activity timestamp is refreshed (and the cookie re-issued) at most this often.</summary>
    private static readonly TimeSpan ActivityResolution = TimeSpan.FromSeconds(30);

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var standing = context.Principal is { } principal
            ? await CheckAsync(principal, services.GetRequiredService<SwitchboardDbContext>(), now, context.HttpContext.RequestAborted)
            : null;
        if (standing is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AuthSchemes.Cookie);
            return;
        }

        if (!standing.Matches(context.Principal!) || standing.Idle > ActivityResolution)
        {
            context.ReplacePrincipal(SwitchboardClaims.SessionPrincipal(standing.UserId, standing.Name, standing.TenantId, standing.Role, standing.IsSuperAdmin, now));
            context.ShouldRenew = true;
        }
    }

    /// <summary>The session's standing, or null when it must end: the user, membership or tenant is no longer active, or the
    /// session has been idle longer than the user's inactivity timeout.</summary>
    public static async Task<SessionStanding?> CheckAsync(ClaimsPrincipal principal, SwitchboardDbContext db, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var userId = principal.GetLong(SwitchboardClaims.UserId);
        var tenantId = principal.GetLong(SwitchboardClaims.TenantId);
        var lastSeen = principal.GetLong(SwitchboardClaims.LastSeen);
        if (userId is null || tenantId is null || lastSeen is null)
            return null;

        // Runs before the request has a tenant scope, so it names the tenant explicitly.
        var state = await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.UserId == userId && m.TenantId == tenantId)
            .Select(m => new
            {
                m.Role,
                m.Status,
                UserStatus = m.User!.Status,
                m.User.Name,
                m.User.InactivityTimeoutMinutes,
                m.User.IsSuperAdmin,
                TenantStatus = db.Tenants.Where(t => t.Id == m.TenantId).Select(t => t.Status).First(),
            })
            .AsNoTracking()
            .FirstOrDefaultAsync(cancellationToken);

        var idle = now - DateTimeOffset.FromUnixTimeSeconds(lastSeen.Value);
        if (state is null || state.Status != MembershipStatus.Active || state.UserStatus != UserStatus.Active
            || state.TenantStatus != TenantStatus.Active || idle > TimeSpan.FromMinutes(state.InactivityTimeoutMinutes))
            return null;
        return new SessionStanding(userId.Value, tenantId.Value, state.Name, state.Role, state.IsSuperAdmin, idle);
    }
}
