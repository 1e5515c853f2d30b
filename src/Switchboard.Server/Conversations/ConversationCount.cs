using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>How many of a tenant's conversations are in each status, per assignee (0 = unassigned), kept by database
/// triggers on <c>conversations</c> (migrations M0008, M0009). The inbox's everyday tabs read their counts here instead of
/// counting a whole tenant on every request. Each count is spread over <see cref="Shards"/> rows (on PostgreSQL by the writing
/// connection, so concurrent writers of one tenant neither queue on one row nor lock rows in different orders; SQLite has one
/// writer and shards by conversation id): a shard's value alone means nothing, the sum over shards is the count.</summary>
public sealed class ConversationCount : ITenantOwned
{
    public const int Shards = 8;

    public long TenantId { get; set; }
    /// <summary>The assignee's user id; 0 for unassigned (a key column cannot be null).</summary>
    public long AssignedToId { get; set; }
    public ConversationStatus Status { get; set; }
    public int Shard { get; set; }
    public long N { get; set; }
}

internal sealed class ConversationCountConfiguration : IEntityTypeConfiguration<ConversationCount>
{
    public void Configure(EntityTypeBuilder<ConversationCount> builder)
    {
        builder.ToTable("conversation_counts");
        builder.HasKey(c => new { c.TenantId, c.AssignedToId, c.Status, c.Shard });
    }
}
