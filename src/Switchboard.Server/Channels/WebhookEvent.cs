using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Channels;

/// <summary>A provider webhook exactly as it arrived, stored before it is answered so nothing verified is ever lost; a job
/// turns it into messages. The same body delivered twice is stored once.</summary>
public sealed class WebhookEvent : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ChannelId { get; set; }
    public required string Payload { get; set; }
    /// <summary>The delivery's key: SHA-256 of the raw body (providers re-deliver byte-identical payloads), or of Mailgun's
    /// one-time token (see <see cref="WebhookInbox.AcceptAsync"/>).</summary>
    public required string PayloadHash { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
}

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> builder)
    {
        builder.ToTable("webhook_events");
        builder.HasIndex(e => new { e.ChannelId, e.PayloadHash }).IsUnique();
        builder.HasIndex(e => new { e.TenantId, e.ReceivedAt });
        builder.HasOne<Channel>().WithMany().HasForeignKey(e => e.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
