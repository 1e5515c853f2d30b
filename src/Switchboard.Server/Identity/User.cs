using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Identity;

public enum UserStatus
{
    Active,
    Disabled,
}

/// <summary>A person who signs in. Identity is global (one email, one password) and reaches tenants through memberships.
/// The profile (name, username, phones, inactivity timeout) is the person's own: they change it at <c>PATCH /api/v1/me</c>;
/// a tenant changes only its membership (<see cref="Tenancy.Membership"/>).</summary>
public sealed class User : IPlatformEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-cased, so uniqueness and sign-in ignore case.</summary>
    public required string Email { get; set; }
    public string? Username { get; set; }
    public List<string> Phones { get; set; } = [];
    public UserStatus Status { get; set; } = UserStatus.Active;
    /// <summary>Minutes without activity after which the console session ends.</summary>
    public int InactivityTimeoutMinutes { get; set; } = 60;
    public bool IsSuperAdmin { get; set; }
    public string PasswordHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.HasIndex(u => u.Email).IsUnique();
        builder.HasIndex(u => u.Username).IsUnique();
        builder.Property(u => u.Phones).HasJsonConversion();
        // Retired by M0012 (moved to memberships, or replaced by sign-in throttles) but kept for one more release: nodes of
        // the previous release still read and write them during a rolling upgrade. The next contract migration drops them.
        builder.Property<bool>("is_provider");
        builder.Property<bool>("is_time_clock_user");
        builder.Property<DateTimeOffset?>("last_sign_in_at");
        builder.Property<int>("failed_sign_in_count");
        builder.Property<DateTimeOffset?>("lockout_end");
    }
}
