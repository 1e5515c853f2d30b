using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Channels;
using Switchboard.Contacts;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

public enum ConversationStatus
{
    New,
    Open,
    Pending,
    Snoozed,
    Resolved,
    Archived,
}

public enum ConversationPriority
{
    Low,
    Normal,
    High,
    Urgent,
}

/// <summary>Direct (one customer), broadcast (campaign replies) or group thread.</summary>
public enum ConversationKind
{
    Direct,
    Broadcast,
    Group,
}

/// <summary>One customer's thread on one channel: the unit of the inbox.</summary>
public sealed class Conversation : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ContactId { get; set; }
    public long ChannelId { get; set; }
    public ChannelType Platform { get; set; }
    public string? PlatformConversationId { get; set; }
    public ConversationStatus Status { get; set; } = ConversationStatus.New;
    public ConversationPriority Priority { get; set; } = ConversationPriority.Normal;
    public ConversationKind Kind { get; set; } = ConversationKind.Direct;
    public long? AssignedToId { get; set; }
    public long? DepartmentId { get; set; }
    public DateTimeOffset? LastMessageAt { get; set; }
    public DateTimeOffset? FirstResponseAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public int MessageCount { get; set; }
    public int UnreadCount { get; set; }
    public JsonObject Metadata { get; set; } = new();
    /// <summary>WhatsApp's customer-service window: free-form replies are allowed until then (24 h after the last inbound).</summary>
    public DateTimeOffset? WindowExpiresAt { get; set; }
    /// <summary>A snoozed conversation wakes (back to open) at this time.</summary>
    public DateTimeOffset? SnoozedUntil { get; set; }
    /// <summary>The newest message's text (or "[image]"), kept here so the list needs no join to messages.</summary>
    public string? LastMessagePreview { get; set; }
    /// <summary>The SLA policy the conversation started under (<see cref="SlaRules"/>); null when the tenant had no default.</summary>
    public long? SlaPolicyId { get; set; }
    public DateTimeOffset? SlaFirstResponseDueAt { get; set; }
    public DateTimeOffset? SlaResolutionDueAt { get; set; }
    public bool SlaFirstResponseBreached { get; set; }
    public bool SlaResolutionBreached { get; set; }
    public List<ConversationTagLink> Tags { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("conversations");
        builder.Property(c => c.Metadata).HasJsonObjectConversion();
        builder.HasIndex(c => new { c.TenantId, c.ContactId, c.ChannelId });
        // The inbox list: newest activity first within a status, optionally one agent's.
        builder.HasIndex(c => new { c.TenantId, c.Status, c.LastMessageAt, c.Id });
        builder.HasIndex(c => new { c.TenantId, c.AssignedToId, c.Status, c.LastMessageAt, c.Id });
        builder.HasIndex(c => new { c.TenantId, c.LastMessageAt, c.Id });
        // The partial indexes below hold only the rows their scans look for: every inbound message rewrites its conversation
        // row, and each index that holds it is one more entry to write.
        builder.HasIndex(c => new { c.TenantId, c.PlatformConversationId }).HasFilter("platform_conversation_id IS NOT NULL");
        // The unread filter: the few unread conversations, a status tab's newest first, and their counts per status from the
        // index alone, without touching the rest.
        builder.HasIndex(c => new { c.TenantId, c.Status, c.LastMessageAt, c.Id }, "ix_conversations_unread").HasFilter("unread_count > 0");
        // The inbox clock's snooze scan across tenants.
        builder.HasIndex(c => new { c.Status, c.SnoozedUntil }).HasFilter("snoozed_until IS NOT NULL");
        // The SLA sweeps' scans across tenants: unflagged conversations by due time.
        builder.HasIndex(c => new { c.SlaFirstResponseBreached, c.SlaFirstResponseDueAt }).HasFilter("sla_first_response_due_at IS NOT NULL");
        builder.HasIndex(c => new { c.SlaResolutionBreached, c.SlaResolutionDueAt }).HasFilter("sla_resolution_due_at IS NOT NULL");
        builder.HasIndex(c => c.SlaPolicyId).HasFilter("sla_policy_id IS NOT NULL");
        builder.HasIndex(c => c.ChannelId);
        builder.HasIndex(c => c.ContactId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Contact>().WithMany().HasForeignKey(c => c.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Channel>().WithMany().HasForeignKey(c => c.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<SlaPolicy>().WithMany().HasForeignKey(c => c.SlaPolicyId).OnDelete(DeleteBehavior.SetNull);
    }
}
