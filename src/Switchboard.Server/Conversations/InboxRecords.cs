using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

/// <summary>One status a message reached, as the provider reported it: the history behind <see cref="Message.Status"/>.
/// The same report delivered twice (same status, same time) is recorded once.</summary>
public sealed class MessageStatusUpdate : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long MessageId { get; set; }
    public MessageStatus Status { get; set; }
    /// <summary>When the provider says it happened (not when the webhook arrived).</summary>
    public DateTimeOffset StatusAt { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>The provider's status object as it arrived (pricing, conversation origin, errors).</summary>
    public JsonObject Metadata { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A file kept in Switchboard's storage (inbound media, agent uploads).</summary>
public sealed class MediaFile : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    /// <summary>Path inside the storage root (local disk by default).</summary>
    public required string StorageUrl { get; set; }
    public required string MimeType { get; set; }
    public long FileSize { get; set; }
    public required string Sha256 { get; set; }
    public string? OriginalFilename { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A file attached to a message: where it lives here, where it came from, and what it is.</summary>
public sealed class MessageAttachment : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long MessageId { get; set; }
    /// <summary>Empty until the download job has fetched an inbound file.</summary>
    public long? MediaFileId { get; set; }
    public MessageType Type { get; set; }
    /// <summary>The provider's reference: a WhatsApp media id, a Twilio MediaUrl.</summary>
    public string? PlatformUrl { get; set; }
    public string? MimeType { get; set; }
    public string? Filename { get; set; }
    public long? FileSize { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public int? Duration { get; set; }
    public string? ThumbnailUrl { get; set; }
    public JsonObject Metadata { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An internal note on a conversation; pinned ones stay on top.</summary>
public sealed class ConversationNote : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ConversationId { get; set; }
    public long? UserId { get; set; }
    public required string Content { get; set; }
    public bool IsPinned { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A coloured label conversations can carry (distinct from contact tags, which segment customers).</summary>
public sealed class ConversationTag : ITenantOwned, INamedRow
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string Name { get; set; }
    /// <summary>#rrggbb.</summary>
    public required string Color { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class ConversationTagLink : ITenantOwned
{
    public long TenantId { get; set; }
    public long ConversationId { get; set; }
    public long TagId { get; set; }
}

public enum AssignmentType
{
    Manual,
    Transfer,
    AutoRoundRobin,
}

/// <summary>One stretch of a conversation's ownership: who had it, who gave it, until when.</summary>
public sealed class ConversationAssignment : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ConversationId { get; set; }
    /// <summary>Null records an unassignment.</summary>
    public long? AssignedToId { get; set; }
    public long? AssignedById { get; set; }
    public AssignmentType AssignmentType { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
    public DateTimeOffset? UnassignedAt { get; set; }
}

public sealed class ConversationTransfer : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ConversationId { get; set; }
    public long? FromUserId { get; set; }
    public long? ToUserId { get; set; }
    public long? FromDepartmentId { get; set; }
    public long? ToDepartmentId { get; set; }
    public long? TransferredById { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset TransferredAt { get; set; }
}

/// <summary>Text agents insert with <c>/shortcut</c>; shared with the team or one agent's own.</summary>
public sealed class CannedResponse : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string Title { get; set; }
    public required string Shortcut { get; set; }
    public required string Content { get; set; }
    public string? Category { get; set; }
    /// <summary>The agent who owns a personal response; null for shared ones.</summary>
    public long? UserId { get; set; }
    public bool IsShared { get; set; }
    /// <summary>Channel types the response suits; empty means all.</summary>
    public List<string> Platforms { get; set; } = [];
    public int UsageCount { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class InboxRecordsConfiguration :
    IEntityTypeConfiguration<MessageStatusUpdate>, IEntityTypeConfiguration<MediaFile>, IEntityTypeConfiguration<MessageAttachment>,
    IEntityTypeConfiguration<ConversationNote>, IEntityTypeConfiguration<ConversationTag>, IEntityTypeConfiguration<ConversationTagLink>,
    IEntityTypeConfiguration<ConversationAssignment>, IEntityTypeConfiguration<ConversationTransfer>, IEntityTypeConfiguration<CannedResponse>
{
    public void Configure(EntityTypeBuilder<MessageStatusUpdate> builder)
    {
        builder.ToTable("message_status_updates");
        builder.Property(u => u.Metadata).HasJsonObjectConversion();
        builder.HasIndex(u => new { u.MessageId, u.Status, u.StatusAt }).IsUnique();
        builder.HasOne<Message>().WithMany().HasForeignKey(u => u.MessageId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<MediaFile> builder)
    {
        builder.ToTable("media_files");
        builder.HasIndex(f => new { f.TenantId, f.CreatedAt });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(f => f.TenantId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<MessageAttachment> builder)
    {
        builder.ToTable("message_attachments");
        builder.Property(a => a.Metadata).HasJsonObjectConversion();
        builder.HasIndex(a => new { a.MessageId, a.Type });
        builder.HasOne<Message>().WithMany(m => m.Attachments).HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<MediaFile>().WithMany().HasForeignKey(a => a.MediaFileId).OnDelete(DeleteBehavior.SetNull);
    }

    public void Configure(EntityTypeBuilder<ConversationNote> builder)
    {
        builder.ToTable("conversation_notes");
        builder.HasIndex(n => new { n.ConversationId, n.IsPinned, n.CreatedAt });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(n => n.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.SetNull);
    }

    public void Configure(EntityTypeBuilder<ConversationTag> builder)
    {
        builder.ToTable("conversation_tags");
        builder.HasIndex(t => new { t.TenantId, t.Name }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ConversationTagLink> builder)
    {
        builder.ToTable("conversation_tag_links");
        builder.HasKey(l => new { l.ConversationId, l.TagId });
        builder.HasIndex(l => new { l.TenantId, l.TagId, l.ConversationId });
        builder.HasOne<Conversation>().WithMany(c => c.Tags).HasForeignKey(l => l.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ConversationTag>().WithMany().HasForeignKey(l => l.TagId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ConversationAssignment> builder)
    {
        builder.ToTable("conversation_assignments");
        builder.HasIndex(a => new { a.ConversationId, a.AssignedAt });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(a => a.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ConversationTransfer> builder)
    {
        builder.ToTable("conversation_transfers");
        builder.HasIndex(t => new { t.ConversationId, t.TransferredAt });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(t => t.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<CannedResponse> builder)
    {
        builder.ToTable("canned_responses");
        builder.Property(r => r.Platforms).HasJsonConversion();
        builder.HasIndex(r => new { r.TenantId, r.Shortcut });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
