using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A TCP relay on a loopback port to <paramref name="target"/>. <see cref="Silence"/> makes every connection open at
/// that moment go quiet, as a failover with no FIN or RST does: nothing passes either way and nobody is told. Connections made
/// afterwards pass again.</summary>
public sealed class SilenceableProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private readonly IPEndPoint target;
    private CancellationTokenSource current = new();

    public SilenceableProxy(IPEndPoint target)
    {
        this.target = target;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Silence() => Interlocked.Exchange(ref current, new CancellationTokenSource()).Cancel();

    private async Task AcceptAsync()
    {
        var held = new List<TcpClient>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                var upstream = new TcpClient();
                await upstream.ConnectAsync(target, stop.Token);
                held.AddRange([client, upstream]); // kept open when silenced: a silent peer never closes
                var quiet = current.Token;
                _ = PumpAsync(client.GetStream(), upstream.GetStream(), quiet);
                _ = PumpAsync(upstream.GetStream(), client.GetStream(), quiet);
            }
        }
        catch (OperationCanceledException)
        {
            held.ForEach(c => c.Dispose());
        }
    }

    private async Task PumpAsync(Stream from, Stream to, CancellationToken quiet)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(quiet, stop.Token);
            int read;
            while ((read = await from.ReadAsync(buffer, linked.Token)) > 0)
                await to.WriteAsync(buffer.AsMemory(0, read), linked.Token);
            to.Close(); // the other end closed (not silenced): pass that on
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
    }
}
