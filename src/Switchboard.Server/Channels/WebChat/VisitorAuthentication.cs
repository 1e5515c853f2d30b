using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Identity;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.WebChat;

/// <summary>A website visitor proves their chat session with the bearer token it was started with (never a cookie: the
/// widget runs on other sites). Only the token's SHA-256 is stored.</summary>
public static class VisitorAuthentication
{
    public const string Scheme = "WebChatVisitor";
    public const string Policy = "webchat-visitor";
    public const string SessionClaim = "wcs";

    public static string NewToken() => "wct_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The token as the widget sends it: where API keys are read from (a bearer header, or <c>?access_token=</c> on a hub).</summary>
    public static string? Presented(HttpRequest request) => ApiKeyAuthenticationHandler.PresentedKey(request);

    public static long SessionId(ClaimsPrincipal visitor) => visitor.GetLong(SessionClaim) ?? throw new InvalidOperationException("Not a visitor.");

    public static long TenantId(ClaimsPrincipal visitor) => visitor.GetLong(SwitchboardClaims.TenantId) ?? throw new InvalidOperationException("Not a visitor.");
}

/// <summary>Finds the session of an active channel whose token hash matches; on the widget API the session must also
/// belong to the channel the URL names. An ended session still authenticates, so its visitor can read the thread; the
/// endpoints decide what it may no longer do.</summary>
internal sealed class VisitorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SwitchboardDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (VisitorAuthentication.Presented(Request) is not { } token)
            return AuthenticateResult.NoResult();
        var hash = VisitorAuthentication.Hash(token);
        // The token names a session, not its tenant: this lookup spans tenants by design.
        var session = await db.ChatSessions.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.TokenHash == hash)
            .Join(db.Channels.IgnoreQueryFilters().Where(c => c.Status == ChannelStatus.Active), s => s.ChannelId, c => c.Id,
                (s, _) => new { s.Id, s.TenantId, s.ChannelId })
            .FirstOrDefaultAsync(Context.RequestAborted);
        var routeChannel = Request.RouteValues.GetValueOrDefault("channelId")?.ToString();
        if (session is null || (routeChannel is not null && routeChannel != session.ChannelId.ToString(CultureInfo.InvariantCulture)))
            return AuthenticateResult.Fail("The chat session is not valid.");
        var identity = new ClaimsIdentity(
            [
                new Claim(VisitorAuthentication.SessionClaim, session.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(SwitchboardClaims.TenantId, session.TenantId.ToString(CultureInfo.InvariantCulture)),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }
}
