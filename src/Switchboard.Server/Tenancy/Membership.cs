using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Identity;
using Switchboard.Platform.Database;

namespace Switchboard.Tenancy;

public enum MembershipStatus
{
    Active,
    Disabled,
}

/// <summary>Links a global user to a tenant with a role; a user may belong to several tenants.</summary>
public sealed class Membership : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }
    public Role Role { get; set; }
    public MembershipStatus Status { get; set; } = MembershipStatus.Active;
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.ToTable("memberships");
        builder.HasIndex(m => new { m.TenantId, m.UserId }).IsUnique();
        builder.HasIndex(m => m.UserId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
