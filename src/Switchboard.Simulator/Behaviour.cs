namespace Switchboard.Simulator;

public enum SimulatedProvider
{
    WhatsApp,
    Twilio,
}

/// <summary>An error the next send answers with instead of being accepted: HTTP status, provider error code, and
/// message (the provider's usual text for the code when null).</summary>
public sealed record SyncError(int Status, int Code, string? Message = null);

/// <summary>How one phone number (Meta) or account (Twilio) behaves, so tests can reach the paths real providers take
/// only sometimes. Codes are the provider's own: Meta codes for a phone number, Twilio codes for an account.</summary>
public sealed record Behaviour
{
    public static readonly Behaviour Default = new();

    /// <summary>Pause before each status webhook (sent, delivered, read).</summary>
    public TimeSpan StatusDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Every status webhook is posted twice, as providers' at-least-once delivery does.</summary>
    public bool DuplicateStatuses { get; init; }

    /// <summary>Status webhooks go out last first (read before delivered before sent).</summary>
    public bool OutOfOrder { get; init; }

    /// <summary>Recipients (digits only) whose messages are accepted and then fail with the given code.</summary>
    public IReadOnlyDictionary<string, int> FailingRecipients { get; init; } = new Dictionary<string, int>();

    /// <summary>The next sends answer with these errors, one each, before anything else is checked.</summary>
    public IReadOnlyList<SyncError> Errors { get; init; } = [];

    /// <summary>Free-form WhatsApp messages to someone who has not written in the last 24 h fail (131047 at Meta,
    /// 63016 at Twilio).</summary>
    public bool EnforceWindow { get; init; } = true;

    /// <summary>Sends per second the number (Meta) or account (Twilio) may make before 130429 / 20429.</summary>
    public int MessagesPerSecond { get; init; } = 80;

    /// <summary>Messages to one recipient in a burst before Meta's pair rate limit (131056); it refills one per 6 s.</summary>
    public int PairBurst { get; init; } = 45;

    /// <summary>First wait before a failed webhook delivery is retried; it doubles each attempt.</summary>
    public TimeSpan WebhookRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long Meta takes to approve a created template.</summary>
    public TimeSpan TemplateReviewDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The behaviour of every phone number and account; unknown ones behave as <see cref="Behaviour.Default"/>.</summary>
public sealed class SimulatorBehaviours
{
    private readonly Lock gate = new();
    private readonly Dictionary<(SimulatedProvider, string), Behaviour> behaviours = [];

    public Behaviour Get(SimulatedProvider provider, string account)
    {
        lock (gate)
            return behaviours.GetValueOrDefault((provider, account)) ?? Behaviour.Default;
    }

    public void Set(SimulatedProvider provider, string account, Behaviour behaviour)
    {
        lock (gate)
            behaviours[(provider, account)] = behaviour;
    }

    public void Update(SimulatedProvider provider, string account, Func<Behaviour, Behaviour> change)
    {
        lock (gate)
            behaviours[(provider, account)] = change(behaviours.GetValueOrDefault((provider, account)) ?? Behaviour.Default);
    }

    /// <summary>Takes the next queued synchronous error, if any.</summary>
    public SyncError? TakeError(SimulatedProvider provider, string account)
    {
        lock (gate)
        {
            if (!behaviours.TryGetValue((provider, account), out var behaviour) || behaviour.Errors.Count == 0)
                return null;
            behaviours[(provider, account)] = behaviour with { Errors = behaviour.Errors.Skip(1).ToArray() };
            return behaviour.Errors[0];
        }
    }
}
