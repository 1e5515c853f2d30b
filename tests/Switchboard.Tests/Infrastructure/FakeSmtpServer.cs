using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Tests.Infrastructure;

/// <summary>Just enough SMTP on loopback port 2525 for the email sender (220, EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, QUIT);
/// keeps each message's DATA so tests can read its headers. <see cref="RecipientReply"/> makes RCPT TO refuse.</summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener listener = Listen();
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int connections;

    public FakeSmtpServer()
    {
        accepting = AcceptAsync();
    }

    /// <summary>An address of its own in 127.0.0.0/8 (all of it is loopback on Linux): the server speaks SMTP only on SMTP
    /// ports, so fakes cannot take a free port, only a free address.</summary>
    public string Host => ((IPEndPoint)listener.LocalEndpoint).Address.ToString();
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;
    public ConcurrentQueue<string> Messages { get; } = new();
    /// <summary>The first line sent on each connection; anything but 220 plays another kind of service.</summary>
    public string Greeting { get; set; } = "220 fake.smtp ESMTP";
    /// <summary>How many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref connections);
    /// <summary>The answer to RCPT TO: "250 OK", or a refusal such as "550 5.1.1 No such user".</summary>
    public string RecipientReply { get; set; } = "250 OK";
    /// <summary>Drop the connection once a message's data has arrived, before answering it (the server may have delivered it).</summary>
    public bool DropAfterData { get; set; }
    /// <summary>Take a message's data and never answer it (the sender is then cut off mid-send).</summary>
    public bool StallAfterData { get; set; }

    private static TcpListener Listen()
    {
        for (var attempt = 0; ; attempt++)
        {
            var address = new IPAddress([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(1, 255)]);
            var listener = new TcpListener(address, 2525);
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException) when (attempt < 20)
            {
                listener.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Increment(ref connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync(Greeting);
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var command = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (command)
                {
                    case "EHLO":
                    case "HELO":
                        await writer.WriteLineAsync("250 fake.smtp");
                        break;
                    case "RCPT":
                        await writer.WriteLineAsync(RecipientReply);
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(stop.Token) is { } dataLine && dataLine != ".")
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        Messages.Enqueue(data.ToString());
                        if (DropAfterData)
                            return; // took the whole message, then the connection went before its 250
                        if (StallAfterData)
                        {
                            // Holds the answer until the client goes away.
                            await reader.ReadLineAsync(stop.Token);
                            return;
                        }
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default: // MAIL, RSET, NOOP
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
