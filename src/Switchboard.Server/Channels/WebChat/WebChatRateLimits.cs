using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Switchboard.Platform.Http;

namespace Switchboard.Channels.WebChat;

/// <summary>The widget is public, so its writes are limited: session starts per client IP, messages per session. A refused
/// request gets a 429 problem with <c>Retry-After</c>.</summary>
internal static class WebChatRateLimits
{
    public const string SessionStarts = "webchat-session-starts";
    public const string Messages = "webchat-messages";

    public static void Add(RateLimiterOptions limiter, WebChatOptions options)
    {
        limiter.AddPolicy(SessionStarts, new Policy(http => RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => PerMinute(options.SessionStartsPerMinutePerIp))));
        limiter.AddPolicy(Messages, new Policy(http => VisitorAuthentication.Presented(http.Request) is { } token
            ? RateLimitPartition.GetFixedWindowLimiter(VisitorAuthentication.Hash(token), _ => PerMinute(options.MessagesPerMinutePerSession))
            // No token: authentication refuses the request anyway.
            : RateLimitPartition.GetNoLimiter("")));
    }

    private static FixedWindowRateLimiterOptions PerMinute(int permits) => new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1) };

    private sealed class Policy(Func<HttpContext, RateLimitPartition<string>> partition) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = TooManyRequests.RejectAsync;

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) => partition(httpContext);
    }
}
