using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

/// <summary>How fast a tenant promises to answer and to resolve. New conversations take the active default policy.</summary>
public sealed class SlaPolicy : ITenantOwned, INamedRow
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public int FirstResponseTimeMinutes { get; set; }
    public int ResolutionTimeHours { get; set; }
    /// <summary>Which conversations the policy is meant for (channel, priority…); stored for the console, not yet matched.</summary>
    public JsonObject Conditions { get; set; } = new();
    public bool IsActive { get; set; } = true;
    public bool IsDefault { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> builder)
    {
        builder.ToTable("sla_policies");
        builder.Property(p => p.Conditions).HasJsonObjectConversion();
        builder.HasIndex(p => new { p.TenantId, p.Name }).IsUnique();
        // At most one default per tenant, and the lookup every new conversation makes.
        builder.HasIndex(p => p.TenantId).IsUnique().HasFilter("is_default").HasDatabaseName("ix_sla_policies_tenant_id_default");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The SLA clock of a conversation: due times from its creation, and breaches flagged when an answer or a
/// resolution comes late — or, by <see cref="InboxClock"/>, when it has not come by the due time.</summary>
public static class SlaRules
{
    /// <summary>Starts the tenant's active default policy on a new conversation (none: no SLA).</summary>
    public static async Task StartAsync(SwitchboardDbContext db, Conversation conversation, CancellationToken cancellationToken) =>
        Start(conversation, await DefaultPolicyAsync(db, cancellationToken));

    /// <summary>The tenant's active default policy, which new conversations start under; null when there is none.</summary>
    public static Task<SlaPolicy?> DefaultPolicyAsync(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        db.SlaPolicies.AsNoTracking().Where(p => p.IsDefault && p.IsActive).FirstOrDefaultAsync(cancellationToken);

    public static void Start(Conversation conversation, SlaPolicy? policy)
    {
        if (policy is null)
            return;
        conversation.SlaPolicyId = policy.Id;
        conversation.SlaFirstResponseDueAt = conversation.CreatedAt.AddMinutes(policy.FirstResponseTimeMinutes);
        conversation.SlaResolutionDueAt = conversation.CreatedAt.AddHours(policy.ResolutionTimeHours);
    }

    /// <summary>Flags what came late; call after setting <see cref="Conversation.FirstResponseAt"/> or <see cref="Conversation.ResolvedAt"/>.
    /// A breach stays flagged (a reopened conversation does not undo it).</summary>
    public static void Check(Conversation conversation)
    {
        conversation.SlaFirstResponseBreached |= conversation.FirstResponseAt > conversation.SlaFirstResponseDueAt;
        conversation.SlaResolutionBreached |= conversation.ResolvedAt > conversation.SlaResolutionDueAt;
    }

    public static Expression<Func<Conversation, bool>> FirstResponseOverdue(DateTimeOffset now) =>
        c => !c.SlaFirstResponseBreached && c.FirstResponseAt == null && c.SlaFirstResponseDueAt < now;

    /// <summary>Archived conversations are closed without a resolution; they no longer run late.</summary>
    public static Expression<Func<Conversation, bool>> ResolutionOverdue(DateTimeOffset now) =>
        c => !c.SlaResolutionBreached && c.ResolvedAt == null && c.Status != ConversationStatus.Archived && c.SlaResolutionDueAt < now;
}
