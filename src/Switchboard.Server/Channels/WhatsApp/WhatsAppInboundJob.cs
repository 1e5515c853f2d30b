using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Turns a stored WhatsApp webhook into inbox messages. Safe to run twice: messages are unique per provider id.</summary>
internal sealed class WhatsAppInboundJob(SwitchboardDbContext db, InboundMessages inbound, TimeProvider clock) : IJobHandler
{
    public const string JobType = "whatsapp.inbound";

    public sealed record Payload(long EventId);

    public string Type => JobType;

    public async Task RunAsync(Job job, JobLease lease, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)!;
        var stored = await db.WebhookEvents.FirstOrDefaultAsync(e => e.Id == payload.EventId, cancellationToken);
        if (stored is null || stored.ProcessedAt is not null)
            return;
        var channel = await db.Channels.AsNoTracking().FirstAsync(c => c.Id == stored.ChannelId, cancellationToken);
        foreach (var message in Parse(stored.Payload))
            await inbound.RecordAsync(channel, message, cancellationToken);
        stored.ProcessedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The customer messages in a Cloud API webhook (<c>entry[].changes[].value.messages[]</c>), with the sender's
    /// profile name from <c>value.contacts[]</c>.</summary>
    public static IEnumerable<InboundMessage> Parse(string json)
    {
        var root = JsonNode.Parse(json);
        foreach (var change in root?["entry"]?.AsArray().SelectMany(e => e?["changes"]?.AsArray() ?? []) ?? [])
        {
            var value = change?["value"];
            if (change?["field"]?.GetValue<string>() != "messages" || value is null)
                continue;
            var names = (value["contacts"]?.AsArray() ?? []).Where(c => c?["wa_id"] is not null)
                .ToDictionary(c => c!["wa_id"]!.GetValue<string>(), c => c!["profile"]?["name"]?.GetValue<string>());
            foreach (var message in value["messages"]?.AsArray() ?? [])
            {
                if (message?["id"] is null || message["from"] is null)
                    continue;
                var from = message["from"]!.GetValue<string>();
                var (type, text) = Content(message);
                var sentAt = long.TryParse(message["timestamp"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : (DateTimeOffset?)null;
                yield return new InboundMessage(message["id"]!.GetValue<string>(), from, names.GetValueOrDefault(from), type, text,
                    (JsonObject)message.DeepClone(), sentAt);
            }
        }
    }

    private static (MessageType Type, string? Text) Content(JsonNode message) => message["type"]?.GetValue<string>() switch
    {
        "text" => (MessageType.Text, message["text"]?["body"]?.GetValue<string>()),
        "image" => (MessageType.Image, message["image"]?["caption"]?.GetValue<string>()),
        "video" => (MessageType.Video, message["video"]?["caption"]?.GetValue<string>()),
        "audio" => (MessageType.Audio, null),
        "document" => (MessageType.Document, message["document"]?["caption"]?.GetValue<string>() ?? message["document"]?["filename"]?.GetValue<string>()),
        "location" => (MessageType.Location, message["location"]?["name"]?.GetValue<string>() ?? message["location"]?["address"]?.GetValue<string>()),
        "interactive" => (MessageType.Interactive,
            (message["interactive"]?["button_reply"] ?? message["interactive"]?["list_reply"])?["title"]?.GetValue<string>()),
        "button" => (MessageType.Interactive, message["button"]?["text"]?.GetValue<string>()),
        _ => (MessageType.Unsupported, null),
    };
}
