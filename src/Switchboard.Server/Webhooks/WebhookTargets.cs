using Switchboard.Platform.Network;

namespace Switchboard.Webhooks;

public sealed class OutboundWebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How long one attempt may take, answer body included.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Which URLs outbound webhooks may be sent to: absolute http(s) URLs whose host the <see cref="OutboundGuard"/>
/// allows.</summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2000;

    /// <summary>Why <paramref name="url"/> cannot be a subscription's target, or null when it can. Host names are checked
    /// again, on the addresses they resolve to, when a delivery connects (<see cref="OutboundGuard.ConnectAsync"/>).</summary>
    public static string? Problem(string url, OutboundGuard guard)
    {
        if (url.Length > MaxUrlLength)
            return $"must be at most {MaxUrlLength} characters.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            return "must be an absolute http:// or https:// URL.";
        if (uri.UserInfo.Length > 0)
            return "must not contain a user name or password.";
        return guard.AllowsUrl(uri) ? null : DestinationNotAllowedException.Text;
    }
}
