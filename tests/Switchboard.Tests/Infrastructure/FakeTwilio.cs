using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Infrastructure;

/// <summary>Twilio's REST API on a loopback port, for what the simulator on this branch does not speak yet: sends
/// (<c>POST Messages.json</c>: 201 with a sid, or the errors queued in <see cref="Errors"/>) and inbound media behind basic
/// auth, answered with a redirect to storage as Twilio does. Formats as in reference/wire-formats.md.</summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "twilio-auth-token";

    private LoopbackApp app = null!;

    private FakeTwilio()
    {
    }

    public string BaseUrl => app.BaseUrl;
    /// <summary>Each send's form fields (a repeated field's values joined by commas).</summary>
    public ConcurrentQueue<Dictionary<string, string>> Sent { get; } = new();
    /// <summary>Answers for the next sends, in order: HTTP status, Twilio error code, message.</summary>
    public ConcurrentQueue<(int Status, int Code, string Message)> Errors { get; } = new();
    public ConcurrentDictionary<string, (byte[] Bytes, string MimeType)> Media { get; } = new();
    /// <summary>Whether a request to storage (after the redirect) carried an Authorization header.</summary>
    public bool StorageSawCredentials { get; private set; }

    public string MediaUrl(string mediaSid) => $"{BaseUrl}/2010-04-01/Accounts/{AccountSid}/Messages/MM0123/Media/{mediaSid}";

    public static async Task<FakeTwilio> StartAsync()
    {
        var fake = new FakeTwilio();
        fake.app = await LoopbackApp.StartAsync(app =>
        {
            app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", async (string sid, HttpRequest request) =>
            {
                if (!Authorized(request, sid))
                    return Error(401, 20003, "Authenticate");
                var form = await request.ReadFormAsync();
                fake.Sent.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
                if (fake.Errors.TryDequeue(out var error))
                    return Error(error.Status, error.Code, error.Message);
                var messageSid = "SM" + Guid.NewGuid().ToString("N");
                return Results.Json(new Dictionary<string, object?>
                {
                    ["account_sid"] = sid, ["api_version"] = "2010-04-01", ["body"] = form["Body"].ToString(), ["direction"] = "outbound-api",
                    ["error_code"] = null, ["error_message"] = null, ["from"] = form["From"].ToString(), ["sid"] = messageSid,
                    ["status"] = form.ContainsKey("MessagingServiceSid") ? "accepted" : "queued", ["to"] = form["To"].ToString(),
                    ["uri"] = $"/2010-04-01/Accounts/{sid}/Messages/{messageSid}.json",
                }, statusCode: 201);
            });
            app.MapGet("/2010-04-01/Accounts/{sid}/Messages/{messageSid}/Media/{mediaSid}", (string sid, string mediaSid, HttpRequest request) =>
                Authorized(request, sid) ? Results.Redirect($"/storage/{mediaSid}", permanent: false, preserveMethod: true) : Error(401, 20003, "Authenticate"));
            app.MapGet("/storage/{mediaSid}", (string mediaSid, HttpRequest request) =>
            {
                fake.StorageSawCredentials |= request.Headers.Authorization.Count > 0;
                return fake.Media.TryGetValue(mediaSid, out var media) ? Results.Bytes(media.Bytes, media.MimeType) : Results.NotFound();
            });
        });
        return fake;
    }

    private static bool Authorized(HttpRequest request, string sid) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Basic"
        && header.Parameter == Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")) && sid == AccountSid;

    private static IResult Error(int status, int code, string message) =>
        Results.Json(new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status }, statusCode: status);

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
