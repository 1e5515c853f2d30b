using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

/// <summary>A message the simulator accepted from the server. <see cref="Account"/> is the phone number id (Meta) or the
/// account SID (Twilio); <see cref="Request"/> is what the server sent (Meta's JSON, Twilio's form fields as JSON), a new
/// tree on each read so readers on different threads never share one.</summary>
public sealed record SentMessage(
    SimulatedProvider Provider, string Account, string Id, string From, string To, string Type, string? Text, string RequestJson, DateTimeOffset At)
{
    public JsonObject Request => JsonNode.Parse(RequestJson)!.AsObject();
}

/// <summary>Everything the simulator accepted, in order, for tests to assert on.</summary>
public sealed class SentMessages
{
    private readonly Lock gate = new();
    private readonly List<SentMessage> messages = [];

    public void Add(SentMessage message)
    {
        lock (gate)
            messages.Add(message);
    }

    public IReadOnlyList<SentMessage> For(SimulatedProvider? provider = null, string? account = null)
    {
        lock (gate)
            return messages.Where(m => (provider is null || m.Provider == provider) && (account is null || m.Account == account)).ToArray();
    }
}
