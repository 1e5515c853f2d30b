using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.Bench;

/// <summary>An agent on <c>/hubs/inbox</c> over a real WebSocket: the SignalR JSON protocol by hand (the .NET SignalR client
/// package is not available here; tests/Infrastructure/HubClient does the same over TestServer). Each invocation the server
/// sends is handed to <c>onInvocation</c> on the receive loop, with the timestamp at which its frame arrived.</summary>
public sealed class InboxHubClient : IAsyncDisposable
{
    public delegate void InvocationHandler(string target, JsonElement argument, long receivedAt);

    private const byte RecordSeparator = 0x1e;
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket socket;
    private readonly InvocationHandler onInvocation;
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim sending = new(1, 1);
    private Task reading = Task.CompletedTask;
    private Task pinging = Task.CompletedTask;

    private InboxHubClient(ClientWebSocket socket, InvocationHandler onInvocation)
    {
        this.socket = socket;
        this.onInvocation = onInvocation;
    }

    /// <summary>Why the connection ended, if the server closed it or it failed.</summary>
    public string? Closed { get; private set; }

    /// <summary>Connects with an API key (as a browser would pass its token: <c>?access_token=</c>), skipping negotiation as
    /// WebSocket-only clients may, and completes the JSON-protocol handshake.</summary>
    public static async Task<InboxHubClient> ConnectAsync(Uri server, string apiKey, InvocationHandler onInvocation)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/hubs/inbox", Query = $"access_token={Uri.EscapeDataString(apiKey)}" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        var client = new InboxHubClient(socket, onInvocation);
        client.reading = client.ReadAsync();
        await client.SendAsync("{\"protocol\":\"json\",\"version\":1}");
        await client.handshake.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // The server drops a client it has not heard from for 30 s (ClientTimeoutInterval), so a listener must ping.
        client.pinging = client.PingAsync();
        return client;
    }

    private async Task SendAsync(string json)
    {
        await sending.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json + (char)RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task PingAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                await Task.Delay(PingInterval, stop.Token);
                await SendAsync("{\"type\":6}");
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var pending = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), stop.Token);
                var receivedAt = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Closed = $"closed by the server: {socket.CloseStatus} {socket.CloseStatusDescription}";
                    break;
                }
                pending.Write(buffer.AsSpan(0, result.Count));
                var records = pending.WrittenSpan;
                var end = records.LastIndexOf(RecordSeparator);
                if (end < 0)
                    continue;
                var start = 0;
                while (start <= end)
                {
                    var length = records[start..].IndexOf(RecordSeparator);
                    Handle(records.Slice(start, length), receivedAt);
                    start += length + 1;
                }
                var rest = records[(end + 1)..].ToArray();
                pending.ResetWrittenCount();
                pending.Write(rest);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException e)
        {
            Closed = $"failed: {e.Message}";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            handshake.TrySetException(new InvalidOperationException($"The hub connection ended before its handshake ({Closed})."));
        }
    }

    private void Handle(ReadOnlySpan<byte> record, long receivedAt)
    {
        using var document = JsonDocument.Parse(record.ToArray());
        var root = document.RootElement;
        if (!root.TryGetProperty("type", out var type))
        {
            // The handshake answer: {} or {"error": "..."}.
            if (root.TryGetProperty("error", out var error))
                handshake.TrySetException(new InvalidOperationException($"Hub handshake failed: {error}"));
            else
                handshake.TrySetResult();
            return;
        }
        switch (type.GetInt32())
        {
            case 1 when root.TryGetProperty("target", out var target) && root.TryGetProperty("arguments", out var arguments)
                        && arguments.GetArrayLength() > 0:
                onInvocation(target.GetString()!, arguments[0], receivedAt);
                break;
            case 7:
                Closed = $"closed by the server: {(root.TryGetProperty("error", out var reason) ? reason.ToString() : "no reason given")}";
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        await Task.WhenAll(reading, pinging);
        socket.Dispose();
        stop.Dispose();
        sending.Dispose();
    }
}
