using System.Diagnostics;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A clock the tests move forward (inactivity timeouts, lockout expiry).</summary>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock gate = new();
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
            return now;
    }

    public void Advance(TimeSpan by)
    {
        lock (gate)
            now += by;
    }

    /// <summary>Moves the clock forward with real time until disposed, for tests of work paced by it (retries, lease sweeps).</summary>
    public IAsyncDisposable FollowRealTime() => new Follower(this);

    private sealed class Follower : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task ticking;

        public Follower(ManualClock clock) => ticking = Task.Run(async () =>
        {
            var last = Stopwatch.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(10);
                var current = Stopwatch.GetTimestamp();
                clock.Advance(Stopwatch.GetElapsedTime(last, current));
                last = current;
            }
        });

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await ticking;
            stop.Dispose();
        }
    }
}
