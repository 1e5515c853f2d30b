using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

/// <summary>Reading and writing JSON independently of the host's JSON options, so mounting the simulator inside the
/// server (demo mode) cannot change a byte of what the providers would send.</summary>
public static class Wire
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Compact JSON in ASCII with lowercase <c>\u00e4</c> escapes, the form Meta signs (reference/wire-formats.md).</summary>
    public static string Serialize(JsonNode node)
    {
        var json = node.ToJsonString(Relaxed);
        var ascii = new StringBuilder(json.Length);
        for (var i = 0; i < json.Length; i++)
        {
            // Backslashes occur only inside strings; keep each escape whole and lowercase the hex of \uXXXX.
            if (json[i] == '\\' && json[i + 1] == 'u')
            {
                ascii.Append("\\u").Append(json.AsSpan(i + 2, 4).ToString().ToLowerInvariant());
                i += 5;
            }
            else if (json[i] == '\\')
            {
                ascii.Append(json, i, 2);
                i++;
            }
            else if (json[i] > '~')
                ascii.Append($"\\u{(int)json[i]:x4}");
            else
                ascii.Append(json[i]);
        }
        return ascii.ToString();
    }

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(Serialize(node));

    public static IResult Json(JsonNode node, int status = StatusCodes.Status200OK) =>
        Results.Text(Serialize(node), "application/json; charset=utf-8", Encoding.UTF8, status);

    /// <summary>The request body as a JSON object, or null when it is not one.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A control-API body (camelCase JSON), or null when it does not parse.</summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A JSON string's value, or null for anything else.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool IsWebUrl(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Web);

    /// <summary>The public address of the simulator's root as the caller reached it: scheme, host, PathBase, and the group
    /// prefix it is mounted under (the request path without the route's own last <paramref name="routeSegments"/>).</summary>
    public static string PublicBase(HttpRequest request, int routeSegments)
    {
        var path = request.Path.Value ?? "";
        for (var i = 0; i < routeSegments; i++)
            path = path[..Math.Max(0, path.LastIndexOf('/'))];
        return $"{request.Scheme}://{request.Host}{request.PathBase}{path}";
    }
}
