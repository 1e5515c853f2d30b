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
    Throttled,
    NoActiveWorkspace,
}

public sealed record SignInResult(SignInOutcome Outcome, TimeSpan? RetryAfter = null, Session? Session = null);

public sealed record SessionTenant(long Id, string Name, string Slug, Role Role);

public sealed record SessionUser(long Id, string Name, string Email, bool IsSuperAdmin);

public sealed record Session(SessionUser User, SessionTenant Tenant, Role Role, IReadOnlyList<string> Permissions, IReadOnlyList<SessionTenant> Tenants);

/// <summary>Password sign-in with throttling, the console session cookie, and the session view the console starts from.</summary>
public sealed class SignInService(
    SwitchboardDbContext db,
    IPasswordHasher<User> hasher,
    SignInThrottling throttling,
    IServiceScopeFactory scopes,
    IHttpContextAccessor http,
    TimeProvider clock,
    ILogger<SignInService> logger)
{

    /// <summary>Verified against when there is no usable account, so every failure takes as long and reveals nothing.</summary>
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(new User { Name = "", Email = "" }, Guid.NewGuid().ToString()));

    /// <summary>Signs in with a normalized <paramref name="email"/>. Unknown, disabled and real accounts fail alike (same
    /// answer, same work, same throttling); a failure is audited only in the workspace the sign-in would have entered.</summary>
    public async Task<SignInResult> SignInAsync(string email, string password, string? tenantSlug, CancellationToken cancellationToken)
    {
        var address = http.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (await throttling.RetryAfterAsync(email, address, cancellationToken) is { } wait)
        {
            logger.LogWarning("Sign-in throttled for {Email} from {Address} for {RetryAfter}", email, address, wait);
            return new SignInResult(SignInOutcome.Throttled, RetryAfter: wait);
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == email, cancellationToken);
        var verdict = user is { Status: UserStatus.Active }
            ? hasher.VerifyHashedPassword(user, user.PasswordHash, password)
            : VerifyDummy(password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            await throttling.RecordFailureAsync(email, address, cancellationToken);
            logger.LogWarning("Sign-in failed for {Email} from {Address} (known account: {Known})", email, address, user is not null);
            // Only the workspace the person was signing in to learns of it: the one they named, or the one this sign-in would
            // have opened (their oldest), never the others they belong to.
            if (user is not null && await EnteredTenantAsync(user.Id, tenantSlug, cancellationToken) is { } named)
            {
                await InTenantAsync(named.Id, user.Id, (services, _) =>
                {
                    services.GetRequiredService<AuditWriter>().Add("identity.sign_in_failed",
                        new JsonObject { ["email"] = email, ["reason"] = "invalid_password" }, user.Id);
                    return Task.CompletedTask;
                }, cancellationToken);
            }
            return new SignInResult(SignInOutcome.InvalidCredentials);
        }

        await throttling.ClearAsync(email, address, cancellationToken);
        var tenant = await EnteredTenantAsync(user!.Id, tenantSlug, cancellationToken);
        if (tenant is null)
            return new SignInResult(SignInOutcome.NoActiveWorkspace);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
            await db.SaveChangesAsync(cancellationToken);
        }
        var now = clock.GetUtcNow();
        await InTenantAsync(tenant.Id, user.Id, async (services, db) =>
        {
            await db.Memberships.Where(m => m.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.LastSignInAt, now), cancellationToken);
            services.GetRequiredService<AuditWriter>().Add("identity.sign_in", new JsonObject { ["email"] = email }, user.Id);
        }, cancellationToken);
        await IssueCookieAsync(user, tenant.Id, tenant.Role);
        return new SignInResult(SignInOutcome.SignedIn, Session: await DescribeAsync(user.Id, tenant.Id, cancellationToken));
    }

    /// <summary>The workspace a sign-in enters: the one named, else the person's oldest active one.</summary>
    private async Task<SessionTenant?> EnteredTenantAsync(long userId, string? tenantSlug, CancellationToken cancellationToken) =>
        (await ActiveMembershipsAsync(userId, cancellationToken)).FirstOrDefault(m => tenantSlug is null || m.Slug == tenantSlug);

    private PasswordVerificationResult VerifyDummy(string password)
    {
        hasher.VerifyHashedPassword(new User { Name = "", Email = "" }, DummyHash.Value, password);
        return PasswordVerificationResult.Failed;
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

    /// <summary>Runs <paramref name="work"/> in its own scope entered into <paramref name="tenantId"/> (sign-in happens before
    /// the request has a tenant), then saves what it added.</summary>
    private async Task InTenantAsync(long tenantId, long userId, Func<IServiceProvider, SwitchboardDbContext, Task> work, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId, userId);
        var tenantDb = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        await work(scope.ServiceProvider, tenantDb);
        await tenantDb.SaveChangesAsync(cancellationToken);
    }
}
