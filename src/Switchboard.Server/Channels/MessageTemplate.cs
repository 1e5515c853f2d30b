using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Channels;

public enum TemplateCategory
{
    Marketing,
    Utility,
    Authentication,
}

/// <summary>A WhatsApp message template of a channel: on a Cloud API channel as Meta holds it for the business account
/// (synced from <c>GET /{waba-id}/message_templates</c>); on a Twilio WhatsApp channel a Twilio Content template, synced
/// from Twilio's Content API or registered by hand, with its Content SID (<c>HX…</c>) as <see cref="ProviderTemplateId"/>.
/// Only approved templates can be sent.</summary>
public sealed class MessageTemplate : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ChannelId { get; set; }
    public string? ProviderTemplateId { get; set; }
    public required string Name { get; set; }
    public required string Language { get; set; }
    public TemplateCategory Category { get; set; }
    /// <summary>The provider's status word in capitals: APPROVED, PENDING, REJECTED, PAUSED, DISABLED ... (Twilio's
    /// lowercase approval statuses are upper-cased, and a Content template never submitted to WhatsApp is UNSUBMITTED).</summary>
    public required string Status { get; set; }
    /// <summary>The BODY component's text with its <c>{{n}}</c> placeholders.</summary>
    public string Body { get; set; } = "";
    public int ParameterCount { get; set; }
    public JsonArray Components { get; set; } = [];
    public DateTimeOffset SyncedAt { get; set; }

    public const string Approved = "APPROVED";
}

/// <summary>One template as a provider describes it (Meta's template, Twilio's Content resource), reduced to what
/// Switchboard keeps.</summary>
public sealed record ProviderTemplate(string? ProviderId, string Name, string Language, TemplateCategory Category, string Status, string Body,
    int ParameterCount, JsonArray Components);

/// <summary>Where a channel type's templates come from, for <c>POST /channels/{id}/templates/sync</c>.</summary>
public interface ITemplateSource
{
    /// <summary>The provider's name, for messages: "Meta", "Twilio".</summary>
    string Provider { get; }

    bool Handles(ChannelType type);

    /// <summary>All of the channel's templates, or the provider's error code and message (<c>unreachable</c> when it did not
    /// answer).</summary>
    Task<(List<ProviderTemplate>? Templates, (string Code, string Message)? Error)> FetchAsync(Channel channel, CancellationToken cancellationToken);

    /// <summary>The provider did not answer usably: no connection, a timeout (not our own cancellation), or a body that is
    /// not the JSON expected.</summary>
    static bool Unusable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or System.Text.Json.JsonException or InvalidOperationException
        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);
}

/// <summary>What Meta and Twilio templates have in common: numbered <c>{{n}}</c> placeholders and WhatsApp's categories.</summary>
public static partial class TemplateText
{
    /// <summary>How many distinct <c>{{n}}</c> placeholders <paramref name="text"/> has: the parameters a send must give.</summary>
    public static int ParameterCount(string text) => Placeholders(text).Count();

    /// <summary>The distinct placeholder numbers, in order of first appearance.</summary>
    public static IEnumerable<int> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => int.TryParse(m.Groups[1].Value, out var n) ? n : int.MaxValue).Distinct();

    /// <summary>WhatsApp's category word; providers have had others (TRANSACTIONAL, OTP ...), and an unknown one is treated
    /// as the most restricted.</summary>
    public static TemplateCategory Category(string? word) => TryCategory(word, out var known) ? known : TemplateCategory.Marketing;

    /// <summary>marketing, utility or authentication, in any case.</summary>
    public static bool TryCategory(string? word, out TemplateCategory category) =>
        Enum.TryParse(word, ignoreCase: true, out category) && Enum.IsDefined(category) && !int.TryParse(word, out _);

    [GeneratedRegex(@"\{\{(\d+)\}\}")]
    private static partial Regex Placeholder();
}

internal sealed class MessageTemplateConfiguration : IEntityTypeConfiguration<MessageTemplate>
{
    public void Configure(EntityTypeBuilder<MessageTemplate> builder)
    {
        builder.ToTable("message_templates");
        builder.Property(t => t.Components).HasJsonArrayConversion();
        builder.HasIndex(t => new { t.ChannelId, t.Name, t.Language }).IsUnique();
        builder.HasIndex(t => new { t.TenantId, t.ChannelId });
        builder.HasOne<Channel>().WithMany().HasForeignKey(t => t.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
