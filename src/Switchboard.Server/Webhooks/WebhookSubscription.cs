using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Webhooks;

/// <summary>A tenant's URL that receives inbox events, signed with the tenant's webhook secret.</summary>
public sealed class WebhookSubscription : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string Url { get; set; }
    /// <summary>Event names (<c>message.created</c> ...); empty means every event.</summary>
    public List<string> Events { get; set; } = [];
    public string? Description { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum WebhookDeliveryStatus
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>One event sent (or being sent) to one subscription, with the last answer, so the console can show and resend it.</summary>
public sealed class WebhookDelivery : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long SubscriptionId { get; set; }
    public required string EventType { get; set; }
    /// <summary>Stable per event, sent as a header so receivers can drop duplicates.</summary>
    public required string EventId { get; set; }
    public required string Payload { get; set; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>, IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> builder)
    {
        builder.ToTable("webhook_subscriptions");
        builder.Property(s => s.Events).HasJsonConversion();
        builder.HasIndex(s => new { s.TenantId, s.IsActive });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasIndex(d => new { d.TenantId, d.SubscriptionId, d.CreatedAt });
        builder.HasIndex(d => d.CreatedAt);
        builder.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
    }
}
