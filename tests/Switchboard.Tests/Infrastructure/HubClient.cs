using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A SignalR client speaking the JSON hub protocol over a raw WebSocket (the .NET SignalR client package is not
/// available here): handshake, invocations out, and every invocation the server sends collected by target.</summary>
public sealed class HubClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly WebSocket socket;
    /// <summary>One queue per target, so waiting for one kind of message (an invocation's completion) never swallows another.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Channel<JsonNode?>> received = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task reading;
    private readonly Task pinging;
    /// <summary>A WebSocket takes one send at a time; invocations and pings share it.</summary>
    private readonly SemaphoreSlim sending = new(1, 1);
    private int invocationId;

    private HubClient(WebSocket socket)
    {
        this.socket = socket;
        reading = ReadAsync();
        pinging = PingAsync();
    }

    /// <summary>Connects to a hub of an in-process server (<c>/hubs/inbox</c> unless <paramref name="path"/> says otherwise) with
    /// an API key or another bearer token (skipping negotiation, as WebSocket-only clients may).</summary>
    public static Task<HubClient> ConnectAsync<T>(WebApplicationFactory<T> factory, string token, string path = "/hubs/inbox") where T : class =>
        OpenAsync(factory, $"{path}?access_token={Uri.EscapeDataString(token)}", cookie: null);

    /// <summary>Connects to the inbox hub as the console does, with a session cookie (<c>sb.session=...</c>).</summary>
    public static Task<HubClient> ConnectWithCookieAsync<T>(WebApplicationFactory<T> factory, string cookie) where T : class =>
        OpenAsync(factory, "/hubs/inbox", cookie);

    private static async Task<HubClient> OpenAsync<T>(WebApplicationFactory<T> factory, string pathAndQuery, string? cookie) where T : class
    {
        var client = factory.Server.CreateWebSocketClient();
        if (cookie is not null)
            client.ConfigureRequest = request => request.Headers.Cookie = cookie;
        var socket = await client.ConnectAsync(new Uri($"ws://localhost{pathAndQuery}"), CancellationToken.None);
        await SendRawAsync(socket, "{\"protocol\":\"json\",\"version\":1}");
        var hub = new HubClient(socket);
        var handshake = await hub.NextAsync("handshake", TimeSpan.FromSeconds(10));
        if (handshake?["error"] is not null)
            throw new InvalidOperationException($"Hub handshake failed: {handshake}");
        return hub;
    }

    /// <summary>Calls a hub method and waits for its completion; throws with the hub's error text.</summary>
    public async Task InvokeAsync(string method, params object[] arguments)
    {
        var id = Interlocked.Increment(ref invocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var message = new JsonObject
        {
            ["type"] = 1, ["invocationId"] = id, ["target"] = method,
            ["arguments"] = new JsonArray(arguments.Select(a => JsonValue.Create(a)).ToArray<JsonNode?>()),
        };
        await sending.WaitAsync();
        try
        {
            await SendRawAsync(socket, message.ToJsonString());
        }
        finally
        {
            sending.Release();
        }
        var answer = NextAsync("completion:" + id, TimeSpan.FromSeconds(10));
        if (await Task.WhenAny(answer, reading) != answer)
            throw new InvalidOperationException("The server closed the connection.");
        if ((await answer)?["error"] is { } error)
            throw new InvalidOperationException(error.GetValue<string>());
    }

    /// <summary>Completes when the server closes the connection (fails the test after <paramref name="timeout"/>).</summary>
    public Task ClosedAsync(TimeSpan timeout) => reading.WaitAsync(timeout);

    /// <summary>The argument of the next invocation of <paramref name="target"/> (others stay queued for their own readers).</summary>
    public async Task<JsonNode?> NextAsync(string target, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await Queue(target).Reader.ReadAsync(cancel.Token);
    }

    private Channel<JsonNode?> Queue(string target) => received.GetOrAdd(target, _ => Channel.CreateUnbounded<JsonNode?>());

    /// <summary>SignalR drops a client it has not heard from for 30 s; a long test under load would lose its connection.</summary>
    private async Task PingAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop.Token);
                await sending.WaitAsync(stop.Token);
                try
                {
                    await SendRawAsync(socket, "{\"type\":6}");
                }
                finally
                {
                    sending.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private static Task SendRawAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        var pending = new StringBuilder();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
                pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                var text = pending.ToString();
                var end = text.LastIndexOf(RecordSeparator);
                if (end < 0)
                    continue;
                pending.Clear().Append(text[(end + 1)..]);
                foreach (var record in text[..end].Split(RecordSeparator))
                {
                    var node = JsonNode.Parse(record)!;
                    var entry = node["type"]?.GetValue<int>() switch
                    {
                        null => ("handshake", node),
                        1 => (node["target"]!.GetValue<string>(), node["arguments"]?[0]),
                        3 => ("completion:" + node["invocationId"]!.GetValue<string>(), node),
                        _ => ((string?)null, (JsonNode?)null),
                    };
                    if (entry.Item1 is not null)
                        Queue(entry.Item1).Writer.TryWrite(entry.Item2);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await reading;
        await pinging;
        socket.Dispose();
        stop.Dispose();
    }
}
