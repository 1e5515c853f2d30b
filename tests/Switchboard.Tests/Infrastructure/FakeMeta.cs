using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The Graph API calls the provider simulator does not serve on this branch yet, on a free loopback port:
/// message templates (paged like Meta: <c>paging.next</c> while more follow), media lookup and download, and sends.
/// Point a WhatsApp channel's <c>apiBaseUrl</c> at <see cref="BaseUrl"/>.</summary>
public sealed class FakeMeta : IAsyncDisposable
{
    private LoopbackApp app = null!;
    private int sent;

    private FakeMeta()
    {
    }

    public string BaseUrl => app.BaseUrl;

    /// <summary>Messages accepted by <c>POST /{phone-number-id}/messages</c> so far.</summary>
    public int Sent => Volatile.Read(ref sent);

    /// <summary>What <c>GET /{waba-id}/message_templates</c> lists, in order; tests change it between syncs.</summary>
    public List<JsonObject> Templates { get; } = [];

    public int PageSize { get; set; } = 2;

    /// <summary>When set, the template list answers this Graph error instead.</summary>
    public (int Status, int Code, string Message)? TemplateError { get; set; }

    /// <summary>The Authorization header and path of every template list request.</summary>
    public List<(string? Authorization, string Path)> TemplateRequests { get; } = [];

    public static JsonObject Template(string name, string language, string body, string category = "UTILITY", string status = "APPROVED") => new()
    {
        ["name"] = name, ["language"] = language, ["status"] = status, ["category"] = category, ["id"] = $"{Math.Abs(HashCode.Combine(name, language))}",
        ["components"] = new JsonArray(new JsonObject { ["type"] = "HEADER", ["format"] = "TEXT", ["text"] = "Acme" },
            new JsonObject { ["type"] = "BODY", ["text"] = body }),
    };

    public static async Task<FakeMeta> StartAsync()
    {
        var meta = new FakeMeta();
        meta.app = await LoopbackApp.StartAsync(app =>
        {
            app.MapGet("/{version}/{account}/message_templates", (HttpRequest request) => meta.ListTemplates(request));
            app.MapGet("/{version}/{mediaId}", (string mediaId) => Results.Json(new { id = mediaId, url = $"{meta.BaseUrl}/files/{mediaId}", mime_type = "image/jpeg" }));
            app.MapGet("/files/{mediaId}", () => Results.Bytes([0xFF, 0xD8, 0xFF, 0xD9], "image/jpeg"));
            app.MapPost("/{version}/{phoneNumberId}/messages", () =>
                Results.Json(new { messaging_product = "whatsapp", messages = new[] { new { id = $"wamid.fake.{Interlocked.Increment(ref meta.sent)}" } } }));
        });
        return meta;
    }

    private IResult ListTemplates(HttpRequest request)
    {
        lock (TemplateRequests)
            TemplateRequests.Add((request.Headers.Authorization.ToString(), request.Path + request.QueryString));
        if (TemplateError is { } error)
            return Results.Json(new { error = new { message = error.Message, type = "OAuthException", code = error.Code, fbtrace_id = "AbCdEf" } },
                statusCode: error.Status);
        var start = int.TryParse(request.Query["after"], out var after) ? after : 0;
        var page = Templates.Skip(start).Take(PageSize).Select(t => (JsonNode)t.DeepClone()).ToArray();
        var paging = new JsonObject { ["cursors"] = new JsonObject { ["before"] = $"{start}", ["after"] = $"{start + page.Length}" } };
        if (start + page.Length < Templates.Count)
            paging["next"] = $"{BaseUrl}{request.Path}?limit={request.Query["limit"]}&after={start + page.Length}";
        return Results.Json(new JsonObject { ["data"] = new JsonArray(page), ["paging"] = paging });
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
