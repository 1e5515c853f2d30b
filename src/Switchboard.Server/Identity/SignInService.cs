using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

public enum SignInOutcome
{
    SignedIn,
    InvalidCredentials,
    LockedOut,
    NoActiveWorkspace,
}

public sealed record SignInResult(SignInOutcome Outcome, DateTimeOffset? LockedUntil = null, Session? Session = null);

public sealed record SessionTenant(long Id, string Name, string Slug, Role Role);

public sealed record SessionUser(long Id, string Name, string Email, bool IsSuperAdmin);

public sealed record Session(SessionUser User, SessionTenant Tenant, Role Role, IReadOnlyList<string> Permissions, IReadOnlyList<SessionTenant> Tenants);

/// <summary>Password sign-in with lockout, the console session cookie, and the session view the console starts from.</summary>
public sealed class SignInService(
    SwitchboardDbContext db,
    IPasswordHasher<User> hasher,
    IdentityOptions options,
    IServiceScopeFactory scopes,
    IHttpContextAccessor http,
    TimeProvider clock,
    ILogger<SignInService> logger)
{

    /// <summary>Verified against when the email is unknown, so both paths take as long and reveal nothing.</summary>
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(new User { Name = "", Email = "" }, Guid.NewGuid().ToString()));

    public async Task<SignInResult> SignInAsync(string email, string password, string? tenantSlug, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var normalized = Formats.NormalizeEmail(email) ?? email.Trim().ToLowerInvariant();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == normalized, cancellationToken);
        if (user is null)
        {
            hasher.VerifyHashedPassword(new User { Name = "", Email = "" }, DummyHash.Value, password);
            logger.LogWarning("Sign-in failed for unknown email {Email}", normalized);
            return new SignInResult(SignInOutcome.InvalidCredentials);
        }

        var memberships = await ActiveMembershipsAsync(user.Id, cancellationToken);
        var auditTenants = memberships.Where(m => tenantSlug is null || m.Slug == tenantSlug).Select(m => m.Id).ToList();
        if (user.LockoutEnd > now)
        {
            await AuditAsync(auditTenants, "identity.sign_in_failed", user.Id, new JsonObject { ["email"] = normalized, ["reason"] = "locked_out" }, cancellationToken);
            return new SignInResult(SignInOutcome.LockedOut, user.LockoutEnd);
        }

        var verdict = user.Status == UserStatus.Active ? hasher.VerifyHashedPassword(user, user.PasswordHash, password) : PasswordVerificationResult.Failed;
        if (verdict == PasswordVerificationResult.Failed)
        {
            user.FailedSignInCount++;
            var lockedNow = user.FailedSignInCount >= options.FailedSignInsBeforeLockout;
            if (lockedNow)
            {
                user.LockoutEnd = now.AddMinutes(options.LockoutMinutes);
                user.FailedSignInCount = 0;
            }
            await db.SaveChangesAsync(cancellationToken);
            await AuditAsync(auditTenants, "identity.sign_in_failed", user.Id,
                new JsonObject { ["email"] = normalized, ["reason"] = lockedNow ? "locked_out" : "invalid_password" }, cancellationToken);
            return lockedNow ? new SignInResult(SignInOutcome.LockedOut, user.LockoutEnd) : new SignInResult(SignInOutcome.InvalidCredentials);
        }

        var tenant = memberships.FirstOrDefault(m => tenantSlug is null || m.Slug == tenantSlug);
        if (tenant is null)
            return new SignInResult(SignInOutcome.NoActiveWorkspace);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            user.PasswordHash = hasher.HashPassword(user, password);
        user.FailedSignInCount = 0;
        user.LockoutEnd = null;
        user.LastSignInAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await IssueCookieAsync(user, tenant.Id, tenant.Role);
        await AuditAsync([tenant.Id], "identity.sign_in", user.Id, new JsonObject { ["email"] = normalized }, cancellationToken);
        return new SignInResult(SignInOutcome.SignedIn, Session: await DescribeAsync(user.Id, tenant.Id, cancellationToken));
    }

    /// <summary>Moves the signed-in user's session to another of their workspaces; null when they are not an active member.</summary>
    public async Task<Session?> SwitchTenantAsync(long userId, long tenantId, CancellationToken cancellationToken)
    {
        var session = await DescribeAsync(userId, tenantId, cancellationToken);
        if (session is null)
            return null;
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        await IssueCookieAsync(user, tenantId, session.Role);
        return session;
    }

    public async Task IssueCookieAsync(User user, long tenantId, Role role)
    {
        var context = http.HttpContext ?? throw new InvalidOperationException("Signing in needs an HTTP request.");
        await context.SignInAsync(AuthSchemes.Cookie, SwitchboardClaims.SessionPrincipal(user.Id, user.Name, tenantId, role, user.IsSuperAdmin, clock.GetUtcNow()));
    }

    /// <summary>The workspaces a user may enter: active memberships of active tenants, oldest first.</summary>
    public Task<List<SessionTenant>> ActiveMembershipsAsync(long userId, CancellationToken cancellationToken) =>
        // A user's own memberships span tenants by nature; this is the one query that lists them.
        db.Memberships.IgnoreQueryFilters()
            .Where(m => m.UserId == userId && m.Status == MembershipStatus.Active)
            .Join(db.Tenants.Where(t => t.Status == TenantStatus.Active), m => m.TenantId, t => t.Id,
                (m, t) => new { m.Id, Tenant = new SessionTenant(t.Id, t.Name, t.Slug, m.Role) })
            .OrderBy(x => x.Id)
            .Select(x => x.Tenant)
            .ToListAsync(cancellationToken);

    public async Task<Session?> DescribeAsync(long userId, long tenantId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        var tenants = await ActiveMembershipsAsync(userId, cancellationToken);
        var current = tenants.FirstOrDefault(t => t.Id == tenantId);
        if (user is null || current is null)
            return null;
        return new Session(new SessionUser(user.Id, user.Name, user.Email, user.IsSuperAdmin), current, current.Role,
            PermissionMatrix.For(current.Role).Select(p => p.WireName()).ToList(), tenants);
    }

    /// <summary>Sign-in events belong to the tenants the user signs in to; each is written in that tenant's own scope.</summary>
    private async Task AuditAsync(IEnumerable<long> tenantIds, string action, long userId, JsonObject meta, CancellationToken cancellationToken)
    {
        foreach (var tenantId in tenantIds)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId, userId);
            scope.ServiceProvider.GetRequiredService<AuditWriter>().Add(action, (JsonObject)meta.DeepClone(), userId);
            await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().SaveChangesAsync(cancellationToken);
        }
    }
}
