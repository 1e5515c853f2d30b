using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Bench;

/// <summary>Webhook ingestion: how many signed WhatsApp webhooks per second the server accepts durably (event and job
/// committed, 200 answered) with the job worker off, on SQLite and PostgreSQL, against bare Kestrel driven identically.</summary>
public static class IngestBenchmark
{
    private const double TargetPerSecond = 10_000;

    public static async Task<int> RunAsync(IngestOptions options)
    {
        var postgres = BenchDatabase.RequirePostgresIf(options.Providers.Contains(BenchProvider.Postgres));
        var report = new Report("ingest", options.Label);
        MachineContext.Describe(report, "Webhook ingestion (accept and store)",
            $"{string.Join(" / ", options.Connections)} closed-loop workers, each on its own keep-alive HTTP/1.1 connection ({nameof(SocketsHttpHandler)}, " +
            "16 connections per HttpClient), POST distinct signed WhatsApp webhooks (one text message each, distinct wamid and sender, " +
            $"pre-generated) for {options.WarmupSeconds} s of warm-up and then {options.Seconds} s measured (or until the {options.Messages:N0} " +
            "webhooks run out). The server runs with background work off (job worker, webhook processor), so it only accepts: verifies the " +
            "signature, stores the event durably (group commit with the webhooks that arrive alongside) and answers 200. Latency is from just before the request is handed to HttpClient to the response; " +
            $"accepted/s counts 200s of requests sent in the measured period. CPU per request is the process's whole CPU time (client " +
            "included, and the thread pool's spinning while it waits), so it means cost only when the process is busy (many connections). " +
            $"Target: ≥ {TargetPerSecond:N0} accepted/s on PostgreSQL.");
        try
        {
            var watch = Stopwatch.StartNew();
            var webhooks = Generate(options.Messages);
            report.Line($"- Generated and signed {webhooks.Length:N0} webhooks ({webhooks.Average(w => w.Body.Length):F0} bytes on average) " +
                $"in {watch.Elapsed.TotalSeconds:F1} s.");
            var results = new List<(HttpLoadResult Load, string Notes)>();
            if (!options.SkipCeiling)
            {
                foreach (var connections in options.Connections)
                    results.Add(await CeilingAsync(report, webhooks, connections, options));
            }
            foreach (var provider in options.Providers)
            {
                foreach (var connections in options.Connections)
                    results.Add(await ProviderAsync(report, provider, postgres, webhooks, connections, options));
            }

            report.Line();
            report.Line("## Summary");
            report.Line();
            report.Line("| Target | Conns | accepted/s | p50 ms | p90 ms | p99 ms | max ms | measured 200s | errors | stored = 200s |");
            report.Line("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
            foreach (var (r, notes) in results)
            {
                report.Line(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Target} | {r.Connections} | **{r.PerSecond:N0}** | {r.Latency.P50:F2} | {r.Latency.P90:F2} | {r.Latency.P99:F2} | {r.Latency.Max:F1} | " +
                    $"{r.MeasuredOk:N0}{(r.RanOut ? " (ran out of webhooks)" : "")} | {r.Errors:N0} | {notes} |"));
            }
            if (results.Where(r => r.Load.Target.StartsWith("PostgreSQL", StringComparison.Ordinal)).Select(r => r.Load).MaxBy(r => r.PerSecond) is { } pg)
            {
                report.Line();
                report.Line(string.Create(CultureInfo.InvariantCulture,
                    $"PostgreSQL against the target of {TargetPerSecond:N0} accepted/s: best {pg.PerSecond:N0}/s ({pg.Connections} connections) — " +
                    $"{(pg.PerSecond >= TargetPerSecond ? "met" : $"**not met** ({pg.PerSecond / TargetPerSecond:P0} of it)")}."));
            }
            report.Save();
            return 0;
        }
        catch (Exception e)
        {
            report.Save(e);
            throw;
        }
    }

    private static SignedWebhook[] Generate(int count)
    {
        var texts = MessageTexts.Pool(4096);
        var at = DateTimeOffset.UtcNow;
        var webhooks = new SignedWebhook[count];
        Parallel.For(0, count, i =>
        {
            var (waId, name) = WhatsAppWebhooks.Sender(i);
            webhooks[i] = WhatsAppWebhooks.Inbound(string.Create(CultureInfo.InvariantCulture, $"wamid.bench.ingest.{i:D9}"), waId, name,
                texts[i % texts.Length], at);
        });
        return webhooks;
    }

    private static async Task<(HttpLoadResult, string)> CeilingAsync(Report report, SignedWebhook[] webhooks, int connections, IngestOptions options)
    {
        await using var kestrel = await BareKestrel.StartAsync();
        var cpu = await CpuMeter.StartAsync(null);
        var result = await HttpLoad.RunAsync("bare Kestrel (read body, 200)", kestrel.Address, WhatsAppWebhooks.Path(1), webhooks, connections,
            TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.Seconds), cpu);
        Describe(report, $"Bare Kestrel ceiling, {connections} connections", null, result);
        return (result, "n/a");
    }

    private static async Task<(HttpLoadResult, string)> ProviderAsync(Report report, BenchProvider provider, string? postgresAdmin,
        SignedWebhook[] webhooks, int connections, IngestOptions options)
    {
        await using var database = await BenchDatabase.CreateAsync(provider, postgresAdmin, options.Keep);
        var sql = new SqlCapture();
        await using var server = await BenchServer.StartAsync(database, jobs: false, configure: sql.AddTo);
        var (_, apiKey) = await server.CreateTenantAsync(0);
        long channelId;
        IReadOnlyList<CapturedCommand> oneWebhook;
        using (var http = server.CreateClient())
        {
            channelId = await BenchServer.CreateWhatsAppChannelAsync(http, apiKey, "Support line", "106540352242922");
            // One webhook outside the load, its SQL captured; the load's bodies stay distinct from it.
            using var session = sql.Start();
            using var probe = await http.SendAsync(WhatsAppWebhooks.Request(WhatsAppWebhooks.Path(channelId),
                WhatsAppWebhooks.Inbound("wamid.bench.ingest.probe", "15559999999", "Probe", "probe", DateTimeOffset.UtcNow)));
            probe.EnsureSuccessStatusCode();
            oneWebhook = session.Commands;
        }
        var commandsBefore = sql.Count;
        var transactionsBefore = await database.TransactionsAsync();
        using var npgsql = new NpgsqlCounter();
        var cpu = await CpuMeter.StartAsync(database);
        var name = provider == BenchProvider.Postgres ? "PostgreSQL" : "SQLite";
        var result = await HttpLoad.RunAsync($"{name}: Switchboard webhook", server.Address, WhatsAppWebhooks.Path(channelId), webhooks,
            connections, TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.Seconds), cpu);

        var requests = Math.Max(1, result.TotalOk + result.Errors);
        var commands = (double)(sql.Count - commandsBefore) / requests;
        var roundTrips = (double)npgsql.Count / requests;
        var transactions = await database.TransactionsAsync() - transactionsBefore;

        // Accepted means committed: every 200 must have left exactly one stored event (the bodies are distinct), due for the
        // webhook processor. The probe adds one.
        var events = await database.CountAsync("SELECT count(*) FROM webhook_events") - 1;
        var due = await database.CountAsync("SELECT count(*) FROM webhook_events WHERE run_at IS NOT NULL") - 1;
        var verdict = events == result.TotalOk && due == result.TotalOk
            ? $"yes ({events:N0})"
            : $"**NO**: {result.TotalOk:N0} 200s, {events:N0} events, {due:N0} due";
        Describe(report, $"{name}, {connections} connections", await database.DescribeAsync(), result);
        report.Line($"- Verification: {result.TotalOk:N0} answers 200 (warm-up included); {events:N0} rows in webhook_events, {due:N0} " +
            $"of them due for processing — {verdict}. Database size afterwards {await database.SizeAsync() / (1 << 20):N0} MiB.");
        report.Line(provider == BenchProvider.Postgres
            ? $"- Database work per webhook during the load: {roundTrips:F2} Npgsql round trips (commands and batches, whoever sent them), " +
              $"{(double)transactions!.Value / requests:F2} PostgreSQL transactions, {commands:F2} of the commands through EF. One webhook alone, " +
              "as EF sent it (SQL sent without EF does not show here):"
            : $"- SQL per webhook: {commands:F1} commands through EF on average during the load (+ BEGIN/COMMIT); one webhook alone, as EF sent it:");
        report.Line();
        report.Line("```");
        foreach (var command in oneWebhook)
            report.Line(LatencyBenchmark.Shorten(command.Sql));
        report.Line("```");
        return (result, verdict);
    }

    private static void Describe(Report report, string title, string? engine, HttpLoadResult r)
    {
        report.Line();
        report.Line($"## {title}");
        report.Line();
        if (engine is not null)
            report.Line($"- Engine: {engine}");
        report.Line(string.Create(CultureInfo.InvariantCulture,
            $"- {r.MeasuredOk:N0} accepted in {r.Measured.TotalSeconds:F1} s measured = **{r.PerSecond:N0}/s**; latency p50 {r.Latency.P50:F2} ms, " +
            $"p90 {r.Latency.P90:F2} ms, p99 {r.Latency.P99:F2} ms, max {r.Latency.Max:F1} ms; {r.WarmupOk:N0} more in the warm-up" +
            $"{(r.RanOut ? "; **ran out of webhooks** before the time was up (raise --messages)" : "")}."));
        report.Line($"- Errors: {(r.Errors == 0 ? "none" : $"{r.Errors:N0} ({string.Join(", ", r.ErrorKinds.Select(k => $"{k.Key} × {k.Value:N0}"))}); first: {r.FirstError}")}.");
        report.Line($"- {r.Cpu}");
        report.Line(string.Create(CultureInfo.InvariantCulture,
            $"- Memory: {r.AllocatedBytes / Math.Max(1, r.MeasuredOk) / 1024.0:F1} KiB allocated per accepted webhook (client + server); " +
            $"{MachineContext.Memory()}. Load average after: {MachineContext.LoadAverage()}."));
    }
}
