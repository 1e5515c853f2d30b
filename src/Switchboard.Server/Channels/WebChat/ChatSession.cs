using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Contacts;
using Switchboard.Conversations;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.WebChat;

public enum ChatSessionStatus
{
    Active,
    Ended,
}

/// <summary>A website visitor's chat: the widget holds a token whose hash is kept here, and the session maps the visitor to
/// a contact and a conversation in the shared inbox. A session the visitor ended keeps its token, to read the thread, but
/// takes no more messages either way.</summary>
public sealed class ChatSession : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long ChannelId { get; set; }
    public long ContactId { get; set; }
    public long ConversationId { get; set; }
    public long? AgentId { get; set; }
    public required string ClientName { get; set; }
    /// <summary>SHA-256 of the visitor's bearer token (the token itself is only ever in the visitor's browser).</summary>
    public required string TokenHash { get; set; }
    public ChatSessionStatus Status { get; set; }
    public required string Platform { get; set; }
    public string? Origin { get; set; }
    public string? LastMessage { get; set; }
    public int UnreadCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    /// <summary>When the visitor ended the chat (<see cref="ChatSessionStatus.Ended"/>).</summary>
    public DateTimeOffset? EndedAt { get; set; }
}

internal sealed class ChatSessionConfiguration : IEntityTypeConfiguration<ChatSession>
{
    public void Configure(EntityTypeBuilder<ChatSession> builder)
    {
        builder.ToTable("chat_sessions");
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.HasIndex(s => new { s.TenantId, s.ConversationId });
        builder.HasOne<Channel>().WithMany().HasForeignKey(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Contact>().WithMany().HasForeignKey(s => s.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(s => s.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
