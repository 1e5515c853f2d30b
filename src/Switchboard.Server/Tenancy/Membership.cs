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

/// <summary>Links a global user to a tenant with a role; a user may belong to several tenants. Everything here is the
/// tenant's to manage; the person's profile is on <see cref="User"/> and is theirs.</summary>
public sealed class Membership : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }
    public Role Role { get; set; }
    public MembershipStatus Status { get; set; } = MembershipStatus.Active;
    public bool IsProvider { get; set; }
    public bool IsTimeClockUser { get; set; }
    /// <summary>The person's last sign-in to this tenant (not to their other tenants).</summary>
    public DateTimeOffset? LastSignInAt { get; set; }
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
