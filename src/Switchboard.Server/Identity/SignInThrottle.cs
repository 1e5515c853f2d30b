using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Identity;

/// <summary>Failed sign-ins counted under one key (an account, or an account from one address), shared by every node. The
/// key is a hash of what was typed, known account or not, so the table answers the same for both and keeps no emails.</summary>
public sealed class SignInThrottle : IPlatformEntity
{
    public required string Key { get; set; }
    public int Failures { get; set; }
    public DateTimeOffset WindowStartedAt { get; set; }
    public DateTimeOffset? BlockedUntil { get; set; }
}

internal sealed class SignInThrottleConfiguration : IEntityTypeConfiguration<SignInThrottle>
{
    public void Configure(EntityTypeBuilder<SignInThrottle> builder)
    {
        builder.ToTable("sign_in_throttles");
        builder.HasKey(t => t.Key);
        builder.HasIndex(t => t.WindowStartedAt);
    }
}
