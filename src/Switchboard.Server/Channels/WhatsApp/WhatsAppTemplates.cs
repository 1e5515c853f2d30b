using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchboard.Platform.Security;

namespace Switchboard.Channels.WhatsApp;

/// <summary>One template as Meta describes it, reduced to what Switchboard keeps.</summary>
public sealed record MetaTemplate(string? ProviderId, string Name, string Language, TemplateCategory Category, string Status, string Body, int ParameterCount,
    JsonArray Components);

/// <summary>Reads a WhatsApp Business Account's message templates from Meta: <c>GET /{waba-id}/message_templates</c>, every page.</summary>
public sealed partial class WhatsAppTemplates(IHttpClientFactory clients, SecretProtector secrets)
{
    /// <summary>All of the channel's templates, or Meta's error code and message (<c>unreachable</c> when Meta did not answer).</summary>
    public async Task<(List<MetaTemplate>? Templates, (string Code, string Message)? Error)> FetchAsync(Channel channel, CancellationToken cancellationToken)
    {
        var graph = MetaGraph.For(clients, channel, ChannelSecrets.Read(channel, secrets));
        var account = Uri.EscapeDataString(channel.Settings["businessAccountId"]?.GetValue<string>() ?? "");
        var templates = new List<MetaTemplate>();
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
                templates.AddRange((page?["data"] as JsonArray ?? []).OfType<JsonObject>().Select(Parse).OfType<MetaTemplate>());
                next = page?["paging"]?["next"]?.GetValue<string>();
            }
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException
                                   || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, ("unreachable", $"Meta did not answer usably: {e.Message}"));
        }
        return (templates, null);
    }

    /// <summary>Null for an entry without a name or language (nothing could send it).</summary>
    private static MetaTemplate? Parse(JsonObject template)
    {
        if (Text(template["name"]) is not { Length: > 0 } name || Text(template["language"]) is not { Length: > 0 } language)
            return null;
        var components = template["components"] as JsonArray ?? [];
        var body = components.OfType<JsonObject>().Where(c => string.Equals(Text(c["type"]), "BODY", StringComparison.OrdinalIgnoreCase))
            .Select(c => Text(c["text"])).FirstOrDefault() ?? "";
        // Meta has had other categories (TRANSACTIONAL, OTP ...); an unknown one is treated as the most restricted.
        var category = Enum.TryParse<TemplateCategory>(Text(template["category"]), ignoreCase: true, out var known) && Enum.IsDefined(known)
            ? known
            : TemplateCategory.Marketing;
        var parameters = Placeholder().Matches(body).Select(m => m.Groups[1].Value).Distinct().Count();
        return new MetaTemplate(Text(template["id"]), name, language, category, Text(template["status"]) ?? "", body, parameters,
            (JsonArray)components.DeepClone());
    }

    /// <summary>A string or number as text; anything else is null.</summary>
    private static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;

    [GeneratedRegex(@"\{\{(\d+)\}\}")]
    private static partial Regex Placeholder();
}
