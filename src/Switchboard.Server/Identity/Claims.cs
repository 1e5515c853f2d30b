using System.Globalization;
using System.Security.Claims;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

/// <summary>The claims Switchboard puts in a session cookie or derives from an API key.</summary>
public static class SwitchboardClaims
{
    public const string UserId = "sub";
    public const string TenantId = "tid";
    public const string Role = "role";
    public const string ApiKeyId = "akid";
    /// <summary>Unix seconds of the session's last activity (console inactivity timeout).</summary>
    public const string LastSeen = "seen";
    /// <summary>Present ("true") on the session of the installation's operator.</summary>
    public const string SuperAdmin = "sa";

    public static ClaimsPrincipal SessionPrincipal(long userId, string name, long tenantId, Role role, bool isSuperAdmin, DateTimeOffset now) =>
        new(new ClaimsIdentity(
            [
                .. isSuperAdmin ? [new Claim(SuperAdmin, "true")] : Array.Empty<Claim>(),
                new Claim(UserId, userId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, name),
                new Claim(TenantId, tenantId.ToString(CultureInfo.InvariantCulture)),
                new Claim(Role, role.ToString()),
                new Claim(LastSeen, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            ],
            AuthSchemes.Cookie, ClaimTypes.Name, Role));

    public static long? GetLong(this ClaimsPrincipal principal, string type) =>
        long.TryParse(principal.FindFirstValue(type), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static Role? GetRole(this ClaimsPrincipal principal) =>
        Enum.TryParse<Role>(principal.FindFirstValue(Role), out var role) ? role : null;
}

public static class AuthSchemes
{
    public const string Cookie = "Cookies";
    public const string ApiKey = "ApiKey";
    /// <summary>Chooses <see cref="ApiKey"/> when a bearer token is sent, the cookie otherwise.</summary>
    public const string Default = "Switchboard";
}
