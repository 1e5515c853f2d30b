using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Identity;
using Switchboard.Platform.Database;

namespace Switchboard.Tenancy;

/// <summary>A tenant's offer of membership to a person who already has an account (possibly in other tenants). It grants
/// nothing and shows the tenant nothing of the account: only the person, signed in, accepts it (which creates the
/// <see cref="Membership"/>) or declines it. Kept apart from memberships so no query can mistake it for one.</summary>
public sealed class Invitation : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }
    /// <summary>The name the inviting admin typed; the tenant sees it until the person accepts, never the account's own.</summary>
    public required string Name { get; set; }
    public Role Role { get; set; }
    public bool IsProvider { get; set; }
    public bool IsTimeClockUser { get; set; }
    public long? InvitedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.ToTable("invitations");
        builder.HasIndex(i => new { i.TenantId, i.UserId }).IsUnique();
        builder.HasIndex(i => i.UserId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.User).WithMany().HasForeignKey(i => i.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(i => i.InvitedById).OnDelete(DeleteBehavior.SetNull);
    }
}
