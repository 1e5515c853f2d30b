using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Switchboard.Bench;

/// <summary>Inbound message to agent: signed webhooks sent at a fixed rate (paced, open-loop: a slow server does not slow the
/// sender), each with a unique marker in its text; an agent connected to <c>/hubs/inbox</c> times the
/// <c>conversationUpdated</c> that carries the marker in <c>lastMessagePreview</c>. The webhook processor runs, as in production.</summary>
public static class LatencyBenchmark
{
    public static async Task<int> RunAsync(LatencyOptions options)
    {
        var postgres = BenchDatabase.RequirePostgresIf(options.Providers.Contains(BenchProvider.Postgres));
        var report = new Report("latency", options.Label);
        MachineContext.Describe(report, "Inbound message to agent: webhook → processor → hub",
            $"{options.Rate:N0} signed WhatsApp webhooks per second for {options.Seconds} s (after {options.WarmupSeconds} s of warm-up at the same rate, " +
            $"waited for and not measured), paced open-loop from one sender over keep-alive HTTP/1.1; one text message each from {options.Senders:N0} " +
            "customers in turn, its text starting with a unique marker. One agent (the tenant's API key) listens on /hubs/inbox over a WebSocket " +
            "(SignalR JSON protocol). Latency: from just before the POST is handed to HttpClient to the arrival of the agent's conversationUpdated " +
            "whose lastMessagePreview carries the marker. The server runs its webhook processor and job worker, as shipped.");
        try
        {
            foreach (var provider in options.Providers)
                await RunProviderAsync(report, provider, postgres, options);
            report.Save();
            return 0;
        }
        catch (Exception e)
        {
            report.Save(e);
            throw;
        }
    }

    private sealed class Run(int count)
    {
        public readonly long[] SentAt = new long[count];
        public readonly long[] ScheduledAt = new long[count];
        public readonly long[] AcceptedAt = new long[count];
        public readonly long[] ArrivedAt = new long[count];
        public int Sent;
        public int Accepted;
        public int Failed;
        public int Arrived;
        public string? FirstError;
    }

    private static async Task RunProviderAsync(Report report, BenchProvider provider, string? postgresAdmin, LatencyOptions options)
    {
        await using var database = await BenchDatabase.CreateAsync(provider, postgresAdmin, options.Keep);
        var sql = new SqlCapture();
        await using var server = await BenchServer.StartAsync(database, jobs: true, configure: sql.AddTo);
        var (_, apiKey) = await server.CreateTenantAsync(0);
        long channelId;
        using (var http = server.CreateClient())
            channelId = await BenchServer.CreateWhatsAppChannelAsync(http, apiKey, "Support line", "106540352242922");
        report.Line();
        report.Line($"## {(provider == BenchProvider.Postgres ? "PostgreSQL" : "SQLite")}");
        report.Line();
        report.Line($"- Engine: {await database.DescribeAsync()}; real-time fan-out " +
            $"{(provider == BenchProvider.Postgres ? "over LISTEN/NOTIFY" : "in process")}.");

        var warmupCount = options.Rate * options.WarmupSeconds;
        var count = options.Rate * options.Seconds;
        var texts = MessageTexts.Pool(4096);
        var at = DateTimeOffset.UtcNow;
        var webhooks = new SignedWebhook[warmupCount + count + Probes];
        Parallel.For(0, webhooks.Length, i =>
        {
            var (waId, name) = WhatsAppWebhooks.Sender(i % options.Senders);
            // The marker leads: the preview keeps the first 200 characters.
            webhooks[i] = WhatsAppWebhooks.Inbound($"wamid.bench.latency.{i:D9}", waId, name, $"#{i:D8} {texts[i % texts.Length]}", at);
        });

        // Messages are numbered across warm-up and measured run; each run records its own slice.
        Run? current = null;
        var currentOffset = 0;
        long unexpected = 0;
        await using var agent = await InboxHubClient.ConnectAsync(server.Address, apiKey, (target, argument, receivedAt) =>
        {
            if (target != "conversationUpdated" || current is not { } run)
                return;
            if (!argument.TryGetProperty("lastMessagePreview", out var preview) || preview.GetString() is not { Length: > 9 } text || text[0] != '#'
                || !int.TryParse(text.AsSpan(1, 8), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index - currentOffset is var slot && (slot < 0 || slot >= run.ArrivedAt.Length))
            {
                Interlocked.Increment(ref unexpected);
                return;
            }
            if (Interlocked.CompareExchange(ref run.ArrivedAt[slot], receivedAt, 0) == 0)
                Interlocked.Increment(ref run.Arrived);
        });

        using var sender = new HttpClient(new SocketsHttpHandler { UseCookies = false, UseProxy = false, MaxConnectionsPerServer = 512 })
        {
            BaseAddress = server.Address, DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(120),
        };
        var path = WhatsAppWebhooks.Path(channelId);

        // Warm-up: same rate, then wait until it has all arrived so the measured run starts with an empty queue.
        var drain = TimeSpan.FromSeconds(options.DrainSeconds);
        if (warmupCount > 0)
        {
            var warmup = new Run(warmupCount);
            current = warmup;
            await SendPacedAsync(sender, path, webhooks.AsMemory(0, warmupCount), options.Rate, warmup);
            var waited = await WaitForAsync(() => warmup.Arrived + warmup.Failed >= warmupCount, drain);
            report.Line($"- Warm-up: {warmupCount:N0} sent, {warmup.Arrived:N0} arrived{(waited ? "" : $" (gave up waiting after {drain.TotalSeconds:F0} s)")}.");
        }

        // Probes: single messages into an idle server, one at a time, the first with its SQL captured.
        var probeLatencies = new List<string>();
        IReadOnlyList<CapturedCommand> acceptCommands = [], jobCommands = [];
        for (var p = 0; p < Probes; p++)
        {
            var probe = new Run(1);
            currentOffset = warmupCount + count + p;
            current = probe;
            var acceptSession = p == 0 ? sql.Start() : null;
            await PostAsync(sender, path, webhooks[currentOffset], probe, 0);
            acceptSession?.Dispose();
            var jobSession = p == 0 ? sql.Start() : null;
            var arrived = await WaitForAsync(() => probe.Arrived == 1, TimeSpan.FromSeconds(10));
            await WaitForAsync(async () => await BacklogAsync(database) == 0, TimeSpan.FromSeconds(10));
            jobSession?.Dispose();
            if (p == 0)
                (acceptCommands, jobCommands) = (acceptSession!.Commands, jobSession!.Commands);
            probeLatencies.Add(arrived ? $"{Stopwatch.GetElapsedTime(probe.SentAt[0], probe.ArrivedAt[0]).TotalMilliseconds:F0}" : "lost");
            await Task.Delay(250);
        }
        report.Line($"- Idle probes (one message at a time into the otherwise idle server, {Probes} in a row): {string.Join(", ", probeLatencies)} ms " +
            "from send to the agent.");
        report.Line($"- SQL for one message: {acceptCommands.Count} commands to accept it (+ BEGIN/COMMIT), {jobCommands.Count} by the webhook processor " +
            "until its queue was empty again (listed at the end).");

        var measured = new Run(count);
        currentOffset = warmupCount;
        current = measured;
        var commandsBefore = sql.Count;
        var transactionsBefore = await database.TransactionsAsync();
        using var npgsql = new NpgsqlCounter();
        var timeline = new List<(double Seconds, int Sent, int Accepted, int Arrived, long Backlog)>();
        var cpu = await CpuMeter.StartAsync(database);
        var start = Stopwatch.GetTimestamp();
        var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            await using var connection = database.NewConnection();
            await connection.OpenAsync();
            while (!sampling.IsCancellationRequested)
            {
                var backlog = Convert.ToInt64(await Sql.ScalarAsync(connection, BacklogQuery), CultureInfo.InvariantCulture);
                timeline.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, measured.Sent, measured.Accepted, measured.Arrived, backlog));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        await SendPacedAsync(sender, path, webhooks.AsMemory(warmupCount, count), options.Rate, measured);
        var sendingTime = Stopwatch.GetElapsedTime(start);
        var arrivedWhenSendingStopped = measured.Arrived;
        var backlogWhenSendingStopped = await BacklogAsync(database);
        var drained = await WaitForAsync(() => measured.Arrived + measured.Failed >= count, drain);
        var totalTime = Stopwatch.GetElapsedTime(start);
        await sampling.CancelAsync();
        await sampler;
        var cpuSummary = cpu.Summary(measured.Arrived, "delivered message");
        var commandsPerMessage = (double)(sql.Count - commandsBefore) / Math.Max(1, measured.Arrived);
        var roundTripsPerMessage = (double)npgsql.Count / Math.Max(1, measured.Arrived);
        var transactionsPerMessage = (double)(await database.TransactionsAsync() - transactionsBefore ?? 0) / Math.Max(1, measured.Arrived);
        var backlogAtEnd = await BacklogAsync(database);

        // Where the time went, from the server's own timestamps: received_at (accepted) to processed_at (filed).
        var serverTimes = await ServerTimesAsync(database, webhooks.AsSpan(warmupCount, count).ToArray().Select(w => Convert.ToHexStringLower(SHA256.HashData(w.Body))).ToArray());

        var endToEnd = LatencySummary.Of(Enumerable.Range(0, count).Where(i => measured.ArrivedAt[i] != 0)
            .Select(i => Stopwatch.GetElapsedTime(measured.SentAt[i], measured.ArrivedAt[i]).TotalMilliseconds));
        var accept = LatencySummary.Of(Enumerable.Range(0, count).Where(i => measured.AcceptedAt[i] != 0)
            .Select(i => Stopwatch.GetElapsedTime(measured.SentAt[i], measured.AcceptedAt[i]).TotalMilliseconds));
        var lag = LatencySummary.Of(Enumerable.Range(0, count).Select(i => Stopwatch.GetElapsedTime(measured.ScheduledAt[i], measured.SentAt[i]).TotalMilliseconds));
        var inServer = LatencySummary.Of(serverTimes.Where(t => t.Processed is not null).Select(t => (t.Processed!.Value - t.Received).TotalMilliseconds));
        var firstSent = measured.SentAt[0];
        var lastSent = measured.SentAt[count - 1];
        var achievedRate = (count - 1) / Stopwatch.GetElapsedTime(firstSent, lastSent).TotalSeconds;
        var arrivals = Enumerable.Range(0, count).Where(i => measured.ArrivedAt[i] != 0).Select(i => measured.ArrivedAt[i]).Order().ToArray();
        var deliveryRate = arrivals.Length > 1 ? (arrivals.Length - 1) / Stopwatch.GetElapsedTime(arrivals[0], arrivals[^1]).TotalSeconds : 0;

        report.Line(string.Create(CultureInfo.InvariantCulture,
            $"- Sent {count:N0} in {Stopwatch.GetElapsedTime(firstSent, lastSent).TotalSeconds:F1} s = **{achievedRate:N0}/s achieved** " +
            $"(asked {options.Rate:N0}/s; send lag behind schedule p50 {lag.P50:F1} ms, p99 {lag.P99:F1} ms, max {lag.Max:F0} ms); " +
            $"{measured.Accepted:N0} answered 200, {measured.Failed:N0} failed{(measured.FirstError is null ? "" : $" (first: {measured.FirstError})")}."));
        report.Line(string.Create(CultureInfo.InvariantCulture,
            $"- Arrived at the agent: {measured.Arrived:N0} of {count:N0} ({arrivedWhenSendingStopped:N0} by the time sending stopped, the rest " +
            $"{(drained ? $"within {(totalTime - sendingTime).TotalSeconds:F1} s after" : $"**not all within the {options.DrainSeconds} s waited**")}); " +
            $"delivery rate {deliveryRate:N0}/s from first to last arrival; {Interlocked.Read(ref unexpected):N0} other conversationUpdated events; " +
            $"hub connection {(agent.Closed is null ? "stayed open" : agent.Closed)}."));
        report.Line($"- Webhook backlog (stored, not processed yet): {backlogWhenSendingStopped:N0} when sending stopped, {backlogAtEnd:N0} at the end.");
        var keptUp = drained && backlogWhenSendingStopped < options.Rate && measured.Failed == 0;
        report.Line(keptUp
            ? "- **The server kept up** with the offered rate: the queue stayed under a second's worth of messages."
            : ($"- **The server did not keep up**: it delivered {deliveryRate:N0} messages/s against {achievedRate:N0}/s offered, so a backlog built up " +
                $"({backlogWhenSendingStopped:N0} webhooks when sending stopped) and latency grew with it for the whole run; the percentiles below measure " +
                "that queue, not a steady state."));
        report.Line();
        report.Line("| Measure | n | p50 ms | p90 ms | p99 ms | max ms |");
        report.Line("|---|--:|--:|--:|--:|--:|");
        Row(report, measured.Arrived == count ? "**webhook sent → agent's conversationUpdated**"
            : $"**webhook sent → agent's conversationUpdated** (the {measured.Arrived:N0} that arrived; {count - measured.Arrived:N0} took longer than the run)",
            endToEnd);
        Row(report, "webhook sent → 200 (accepted)", accept);
        Row(report, "server: received_at → processed_at (queue + processing)", inServer);
        report.Line();
        report.Line($"- {cpuSummary}");
        report.Line(provider == BenchProvider.Postgres
            ? $"- Database work during the measured run, per delivered message (accepting and processing, idle polls and the bench's own " +
              $"backlog samples included): {roundTripsPerMessage:F1} Npgsql round trips, {transactionsPerMessage:F1} transactions, " +
              $"{commandsPerMessage:F1} commands through EF."
            : $"- SQL commands through EF during the measured run: {commandsPerMessage:F1} per delivered message (both paths, plus idle polls).");
        report.Line($"- Memory: {MachineContext.Memory()}. Load average after: {MachineContext.LoadAverage()}.");
        report.Line();
        report.Line("Timeline (seconds since the first measured send; cumulative counts):");
        report.Line();
        report.Line("| s | sent | accepted | arrived at agent | webhook backlog |");
        report.Line("|--:|--:|--:|--:|--:|");
        var step = Math.Max(1, timeline.Count / 25);
        for (var i = 0; i < timeline.Count; i++)
        {
            if (i % step != 0 && i != timeline.Count - 1)
                continue;
            var t = timeline[i];
            report.Line(string.Create(CultureInfo.InvariantCulture, $"| {t.Seconds:F0} | {t.Sent:N0} | {t.Accepted:N0} | {t.Arrived:N0} | {t.Backlog:N0} |"));
        }
        report.Line();
        report.Line("SQL of one message (first idle probe), as EF sent it — accepting the webhook, then the webhook processor:");
        report.Line();
        report.Line("```");
        foreach (var command in acceptCommands)
            report.Line("accept  " + Shorten(command.Sql));
        foreach (var command in jobCommands)
            report.Line("process " + Shorten(command.Sql));
        report.Line("```");
    }

    private const int Probes = 5;
    private const string BacklogQuery = "SELECT count(*) FROM webhook_events WHERE run_at IS NOT NULL";

    private static async Task<long> BacklogAsync(BenchDatabase database)
    {
        await using var connection = database.NewConnection();
        return Convert.ToInt64(await Sql.ScalarAsync(connection, BacklogQuery), CultureInfo.InvariantCulture);
    }

    /// <summary>One line of SQL, cut to a readable length.</summary>
    public static string Shorten(string sql, int length = 150)
    {
        var line = string.Join(' ', sql.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= length ? line : line[..length] + " …";
    }

    private static void Row(Report report, string name, LatencySummary s) =>
        report.Line(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {s.Count:N0} | {s.P50:F1} | {s.P90:F1} | {s.P99:F1} | {s.Max:F1} |"));

    /// <summary>Open-loop pacing: message i is due at start + i/rate and is sent then (or as soon as the sender wakes after),
    /// whether or not earlier requests have been answered.</summary>
    private static async Task SendPacedAsync(HttpClient http, string path, ReadOnlyMemory<SignedWebhook> webhooks, int rate, Run run)
    {
        var ticksPerMessage = (double)Stopwatch.Frequency / rate;
        var inFlight = new List<Task>(webhooks.Length);
        var start = Stopwatch.GetTimestamp();
        var next = 0;
        while (next < webhooks.Length)
        {
            var due = Math.Min(webhooks.Length, (int)((Stopwatch.GetTimestamp() - start) / ticksPerMessage) + 1);
            for (; next < due; next++)
            {
                run.ScheduledAt[next] = start + (long)(next * ticksPerMessage);
                inFlight.Add(PostAsync(http, path, webhooks.Span[next], run, next));
            }
            if (next < webhooks.Length)
                await Task.Delay(1);
        }
        await Task.WhenAll(inFlight);
    }

    private static async Task PostAsync(HttpClient http, string path, SignedWebhook webhook, Run run, int slot)
    {
        using var request = WhatsAppWebhooks.Request(path, webhook);
        run.SentAt[slot] = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref run.Sent);
        try
        {
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                run.AcceptedAt[slot] = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref run.Accepted);
                return;
            }
            Interlocked.CompareExchange(ref run.FirstError, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Interlocked.CompareExchange(ref run.FirstError, $"{e.GetType().Name}: {e.Message}", null);
        }
        Interlocked.Increment(ref run.Failed);
    }

    private static Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout) => WaitForAsync(() => Task.FromResult(condition()), timeout);

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
                return false;
            await Task.Delay(50);
        }
        return true;
    }

    private sealed record ServerTime(DateTimeOffset Received, DateTimeOffset? Processed);

    /// <summary>The stored events of the measured webhooks (matched by payload hash), with the server's receive and
    /// processed times.</summary>
    private static async Task<List<ServerTime>> ServerTimesAsync(BenchDatabase database, string[] hashes)
    {
        var wanted = hashes.ToHashSet();
        var times = new List<ServerTime>(hashes.Length);
        await using var connection = database.NewConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload_hash, received_at, processed_at FROM webhook_events";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!wanted.Contains(reader.GetString(0)))
                continue;
            times.Add(new ServerTime(Time(reader, 1)!.Value, Time(reader, 2)));
        }
        return times;
    }

    /// <summary>A timestamp column: timestamptz on PostgreSQL, UTC ticks on SQLite (the server's UtcTicksConverter).</summary>
    private static DateTimeOffset? Time(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null
        : reader.GetFieldType(column) == typeof(long) ? new DateTimeOffset(reader.GetInt64(column), TimeSpan.Zero)
        : reader.GetFieldValue<DateTimeOffset>(column);
}
