namespace Switchboard.Simulator;

/// <summary>Token buckets, one per key: a bucket holds <c>capacity</c> tokens and refills <c>perSecond</c> tokens a second.</summary>
public sealed class RateLimits
{
    private sealed record Bucket(int Capacity, double PerSecond, double Tokens, long At);

    private readonly Lock gate = new();
    private readonly Dictionary<string, Bucket> buckets = [];

    public bool TryTake(string key, int capacity, double perSecond)
    {
        var now = Environment.TickCount64;
        lock (gate)
        {
            // A changed limit starts a full bucket, so a test that lowers the limit sees it at once.
            var bucket = buckets.TryGetValue(key, out var found) && found.Capacity == capacity && found.PerSecond == perSecond
                ? found
                : new Bucket(capacity, perSecond, capacity, now);
            var tokens = Math.Min(capacity, bucket.Tokens + (now - bucket.At) / 1000.0 * perSecond);
            var allowed = tokens >= 1;
            buckets[key] = bucket with { Tokens = allowed ? tokens - 1 : tokens, At = now };
            return allowed;
        }
    }
}
