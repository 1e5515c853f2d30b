namespace Switchboard.Channels.WebChat;

/// <summary>The <c>WebChat</c> configuration section: the widget's rate limits (per node, in memory) and where its built
/// script lives.</summary>
public sealed class WebChatOptions
{
    public const string Section = "WebChat";

    public int SessionStartsPerMinutePerIp { get; set; } = 20;
    public int MessagesPerMinutePerSession { get; set; } = 30;

    /// <summary>Directory of the built widget (<c>web/widget/dist</c>, copied to <c>widget/</c> beside the binaries at build).</summary>
    public string WidgetPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "widget");
}
