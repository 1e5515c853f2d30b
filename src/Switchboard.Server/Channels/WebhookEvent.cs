using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Channels;

/// <summary>A provider webhook exactly as it arrived, stored before it is answered so nothing verified is ever lost;
/// <see cref="WebhookProcessor"/> turns it into messages and delivery reports. The same body delivered twice is stored once.</summary>
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
    /// <summary>When the processor should (next) take it; while it is being processed, when its claim runs out. Null once
    /// there is nothing left to do: processed, or given up on after <see cref="WebhookProcessor.MaxAttempts"/> (see <see cref="LastError"/>).</summary>
    public DateTimeOffset? RunAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> builder)
    {
        builder.ToTable("webhook_events");
        builder.HasIndex(e => new { e.ChannelId, e.PayloadHash }).IsUnique();
        builder.HasIndex(e => new { e.TenantId, e.ReceivedAt });
        // Only the webhooks still to process, in the order the processor claims them.
        builder.HasIndex(e => new { e.RunAt, e.Id }, "ix_webhook_events_due").HasFilter("run_at IS NOT NULL");
        builder.HasIndex(e => e.ReceivedAt, "ix_webhook_events_finished").HasFilter("run_at IS NULL");
        builder.HasOne<Channel>().WithMany().HasForeignKey(e => e.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
