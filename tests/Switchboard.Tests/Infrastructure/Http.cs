using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Tests.Infrastructure;

public static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body) as JsonObject ?? [];
    }

    public static async Task<JsonObject> PostJsonAsync(this HttpClient client, string url, object body, HttpStatusCode expected) =>
        await (await client.PostAsJsonAsync(url, body, Json)).JsonAsync(expected);

    public static async Task<JsonObject> PatchJsonAsync(this HttpClient client, string url, object body, HttpStatusCode expected) =>
        await (await client.PatchAsJsonAsync(url, body, Json)).JsonAsync(expected);

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await client.GetAsync(url)).JsonAsync(expected);

    public static HttpContent RawJson(string json) => new StringContent(json, System.Text.Encoding.UTF8, "application/json");

    public static long Id(this JsonObject json) => json["id"]!.GetValue<long>();

    public static JsonArray Items(this JsonObject json) => json["items"]!.AsArray();
}
