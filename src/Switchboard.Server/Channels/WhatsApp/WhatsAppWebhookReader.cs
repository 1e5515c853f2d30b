using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Reads a stored WhatsApp webhook: messages and delivery reports for <see cref="WebhookProcessor"/>, and template
/// reviews, applied here.</summary>
internal sealed class WhatsAppWebhookReader(SwitchboardDbContext db) : IWebhookReader
{

    public bool Reads(ChannelType type) => type == ChannelType.WhatsApp;

    public async Task<ProviderUpdate> ReadAsync(Channel channel, WebhookEvent stored, CancellationToken cancellationToken)
    {
        var update = Parse(stored.Payload);
        foreach (var template in update.TemplateStatuses)
            await db.MessageTemplates.Where(t => t.ChannelId == channel.Id && t.ProviderTemplateId == template.TemplateId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, template.Status), cancellationToken);
        return new ProviderUpdate(update.Messages, update.Statuses);
    }

    public sealed record TemplateStatus(string TemplateId, string Status);

    public sealed record Update(List<InboundMessage> Messages, List<ProviderStatus> Statuses, List<TemplateStatus> TemplateStatuses);

    /// <summary>Everything in a Cloud API webhook: customer messages (<c>value.messages[]</c>, with profile names from
    /// <c>value.contacts[]</c>), delivery reports (<c>value.statuses[]</c>) and template reviews
    /// (<c>message_template_status_update</c>).</summary>
    public static Update Parse(string json)
    {
        var update = new Update([], [], []);
        var root = JsonNode.Parse(json);
        foreach (var change in root?["entry"]?.AsArray().SelectMany(e => e?["changes"]?.AsArray() ?? []) ?? [])
        {
            var value = change?["value"];
            var field = change?["field"]?.GetValue<string>();
            if (field == "message_template_status_update" && value?["message_template_id"] is { } templateId && value["event"] is { } templateEvent)
                update.TemplateStatuses.Add(new TemplateStatus(templateId.ToString(), templateEvent.GetValue<string>()));
            if (field != "messages" || value is null)
                continue;
            var names = (value["contacts"]?.AsArray() ?? []).Where(c => c?["wa_id"] is not null)
                .ToDictionary(c => c!["wa_id"]!.GetValue<string>(), c => c!["profile"]?["name"]?.GetValue<string>());
            foreach (var message in value["messages"]?.AsArray() ?? [])
            {
                if (message?["id"] is null || message["from"] is null)
                    continue;
                var from = message["from"]!.GetValue<string>();
                var (type, text) = Content(message);
                update.Messages.Add(new InboundMessage(message["id"]!.GetValue<string>(), new InboundSender(from, names.GetValueOrDefault(from)), type, text,
                    (JsonObject)message.DeepClone(), Time(message["timestamp"]), Media(type, message)));
            }
            foreach (var status in value["statuses"]?.AsArray() ?? [])
            {
                if (status?["id"] is null || StatusOf(status["status"]?.GetValue<string>()) is not { } reported)
                    continue;
                var error = status["errors"]?[0];
                var code = error?["code"]?.ToString();
                var details = error?["error_data"]?["details"]?.GetValue<string>();
                update.Statuses.Add(new ProviderStatus(status["id"]!.GetValue<string>(), reported, Time(status["timestamp"]) ?? DateTimeOffset.UnixEpoch,
                    code, error is null ? null : details ?? error["message"]?.GetValue<string>() ?? error["title"]?.GetValue<string>(),
                    (JsonObject)status.DeepClone(), OptOut: code == "131050"));
            }
        }
        return update;
    }

    private static DateTimeOffset? Time(JsonNode? timestamp) =>
        long.TryParse(timestamp?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>"played" (a voice message was listened to) counts as read.</summary>
    private static MessageStatus? StatusOf(string? status) => status switch
    {
        "sent" => MessageStatus.Sent,
        "delivered" => MessageStatus.Delivered,
        "read" or "played" => MessageStatus.Read,
        "failed" => MessageStatus.Failed,
        _ => null,
    };

    private static (MessageType Type, string? Text) Content(JsonNode message) => message["type"]?.GetValue<string>() switch
    {
        "text" => (MessageType.Text, message["text"]?["body"]?.GetValue<string>()),
        "image" => (MessageType.Image, message["image"]?["caption"]?.GetValue<string>()),
        "video" => (MessageType.Video, message["video"]?["caption"]?.GetValue<string>()),
        "audio" => (MessageType.Audio, null),
        "sticker" => (MessageType.Image, null),
        "document" => (MessageType.Document, message["document"]?["caption"]?.GetValue<string>() ?? message["document"]?["filename"]?.GetValue<string>()),
        "location" => (MessageType.Location, message["location"]?["name"]?.GetValue<string>() ?? message["location"]?["address"]?.GetValue<string>()),
        "interactive" => (MessageType.Interactive,
            (message["interactive"]?["button_reply"] ?? message["interactive"]?["list_reply"])?["title"]?.GetValue<string>()),
        "button" => (MessageType.Interactive, message["button"]?["text"]?.GetValue<string>()),
        _ => (MessageType.Unsupported, null),
    };

    private static List<InboundAttachment>? Media(MessageType type, JsonNode message)
    {
        var kind = message["type"]!.GetValue<string>();
        if (type is not (MessageType.Image or MessageType.Video or MessageType.Audio or MessageType.Document) || message[kind]?["id"] is not { } id)
            return null;
        return [new InboundAttachment(type, id.GetValue<string>(), message[kind]?["mime_type"]?.GetValue<string>(), message[kind]?["filename"]?.GetValue<string>())];
    }
}

/// <summary>WhatsApp media: <c>GET /{media-id}</c> gives a short-lived URL, downloaded with the same bearer token.</summary>
internal sealed class WhatsAppMediaFetcher(IHttpClientFactory clients) : IMediaFetcher
{
    public bool Handles(ChannelType type) => type == ChannelType.WhatsApp;

    public async Task<FetchedMedia> FetchAsync(Channel channel, JsonObject secrets, string platformUrl, CancellationToken cancellationToken)
    {
        var graph = MetaGraph.For(clients, channel, secrets);
        using var lookup = await graph.SendAsync(graph.Request(HttpMethod.Get, Uri.EscapeDataString(platformUrl)), cancellationToken);
        if (!lookup.IsSuccessStatusCode)
        {
            var (code, message) = await MetaGraph.ErrorOfAsync(lookup, cancellationToken);
            throw new HttpRequestException($"Meta refused media {platformUrl}: ({code}) {message}");
        }
        var media = await lookup.Content.ReadFromJsonAsync<JsonObject>(cancellationToken)
            ?? throw new HttpRequestException($"Meta returned no media object for {platformUrl}.");
        var download = await graph.SendAsync(graph.Request(HttpMethod.Get, media["url"]!.GetValue<string>()), cancellationToken);
        download.EnsureSuccessStatusCode();
        return new FetchedMedia(await download.Content.ReadAsStreamAsync(cancellationToken),
            media["mime_type"]?.GetValue<string>() ?? download.Content.Headers.ContentType?.MediaType ?? "application/octet-stream",
            download.Content.Headers.ContentLength, null);
    }
}
