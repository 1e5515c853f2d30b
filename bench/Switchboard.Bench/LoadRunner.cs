using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Switchboard.Bench;

/// <summary>A tenant as the benchmark's clients see it: its API key, and (for the contacts list) where its second page starts.</summary>
public sealed record BenchTenant(long TenantId, string ApiKey, string? SecondPageCursor = null);

/// <summary>A request shape; <see cref="PathFor"/> gets the request's sequence number so requests can vary.</summary>
public sealed record Scenario(string Name, Func<int, BenchTenant, string> PathFor);

public sealed record ScenarioResult(
    string Scenario, int Clients, int Requests, double RowsPerResponse, double P50, double P90, double P99, double Max, double PerSecond,
    bool TimeCapped);

/// <summary>Sends a scenario's requests over real HTTP, round-robin over the tenants, and measures each from send until the
/// whole body has arrived.</summary>
public sealed class LoadRunner(HttpClient http, IReadOnlyList<BenchTenant> tenants)
{
    /// <summary>Warm-up, then <paramref name="requests"/> measured requests from <paramref name="clients"/> concurrent clients.
    /// A slow scenario stops early when <paramref name="budget"/> runs out (a quarter of it for the warm-up), so one bad
    /// query cannot hold the run for an hour; the result then counts the requests that were made.</summary>
    public async Task<ScenarioResult> RunAsync(Scenario scenario, int warmup, int requests, int clients, TimeSpan budget)
    {
        var warmupStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < warmup && Stopwatch.GetElapsedTime(warmupStarted) < budget / 4; i++)
            await SendAsync(scenario, i);

        var latencies = new double[requests];
        var rows = new int[requests];
        var next = -1;
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while (Stopwatch.GetElapsedTime(started) < budget && (i = Interlocked.Increment(ref next)) < requests)
            {
                (latencies[i], rows[i]) = await SendAsync(scenario, warmup + i);
                Interlocked.Increment(ref done);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);

        // Every request taken from the counter completed, so the first `done` slots are filled.
        var measured = LatencySummary.Of(latencies[..done]);
        return new ScenarioResult(scenario.Name, clients, done, rows[..done].Average(), measured.P50, measured.P90, measured.P99, measured.Max,
            done / elapsed.TotalSeconds, done < requests);
    }

    /// <summary>One request: its latency in milliseconds and how many contacts it returned.</summary>
    public async Task<(double Milliseconds, int Rows)> SendAsync(Scenario scenario, int sequence)
    {
        var tenant = tenants[sequence % tenants.Count];
        using var request = new HttpRequestMessage(HttpMethod.Get, scenario.PathFor(sequence, tenant));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"{scenario.Name}: GET {request.RequestUri} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }
        // Counted after the clock stops: the client's parsing is not the server's latency.
        using var page = JsonDocument.Parse(body);
        return (elapsed.TotalMilliseconds, page.RootElement.GetProperty("items").GetArrayLength());
    }

    /// <summary>The results as a Markdown table, each p99 checked against <paramref name="targetP99"/> milliseconds.</summary>
    public static void PrintTable(Report report, IEnumerable<ScenarioResult> results, double targetP99, string rowsHeader = "Rows/resp")
    {
        report.Line($"| Scenario | Clients | Requests | {rowsHeader} | p50 ms | p90 ms | p99 ms | max ms | req/s | p99 ≤ {targetP99} ms |");
        report.Line("|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|");
        foreach (var r in results)
        {
            report.Line(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Clients} | {r.Requests:N0}{(r.TimeCapped ? " (time cap)" : "")} | {r.RowsPerResponse:F1} | {r.P50:F2} | {r.P90:F2} | {r.P99:F2} | {r.Max:F2} | " +
                $"{r.PerSecond:F0} | {(r.P99 <= targetP99 ? "yes" : "**no**")} |"));
        }
    }
}
