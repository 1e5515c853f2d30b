using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Platform.Security;

namespace Switchboard.Channels.Twilio;

/// <summary>Reads a Twilio account's Content templates: every page of <c>GET /v1/Content</c>, then each one's WhatsApp
/// approval from <c>GET /v1/Content/{sid}/ApprovalRequests</c>.</summary>
public sealed class TwilioContentTemplates(IHttpClientFactory clients, SecretProtector secrets) : ITemplateSource
{
    private const int PageSize = 100;
    /// <summary>Approval lookups in flight at once: one per template would be slow for a large account, all at once
    /// would run into Twilio's concurrency limit.</summary>
    private const int ParallelLookups = 4;
    /// <summary>Twilio's "resource not found".</summary>
    private const string NotFoundCode = "20404";

    public string Provider => "Twilio";

    public bool Handles(ChannelType type) => type == ChannelType.TwilioWhatsApp;

    public async Task<(List<ProviderTemplate>? Templates, (string Code, string Message)? Error)> FetchAsync(Channel channel, CancellationToken cancellationToken)
    {
        var content = TwilioRest.ForContent(clients, channel, ChannelSecrets.Read(channel, secrets));
        var listed = new List<JsonObject>();
        var visited = new HashSet<string>();
        string? next = $"Content?PageSize={PageSize}";
        try
        {
            // meta.next_page_url is null on the last page; a link seen before would loop forever.
            while (next is not null && visited.Add(next))
            {
                var (page, error) = await GetAsync(content, next, cancellationToken);
                if (error is not null)
                    return (null, error);
                listed.AddRange((page?["contents"] as JsonArray ?? []).OfType<JsonObject>().Where(c => Text(c["sid"]) is { Length: > 0 }));
                next = Text(page?["meta"]?["next_page_url"]);
            }
            var templates = new List<ProviderTemplate>();
            foreach (var batch in listed.Chunk(ParallelLookups))
            {
                var approvals = await Task.WhenAll(batch.Select(c =>
                    GetAsync(content, $"Content/{Uri.EscapeDataString(Text(c["sid"])!)}/ApprovalRequests", cancellationToken)));
                // A Content resource without an approval request to fetch has simply not been submitted to WhatsApp.
                if (approvals.FirstOrDefault(a => a.Error is { Code: not NotFoundCode }).Error is { } refused)
                    return (null, refused);
                templates.AddRange(batch.Zip(approvals, (c, a) => Parse(c, a.Answer?["whatsapp"] as JsonObject)).OfType<ProviderTemplate>());
            }
            return (templates, null);
        }
        catch (Exception e) when (ITemplateSource.Unusable(e, cancellationToken))
        {
            return (null, ("unreachable", $"Twilio did not answer usably: {e.Message}"));
        }
    }

    private static async Task<(JsonObject? Answer, (string Code, string Message)? Error)> GetAsync(TwilioRest content, string path,
        CancellationToken cancellationToken)
    {
        using var response = await content.SendAsync(content.Request(HttpMethod.Get, path), cancellationToken);
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken), null)
            : (null, await TwilioRest.ErrorOfAsync(response, cancellationToken));
    }

    /// <summary>Null for a Content resource without a name or language (nothing could send it by them). The body is the
    /// first content type's <c>body</c> (a card's <c>title</c>); the parameters are the placeholders anywhere in its types,
    /// since a button URL or a media link may hold one too. Never submitted to WhatsApp: UNSUBMITTED.</summary>
    private static ProviderTemplate? Parse(JsonObject content, JsonObject? whatsApp)
    {
        if (Text(content["friendly_name"]) is not { Length: > 0 } name || Text(content["language"]) is not { Length: > 0 } language)
            return null;
        var types = content["types"] as JsonObject ?? [];
        var body = types.Select(t => t.Value as JsonObject).Select(t => Text(t?["body"]) ?? Text(t?["title"])).FirstOrDefault(b => b is not null) ?? "";
        var status = Text(whatsApp?["status"]) is { Length: > 0 } word ? word.ToUpperInvariant() : "UNSUBMITTED";
        return new ProviderTemplate(Text(content["sid"]), name, language, TemplateText.Category(Text(whatsApp?["category"])), status, body,
            TemplateText.ParameterCount(types.ToJsonString()), []);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
