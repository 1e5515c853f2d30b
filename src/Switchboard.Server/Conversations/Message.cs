using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Channels;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

public enum MessageDirection
{
    Inbound,
    Outbound,
}

public enum MessageType
{
    Text,
    Image,
    Video,
    Audio,
    Document,
    Location,
    Template,
    Interactive,
    /// <summary>A type this version does not understand; kept with its full payload, never dropped.</summary>
    Unsupported,
}

public enum SenderType
{
    Customer,
    Agent,
    System,
    Bot,
}

/// <summary>Delivery states in the order they happen; a message never moves backwards (failed is terminal unless a later
/// read proves delivery).</summary>
public enum MessageStatus
{
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
}

public sealed class Message : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ConversationId { get; set; }
    public long ChannelId { get; set; }
    /// <summary>The provider's id (WhatsApp <c>wamid…</c>); unique per channel, so a re-delivered webhook cannot add a copy.</summary>
    public string? ProviderMessageId { get; set; }
    public MessageDirection Direction { get; set; }
    public MessageType Type { get; set; }
    public string? Text { get; set; }
    public JsonObject Payload { get; set; } = new();
    public SenderType SenderType { get; set; }
    public long? AgentId { get; set; }
    public MessageStatus Status { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    public DateTimeOffset? FailedAt { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>Sent as a WhatsApp template (the only kind allowed outside the 24-hour window).</summary>
    public bool IsTemplate { get; set; }
    /// <summary>Buttons, quick replies, email headers (Message-ID, In-Reply-To) and other per-platform details.</summary>
    public JsonObject Metadata { get; set; } = new();
    /// <summary>The client's <c>Idempotency-Key</c>: the same send retried by the client creates one message.</summary>
    public string? IdempotencyKey { get; set; }
    /// <summary>Set (and committed) just before a send is handed to the provider, cleared once the provider has answered. Still
    /// set on a pending message, it means an attempt's outcome never came back (the node stopped, the answer timed out).</summary>
    public DateTimeOffset? SendStartedAt { get; set; }
    public List<MessageAttachment> Attachments { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable("messages");
        builder.Property(m => m.Payload).HasJsonObjectConversion();
        builder.Property(m => m.Metadata).HasJsonObjectConversion();
        // Only agents' sends carry a key: inbound messages, most of the table, stay out of this index.
        builder.HasIndex(m => new { m.ConversationId, m.IdempotencyKey }).IsUnique().HasFilter("idempotency_key IS NOT NULL");
        builder.HasIndex(m => new { m.TenantId, m.Status, m.CreatedAt });
        builder.HasIndex(m => new { m.ChannelId, m.ProviderMessageId }).IsUnique();
        builder.HasIndex(m => new { m.TenantId, m.ConversationId, m.CreatedAt, m.Id });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Channel>().WithMany().HasForeignKey(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
