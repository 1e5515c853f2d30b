namespace Switchboard.Simulator;

/// <summary>What customers did that changes what may be sent to them: when they last wrote (the 24-hour customer-service
/// window) and whether they texted STOP (Twilio refuses sends until START).</summary>
public sealed class CustomerActivity(TimeProvider clock)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);
    private readonly Lock gate = new();
    private readonly Dictionary<(SimulatedProvider, string, string), DateTimeOffset> lastWrote = [];
    private readonly HashSet<(string, string)> optedOut = [];

    /// <summary>Customers are keyed per provider and account by their address: wa_id at Meta, To/From at Twilio.</summary>
    public void WroteIn(SimulatedProvider provider, string account, string customer)
    {
        lock (gate)
            lastWrote[(provider, account, customer)] = clock.GetUtcNow();
    }

    public bool InWindow(SimulatedProvider provider, string account, string customer)
    {
        lock (gate)
            return lastWrote.TryGetValue((provider, account, customer), out var at) && clock.GetUtcNow() - at < Window;
    }

    public void SetOptedOut(string accountSid, string customer, bool optOut)
    {
        lock (gate)
        {
            if (optOut)
                optedOut.Add((accountSid, customer));
            else
                optedOut.Remove((accountSid, customer));
        }
    }

    public bool IsOptedOut(string accountSid, string customer)
    {
        lock (gate)
            return optedOut.Contains((accountSid, customer));
    }
}
