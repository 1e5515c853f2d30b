using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Tenancy;

public enum TenantStatus
{
    Active,
    Suspended,
}

/// <summary>A company served by this installation. The root of tenancy, so it is a platform entity itself.</summary>
public sealed class Tenant : IPlatformEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public string? Domain { get; set; }
    public JsonObject Settings { get; set; } = new();
    public TenantStatus Status { get; set; } = TenantStatus.Active;
    /// <summary>Signs outbound webhooks; encrypted at rest because it is a shared secret.</summary>
    public required string WebhookSecretCiphertext { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.HasIndex(t => t.Slug).IsUnique();
        builder.HasIndex(t => t.Domain).IsUnique();
        builder.Property(t => t.Settings).HasJsonObjectConversion();
    }
}
