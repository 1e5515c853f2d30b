using System.Text.Json.Nodes;
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

/// <summary>A WhatsApp message template as Meta holds it for the channel's business account, synced from
/// <c>GET /{waba-id}/message_templates</c>. Only approved templates can be sent.</summary>
public sealed class MessageTemplate : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ChannelId { get; set; }
    public string? ProviderTemplateId { get; set; }
    public required string Name { get; set; }
    public required string Language { get; set; }
    public TemplateCategory Category { get; set; }
    /// <summary>Meta's status word as given: APPROVED, PENDING, REJECTED, PAUSED, DISABLED ...</summary>
    public required string Status { get; set; }
    /// <summary>The BODY component's text with its <c>{{n}}</c> placeholders.</summary>
    public string Body { get; set; } = "";
    public int ParameterCount { get; set; }
    public JsonArray Components { get; set; } = [];
    public DateTimeOffset SyncedAt { get; set; }
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
