using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Identity;
using Switchboard.Platform.Database;

namespace Switchboard.Tenancy;

/// <summary>A tenant-scoped credential for integrations. Only a SHA-256 hash of the key is stored; the key is shown once.</summary>
public sealed class ApiKey : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string Name { get; set; }
    public Role Role { get; set; }
    /// <summary>The public start of the key, shown in lists so people can tell keys apart.</summary>
    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public long? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>What decides whether a key may be used now: the key, its tenant's status and its creator's current membership there
/// (<see cref="CreatorRole"/> null when the creator is no longer a member).</summary>
public sealed record ApiKeyStanding(ApiKey Key, TenantStatus TenantStatus, Role? CreatorRole, bool CreatorActive)
{
    /// <summary>Why the key is refused, or null when it may be used. A key acts with its creator's authority, so it stops
    /// working once that authority ends (membership removed or disabled, account disabled) or falls below the key's role (a
    /// standing with a changed creator previews a change). A key without a creator was issued by the operator
    /// (<c>apikey create</c>) and answers only to revocation and the tenant's status.</summary>
    public string? Refusal
    {
        get
        {
            if (Key.RevokedAt is not null)
                return "The API key is not valid or has been revoked.";
            if (TenantStatus != TenantStatus.Active)
                return "This workspace is suspended.";
            if (Key.CreatedById is null)
                return null;
            if (CreatorRole is not { } creatorRole || !CreatorActive)
                return "The API key no longer works: the person who created it is no longer an active member of this workspace.";
            return RoleRank.Outranks(Key.Role, creatorRole)
                ? $"The API key no longer works: the person who created it no longer holds the {Key.Role} role or a stronger one."
                : null;
        }
    }

    /// <summary>The rank a key is handled at: the stronger of its own role and its creator's, so managing a key needs the same
    /// rank as managing the person behind it.</summary>
    public Role Rank => CreatorRole is { } creator && RoleRank.Outranks(creator, Key.Role) ? creator : Key.Role;
}

public static class ApiKeyStandings
{
    /// <summary>The standing of each of <paramref name="keys"/>, in one query. The creator's membership is matched on the key's
    /// own tenant. Tenant filters stay on: a caller with no tenant yet (authentication) passes keys with
    /// <c>IgnoreQueryFilters()</c>, which EF applies to the whole query, memberships included.</summary>
    public static IQueryable<ApiKeyStanding> Standings(this SwitchboardDbContext db, IQueryable<ApiKey> keys) =>
        from k in keys
        join t in db.Tenants on k.TenantId equals t.Id
        from m in db.Memberships.Where(m => m.TenantId == k.TenantId && m.UserId == k.CreatedById).DefaultIfEmpty()
        select new ApiKeyStanding(k, t.Status, m == null ? null : m.Role,
            m != null && m.Status == MembershipStatus.Active && m.User!.Status == UserStatus.Active);
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.HasIndex(k => new { k.TenantId, k.CreatedAt });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(k => k.CreatedById).OnDelete(DeleteBehavior.SetNull);
    }
}
