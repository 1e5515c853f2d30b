using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Channels.WebChat;

/// <summary>The web-chat channel a widget request names, and which sites may call it: the channel's
/// <c>allowedOrigins</c>, plus this server itself (its demo page at <c>/widget/{channelId}</c>).</summary>
public static class WebChatChannels
{
    private const string ItemKey = "webchat.channel";

    public const string DefaultGreeting = "Hi! How can we help you today?";
    public const string DefaultPrimaryColor = "#3b5bdb";
    public const string DefaultBackgroundColor = "#ffffff";

    /// <summary>The active web-chat channel of the route's <c>channelId</c>, read once per request (the CORS policy and
    /// the endpoint both ask). The URL names the channel, not its tenant: this lookup spans tenants by design.</summary>
    public static async Task<Channel?> FindAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(ItemKey, out var cached))
            return (Channel?)cached;
        Channel? channel = null;
        if (long.TryParse(http.GetRouteValue("channelId")?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            channel = await http.RequestServices.GetRequiredService<SwitchboardDbContext>().Channels.IgnoreQueryFilters().AsNoTracking()
                .Include(c => c.Departments)
                .FirstOrDefaultAsync(c => c.Id == id && c.Type == ChannelType.Webchat && c.Status == ChannelStatus.Active, http.RequestAborted);
        http.Items[ItemKey] = channel;
        return channel;
    }

    public static bool AllowsOrigin(HttpContext http, Channel channel, string? origin)
    {
        if (string.IsNullOrEmpty(origin))
            return false;
        var own = new Uri(http.RequestServices.GetRequiredService<ChannelWebhookUrls>().BaseUrl(http.Request)).GetLeftPart(UriPartial.Authority);
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            || (channel.Settings["allowedOrigins"] as JsonArray ?? []).Any(o => string.Equals(o?.GetValue<string>(), origin, StringComparison.OrdinalIgnoreCase));
    }

    public static string Setting(Channel channel, string name, string fallback) =>
        channel.Settings[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : fallback;
}

/// <summary>The <see cref="Policy"/> CORS policy, per channel: only its allowed origins get CORS headers. Other policy
/// names are the default provider's.</summary>
internal sealed class WebChatCorsPolicyProvider(IOptions<CorsOptions> options) : ICorsPolicyProvider
{
    public const string Policy = "webchat";
    private readonly DefaultCorsPolicyProvider others = new(options);

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (policyName != Policy)
            return await others.GetPolicyAsync(context, policyName);
        if (await WebChatChannels.FindAsync(context) is not { } channel)
            return null;
        return new CorsPolicyBuilder()
            .SetIsOriginAllowed(origin => WebChatChannels.AllowsOrigin(context, channel, origin))
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders("Authorization", "Content-Type")
            .WithExposedHeaders("Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))
            .Build();
    }
}

/// <summary>Every widget route: an unknown or disabled channel is a 404; a state change from a site the channel does not
/// allow (or with no Origin at all) is a 403, since CORS alone only stops the browser from reading the answer. Enters the
/// channel's tenant.</summary>
internal sealed class WidgetChannelFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (await WebChatChannels.FindAsync(http) is not { } channel)
            return Problems.NotFound("Web chat channel");
        if (HttpMethods.IsPost(http.Request.Method) && !WebChatChannels.AllowsOrigin(http, channel, http.Request.Headers.Origin))
            return Problems.Forbidden("This site is not one of the channel's allowed origins.");
        http.RequestServices.GetRequiredService<TenantContext>().Enter(channel.TenantId);
        return await next(context);
    }
}
