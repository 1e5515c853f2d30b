using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Platform.Security;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Reads a WhatsApp Business Account's message templates from Meta: <c>GET /{waba-id}/message_templates</c>, every page.</summary>
public sealed class WhatsAppTemplates(IHttpClientFactory clients, SecretProtector secrets) : ITemplateSource
{
    public string Provider => "Meta";

    public bool Handles(ChannelType type) => type == ChannelType.WhatsApp;

    public async Task<(List<ProviderTemplate>? Templates, (string Code, string Message)? Error)> FetchAsync(Channel channel, CancellationToken cancellationToken)
    {
        var graph = MetaGraph.For(clients, channel, ChannelSecrets.Read(channel, secrets));
        var account = Uri.EscapeDataString(channel.Settings["businessAccountId"]?.GetValue<string>() ?? "");
        var templates = new List<ProviderTemplate>();
        var visited = new HashSet<string>();
        string? next = $"{account}/message_templates?limit=100";
        try
        {
            // paging.next is present while more pages follow (Meta builds it from paging.cursors.after); a link seen
            // before would loop forever.
            while (next is not null && visited.Add(next))
            {
                using var response = await graph.SendAsync(graph.Request(HttpMethod.Get, next), cancellationToken);
                if (!response.IsSuccessStatusCode)
                    return (null, await MetaGraph.ErrorOfAsync(response, cancellationToken));
                var page = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                templates.AddRange((page?["data"] as JsonArray ?? []).OfType<JsonObject>().Select(Parse).OfType<ProviderTemplate>());
                next = page?["paging"]?["next"]?.GetValue<string>();
            }
        }
        catch (Exception e) when (ITemplateSource.Unusable(e, cancellationToken))
        {
            return (null, ("unreachable", $"Meta did not answer usably: {e.Message}"));
        }
        return (templates, null);
    }

    /// <summary>Null for an entry without a name or language (nothing could send it).</summary>
    private static ProviderTemplate? Parse(JsonObject template)
    {
        if (Text(template["name"]) is not { Length: > 0 } name || Text(template["language"]) is not { Length: > 0 } language)
            return null;
        var components = template["components"] as JsonArray ?? [];
        var body = components.OfType<JsonObject>().Where(c => string.Equals(Text(c["type"]), "BODY", StringComparison.OrdinalIgnoreCase))
            .Select(c => Text(c["text"])).FirstOrDefault() ?? "";
        return new ProviderTemplate(Text(template["id"]), name, language, TemplateText.Category(Text(template["category"])), Text(template["status"]) ?? "",
            body, TemplateText.ParameterCount(body), (JsonArray)components.DeepClone());
    }

    /// <summary>A string or number as text; anything else is null.</summary>
    private static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;
}
