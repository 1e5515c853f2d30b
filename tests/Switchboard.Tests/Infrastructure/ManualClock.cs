namespace Switchboard.Tests.Infrastructure;

/// <summary>A clock the tests move forward (inactivity timeouts, lockout expiry).</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
