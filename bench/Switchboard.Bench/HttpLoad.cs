using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Switchboard.Bench;

public sealed record HttpLoadResult(
    string Target, int Connections, long WarmupOk, long MeasuredOk, long Errors, IReadOnlyDictionary<string, long> ErrorKinds, string? FirstError,
    LatencySummary Latency, TimeSpan Measured, bool RanOut, long AllocatedBytes, string Cpu)
{
    public long TotalOk => WarmupOk + MeasuredOk;

    public double PerSecond => MeasuredOk / Measured.TotalSeconds;
}

/// <summary>Closed-loop load over keep-alive HTTP/1.1: <c>connections</c> workers, each with one request in flight at a time
/// on its own connection, POST pre-built webhooks (each used once) for a warm-up and then a measured period, or until the
/// webhooks run out. Latency runs from just before the request is handed to the client until the response has arrived.</summary>
public static class HttpLoad
{
    /// <summary>Connections per <see cref="HttpClient"/>: several handlers keep the connection pool's lock from being the
    /// client's bottleneck.</summary>
    private const int ConnectionsPerHandler = 16;

    public static async Task<HttpLoadResult> RunAsync(string target, Uri server, string path, IReadOnlyList<SignedWebhook> webhooks, int connections,
        TimeSpan warmup, TimeSpan duration, CpuMeter cpu)
    {
        var handlers = (connections + ConnectionsPerHandler - 1) / ConnectionsPerHandler;
        var clients = Enumerable.Range(0, handlers).Select(_ => new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            UseProxy = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = server,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        }).ToArray();

        var next = -1;
        var ranOut = false;
        long warmupOk = 0, measuredOk = 0, errors = 0;
        var errorKinds = new ConcurrentDictionary<string, long>();
        string? firstError = null;
        var latencies = new List<double>[connections];
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var lastCompletion = measureFrom;
        long allocatedAtStart = 0;

        // Marks the start of the measured period for the CPU and allocation figures.
        var marker = Task.Run(async () =>
        {
            await Task.Delay(warmup);
            cpu.Restart();
            allocatedAtStart = GC.GetTotalAllocatedBytes();
        });
        await Task.WhenAll(Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(8 * 1024);
            var http = clients[worker % clients.Length];
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= webhooks.Count)
                {
                    ranOut = true;
                    return;
                }
                using var request = WhatsAppWebhooks.Request(path, webhooks[i]);
                var sent = Stopwatch.GetTimestamp();
                string? failure = null;
                try
                {
                    using var response = await http.SendAsync(request);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failure = $"HTTP {(int)response.StatusCode}";
                        Interlocked.CompareExchange(ref firstError, $"{failure}: {await response.Content.ReadAsStringAsync()}", null);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    failure = e.GetType().Name;
                    Interlocked.CompareExchange(ref firstError, $"{failure}: {e.Message}", null);
                }
                var done = Stopwatch.GetTimestamp();
                if (failure is not null)
                {
                    Interlocked.Increment(ref errors);
                    errorKinds.AddOrUpdate(failure, 1, (_, n) => n + 1);
                }
                else if (sent < measureFrom)
                {
                    Interlocked.Increment(ref warmupOk);
                }
                else
                {
                    Interlocked.Increment(ref measuredOk);
                    mine.Add(Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds);
                    InterlockedMax(ref lastCompletion, done);
                }
            }
        })));
        await marker;
        var cpuSummary = cpu.Summary(measuredOk);
        var allocated = GC.GetTotalAllocatedBytes() - allocatedAtStart;
        foreach (var client in clients)
            client.Dispose();
        var measured = Stopwatch.GetElapsedTime(measureFrom, Math.Max(lastCompletion, measureFrom + 1));
        return new HttpLoadResult(target, connections, warmupOk, measuredOk, errors, errorKinds, firstError,
            LatencySummary.Of(latencies.Where(l => l is not null).SelectMany(l => l)), measured, ranOut, allocated, cpuSummary);
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }
}
