using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Audit;

/// <summary>One immutable record of a state change or sign-in. The DbContext refuses updates and deletes, and so does a
/// database trigger, so not even a bug in a handler can rewrite history.</summary>
public sealed class AuditLog : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long? UserId { get; set; }
    public long? ApiKeyId { get; set; }
    public required string Action { get; set; }
    public required string Module { get; set; }
    public string? IpAddress { get; set; }
    /// <summary>JSON object text; kept as text so free-text search can match inside it on every provider.</summary>
    public string Meta { get; set; } = "{}";
    public DateTimeOffset LoggedAt { get; set; }
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> builder)
    {
        builder.ToTable("audit_logs");
        builder.HasIndex(a => new { a.TenantId, a.LoggedAt, a.Id });
        builder.HasIndex(a => new { a.TenantId, a.Module, a.LoggedAt });
        builder.HasIndex(a => new { a.TenantId, a.UserId, a.LoggedAt });
        // No foreign key to users: an entry outlives the user it names.
        builder.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
