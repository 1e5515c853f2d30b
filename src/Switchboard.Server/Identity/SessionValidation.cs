using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

/// <summary>Re-checks a console session on every request: the user, membership and tenant must still be active, the user's
/// inactivity timeout must not have passed, and a role change takes effect at once.</summary>
internal static class SessionValidation
{
    /// <summary>The activity timestamp is refreshed (and the cookie re-issued) at most this often.</summary>
    private static readonly TimeSpan ActivityResolution = TimeSpan.FromSeconds(30);

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var userId = principal?.GetLong(SwitchboardClaims.UserId);
        var tenantId = principal?.GetLong(SwitchboardClaims.TenantId);
        var lastSeen = principal?.GetLong(SwitchboardClaims.LastSeen);
        if (principal is null || userId is null || tenantId is null || lastSeen is null)
        {
            await RejectAsync(context);
            return;
        }

        var services = context.HttpContext.RequestServices;
        var db = services.GetRequiredService<SwitchboardDbContext>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
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
            .FirstOrDefaultAsync(context.HttpContext.RequestAborted);

        var idle = now - DateTimeOffset.FromUnixTimeSeconds(lastSeen.Value);
        if (state is null || state.Status != MembershipStatus.Active || state.UserStatus != UserStatus.Active
            || state.TenantStatus != TenantStatus.Active || idle > TimeSpan.FromMinutes(state.InactivityTimeoutMinutes))
        {
            await RejectAsync(context);
            return;
        }

        if (state.Role != principal.GetRole() || state.IsSuperAdmin != principal.HasClaim(SwitchboardClaims.SuperAdmin, "true") || idle > ActivityResolution)
        {
            context.ReplacePrincipal(SwitchboardClaims.SessionPrincipal(userId.Value, state.Name, tenantId.Value, state.Role, state.IsSuperAdmin, now));
            context.ShouldRenew = true;
        }
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(AuthSchemes.Cookie);
    }
}
