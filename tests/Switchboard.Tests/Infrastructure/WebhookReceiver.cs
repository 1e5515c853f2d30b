using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Switchboard.Tests.Infrastructure;

/// <summary>Whoever receives webhooks in the tests (a tenant's endpoint for Switchboard's own webhooks, the business
/// side for the provider simulator's), on a free loopback port: records every POST, failed ones too, and answers as
/// told (fail the next N with 500, always answer some status, redirect, or take its time).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>A request as it arrived: its path, the full URL it was posted to (with the query), headers and raw body.</summary>
    public sealed record Request(string Path, string Url, IReadOnlyDictionary<string, string> Headers, byte[] RawBody)
    {
        public string Body => Encoding.UTF8.GetString(RawBody);
        public JsonObject Json => JsonNode.Parse(RawBody)!.AsObject();
        public Dictionary<string, string> Form => QueryHelpers.ParseQuery(Body).ToDictionary(p => p.Key, p => p.Value.ToString());

        /// <summary>The event type of a Switchboard webhook.</summary>
        public string Type => Headers["X-Switchboard-Event"];
    }

    private readonly ConcurrentQueue<Request> requests = new();
    private LoopbackApp app = null!;
    private int failuresLeft;

    private WebhookReceiver()
    {
    }

    public string BaseUrl => app.BaseUrl;

    /// <summary>The normal answer's status; a 3xx redirects to <c>/elsewhere</c>.</summary>
    public int Status { get; set; } = 200;

    public TimeSpan Delay { get; set; }

    /// <summary>Answer the next <paramref name="count"/> requests with 500 <c>boom</c>.</summary>
    public void FailNext(int count) => Volatile.Write(ref failuresLeft, count);

    public string Url(string path) => BaseUrl + path;

    /// <summary>Every request posted to <paramref name="path"/> so far, in order.</summary>
    public IReadOnlyList<Request> Received(string path) => requests.Where(r => r.Path == path).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        receiver.app = await LoopbackApp.StartAsync(app =>
            app.MapPost("/{**path}", async context => await (await receiver.ReceiveAsync(context)).ExecuteAsync(context)));
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        requests.Enqueue(new Request(request.Path.Value!, $"{BaseUrl}{request.Path}{request.QueryString}",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
        try
        {
            await Task.Delay(Delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return Results.Empty; // the sender gave up waiting
        }
        if (Interlocked.Decrement(ref failuresLeft) >= 0)
            return Results.Text("boom", statusCode: 500);
        return Status is >= 300 and < 400 ? Results.Redirect(Url("/elsewhere")) : Results.Text("thanks", statusCode: Status);
    }

    /// <summary>The first <paramref name="count"/> requests posted to <paramref name="path"/>, waiting up to 20 s for them.</summary>
    public async Task<IReadOnlyList<Request>> WaitForAsync(string path, int count = 1)
    {
        var clock = Stopwatch.StartNew();
        while (Received(path).Count < count)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
                throw new TimeoutException($"{path} received {Received(path).Count} of {count} requests; all paths: {string.Join(", ", requests.Select(r => r.Path))}");
            await Task.Delay(20);
        }
        return Received(path).Take(count).ToList();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
