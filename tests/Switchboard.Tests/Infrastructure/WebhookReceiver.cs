using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A tenant's webhook endpoint on a free loopback port: records every request and answers as told (fail the next N
/// with 500, always answer some status, redirect, or take its time).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers, byte[] RawBody)
    {
        public string Body => Encoding.UTF8.GetString(RawBody);
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
        public string Type => Headers["X-Switchboard-Event"];
    }

    private readonly ConcurrentQueue<Request> requests = new();
    private WebApplication? app;
    private int failuresLeft;

    private WebhookReceiver()
    {
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>The normal answer's status; a 3xx redirects to <c>/elsewhere</c>.</summary>
    public int Status { get; set; } = 200;

    public TimeSpan Delay { get; set; }

    /// <summary>Answer the next <paramref name="count"/> requests with 500 <c>boom</c>.</summary>
    public void FailNext(int count) => Volatile.Write(ref failuresLeft, count);

    public string Url(string path) => BaseUrl + path;

    public IReadOnlyList<Request> To(string path) => requests.Where(r => r.Path == path).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/{**path}", async context => await (await receiver.ReceiveAsync(context)).ExecuteAsync(context));
        await app.StartAsync();
        receiver.app = app;
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        requests.Enqueue(new Request(context.Request.Path.Value!,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
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

    /// <summary>Waits until <paramref name="path"/> has received at least <paramref name="count"/> requests.</summary>
    public async Task<IReadOnlyList<Request>> WaitForAsync(string path, int count)
    {
        var clock = Stopwatch.StartNew();
        while (To(path).Count < count)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
                throw new TimeoutException($"{path} received {To(path).Count} of {count} requests: {string.Join(", ", requests.Select(r => $"{r.Path} {r.Type}"))}");
            await Task.Delay(50);
        }
        return To(path);
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
            await app.DisposeAsync();
    }
}
