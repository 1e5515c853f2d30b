using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;

namespace Switchboard.Bench;

/// <summary>The inbox at scale (PostgreSQL): one tenant with a million conversations and ten million messages (plus a few
/// small tenants), loaded with COPY into the real schema, then read through the real HTTP API — the conversation list with
/// its status counts, filtered as agents use it, and conversation history pages.</summary>
public static class InboxScaleBenchmark
{
    private const double TargetP99Milliseconds = 20;
    private const int Agents = 20;
    private const int HistoryLimit = 30;

    public static async Task<int> RunAsync(InboxScaleOptions options)
    {
        var postgres = BenchDatabase.RequirePostgresIf(true);
        var report = new Report("inbox-scale", options.Label);
        MachineContext.Describe(report,
            $"Inbox at scale: {options.Conversations:N0} conversations × ~{options.MessagesPerConversation} messages in one tenant",
            $"seeded with binary COPY into the migrated schema, then per scenario {options.Warmup} warm-up requests and {options.Requests:N0} measured " +
            $"(at most {options.MaxSeconds} s) through the real HTTP API with the tenant's API key, from 1 client (latency)" +
            (options.Concurrency > 0 ? $", then from {options.Concurrency} (throughput)" : "") + "; latency from send to last body byte. API keys have no user, so an agent's list is " +
            $"assignee=<agent's user id>. Target: p99 ≤ {TargetP99Milliseconds} ms.");
        try
        {
            await using var database = await BenchDatabase.CreateAsync(BenchProvider.Postgres, postgres, options.Keep);
            var capture = new SqlCapture();
            await using var server = await BenchServer.StartAsync(database, configure: capture.AddTo);
            report.Line();
            report.Line($"## {await database.DescribeAsync()}");
            report.Line();

            using var http = server.CreateClient();
            var watch = Stopwatch.StartNew();
            var tenants = new List<InboxTenant>();
            var nextContact = 1L;
            var nextConversation = 1L;
            var nextMessage = 1L;
            var now = DateTimeOffset.UtcNow;
            var seeded = new List<(InboxTenant Tenant, InboxData Data)>();
            for (var t = 0; t <= options.SmallTenants; t++)
            {
                var conversations = t == 0 ? options.Conversations : Math.Max(100, options.Conversations / 100);
                var contacts = Math.Max(1, (int)(conversations * 0.9));
                var tenant = await CreateTenantAsync(server, http, database, t, t == 0 ? Agents : 2, t == 0 ? 5 : 1, t == 0 ? 3 : 1,
                    nextContact, contacts, nextConversation, conversations, nextMessage, options.MessagesPerConversation);
                var data = new InboxData(tenant, now);
                seeded.Add((tenant, data));
                tenants.Add(tenant);
                nextContact += contacts;
                nextConversation += conversations;
                nextMessage = data.LastMessageId + 1;
            }
            var setup = watch.Elapsed;
            var big = seeded[0];
            var totalConversations = seeded.Sum(s => (long)s.Tenant.Conversations);
            var totalMessages = seeded.Sum(s => s.Data.MessageCount);
            report.Line($"Seeding: {tenants.Count} tenants, their {Agents} + {2 * options.SmallTenants} agents, departments and WhatsApp channels through " +
                $"the API in {setup.TotalSeconds:F1} s; then {totalConversations:N0} conversations ({big.Tenant.Conversations:N0} in the big tenant), " +
                $"{totalMessages:N0} messages ({big.Data.MessageCount:N0}) and {seeded.Sum(s => (long)s.Tenant.Contacts):N0} contacts:");
            var timings = await InboxSeeder.SeedAsync(database.ConnectionString, seeded, options.SeedConnections, line => Console.WriteLine(line));
            var rows = totalConversations + totalMessages + seeded.Sum(s => (long)s.Tenant.Contacts);
            report.Line($"- COPY over {options.SeedConnections} streams{(timings.ForeignKeyChecksSkipped ? " (foreign-key triggers skipped)" : " (with foreign-key checks)")}: " +
                $"{timings.Load.TotalSeconds:F0} s ({rows / timings.Load.TotalSeconds:N0} rows/s); rebuilding {timings.IndexesRebuilt} secondary indexes " +
                $"{timings.Indexes.TotalSeconds:F0} s; VACUUM (ANALYZE) {timings.Vacuum.TotalSeconds:F0} s; " +
                $"total {(timings.Load + timings.Indexes + timings.Vacuum).TotalMinutes:F1} min.");
            report.Line($"- Database {await database.SizeAsync() / (1 << 20):N0} MiB: {await SizesAsync(database)}.");
            report.Line($"- Big tenant: {await DistributionAsync(database, big.Tenant.TenantId)}.");
            report.Line();

            var runner = new LoadRunner(http, [new BenchTenant(big.Tenant.TenantId, big.Tenant.ApiKey)]);
            var scenarios = await ScenariosAsync(http, big, options);
            var loadBefore = MachineContext.LoadAverage();
            var cpu = await CpuMeter.StartAsync(database);
            var results = new List<ScenarioResult>();
            var budget = TimeSpan.FromSeconds(options.MaxSeconds);
            foreach (var scenario in scenarios)
                results.Add(await runner.RunAsync(scenario, options.Warmup, options.Requests, clients: 1, budget));
            if (options.Concurrency > 0)
            {
                foreach (var scenario in scenarios)
                    results.Add(await runner.RunAsync(scenario, options.Warmup, options.Requests, options.Concurrency, budget));
            }
            LoadRunner.PrintTable(report, results, TargetP99Milliseconds, "Items/resp");
            report.Line();
            report.Line($"Load average (1/5/15 min) before the requests: {loadBefore}; after: {MachineContext.LoadAverage()}. " +
                cpu.Summary(results.Sum(r => (long)r.Requests)));
            report.Line($"After the run: {MachineContext.Memory()}.");

            await ExplainSummaryAsync(report, database, runner, capture, scenarios);
            var slowest = results.Where(r => r.Clients == 1 && r.Scenario.StartsWith("list", StringComparison.Ordinal)).MaxBy(r => r.P99)!;
            await ExplainAsync(report, database, runner, capture, scenarios.First(s => s.Name == slowest.Scenario), slowest);
            var slowestHistory = results.Where(r => r.Clients == 1 && r.Scenario.StartsWith("history", StringComparison.Ordinal)).MaxBy(r => r.P99);
            if (slowestHistory is not null && slowestHistory.P99 > TargetP99Milliseconds)
                await ExplainAsync(report, database, runner, capture, scenarios.First(s => s.Name == slowestHistory.Scenario), slowestHistory);
            report.Save();
            return 0;
        }
        catch (Exception e)
        {
            report.Save(e);
            throw;
        }
    }

    private static async Task<InboxTenant> CreateTenantAsync(BenchServer server, HttpClient http, BenchDatabase database, int index, int agents, int departments, int channels,
        long firstContact, int contacts, long firstConversation, int conversations, long firstMessage, int meanMessages)
    {
        var (tenantId, apiKey) = await server.CreateTenantAsync(index);
        var agentIds = new List<long>();
        for (var a = 0; a < agents; a++)
        {
            var first = ContactData.FirstNames[(a * 7 + index) % ContactData.FirstNames.Length];
            var last = ContactData.LastNames[(a * 11 + index) % ContactData.LastNames.Length];
            var created = await BenchServer.PostAsync(http, apiKey, "/api/v1/users",
                new { name = $"{first} {last}", email = $"agent{a}@bench-{index}.example.com", role = "agent" });
            agentIds.Add(created["user"]!["id"]!.GetValue<long>());
        }
        string[] departmentNames = ["Support", "Sales", "Billing", "Returns", "Technical"];
        var departmentIds = new List<long>();
        for (var d = 0; d < departments; d++)
        {
            var members = agentIds.Where((_, a) => a % departments == d).ToList();
            var created = await BenchServer.PostAsync(http, apiKey, "/api/v1/departments", new { name = departmentNames[d], memberIds = members });
            departmentIds.Add(created["id"]!.GetValue<long>());
        }
        var channelIds = new List<long>();
        for (var c = 0; c < channels; c++)
        {
            channelIds.Add(await BenchServer.CreateWhatsAppChannelAsync(http, apiKey, $"WhatsApp line {c + 1}",
                (106_540_352_242_922L + c).ToString(CultureInfo.InvariantCulture)));
        }
        // Conversation tags have no API yet: straight into the table.
        var tagIds = new List<long>();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            string[] tags = ["vip", "complaint", "refund", "delivery", "billing", "follow-up", "spam", "feedback"];
            string[] colors = ["#e11d48", "#f97316", "#eab308", "#22c55e", "#06b6d4", "#3b82f6", "#6b7280", "#a855f7"];
            for (var g = 0; g < tags.Length; g++)
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO conversation_tags (tenant_id, name, color, created_at) VALUES (@t, @n, @c, now()) RETURNING id", connection);
                insert.Parameters.AddWithValue("t", tenantId);
                insert.Parameters.AddWithValue("n", tags[g]);
                insert.Parameters.AddWithValue("c", colors[g]);
                tagIds.Add((long)(await insert.ExecuteScalarAsync())!);
            }
        }
        return new InboxTenant(index, tenantId, apiKey, agentIds, departmentIds, channelIds, tagIds, firstContact, contacts, firstConversation, conversations,
            firstMessage, meanMessages);
    }

    private static async Task<List<Scenario>> ScenariosAsync(HttpClient http, (InboxTenant Tenant, InboxData Data) big, InboxScaleOptions options)
    {
        var tenant = big.Tenant;
        var perScenario = options.Warmup + options.Requests;
        var random = new Random(5);
        // Random conversations of the big tenant for history; for the second page, ones long enough to have one (their
        // first page is fetched now, which also means the second page is read after the first, as a scrolling agent does).
        var anyConversation = Enumerable.Range(0, perScenario).Select(_ => tenant.FirstConversationId + random.Next(tenant.Conversations)).ToArray();
        var cursors = new List<(long Conversation, string Cursor)>();
        for (var salt = 0; cursors.Count < Math.Min(200, perScenario) && salt < 2_000; salt++)
        {
            if (big.Data.WithMoreThan(HistoryLimit, salt) is not { } c)
                break;
            var id = tenant.FirstConversationId + c;
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/conversations/{id}/messages?limit={HistoryLimit}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            if (page.RootElement.GetProperty("nextCursor").GetString() is { } cursor)
                cursors.Add((id, Uri.EscapeDataString(cursor)));
        }
        var agents = tenant.AgentIds;
        var scenarios = new List<Scenario>
        {
            new("list: agent's open (assignee=<agent>&status=open)", (i, _) => $"/api/v1/conversations?assignee={agents[i % agents.Count]}&status=open&limit=25"),
            new("list: all open (status=open)", (_, _) => "/api/v1/conversations?status=open&limit=25"),
            new("list: unread=true", (_, _) => "/api/v1/conversations?unread=true&limit=25"),
            new("list: everything (no filter)", (_, _) => "/api/v1/conversations?limit=25"),
            new($"history: last {HistoryLimit} of a random conversation", (i, _) => $"/api/v1/conversations/{anyConversation[i % anyConversation.Length]}/messages?limit={HistoryLimit}"),
        };
        if (cursors.Count > 0)
        {
            scenarios.Add(new($"history: second page (before=<cursor>), {cursors.Count} conversations",
                (i, _) => $"/api/v1/conversations/{cursors[i % cursors.Count].Conversation}/messages?limit={HistoryLimit}&before={cursors[i % cursors.Count].Cursor}"));
        }
        return scenarios;
    }

    /// <summary>Captures the SQL of one request of <paramref name="scenario"/> and runs EXPLAIN (ANALYZE, BUFFERS) on each
    /// statement with the same parameter values, in a session set up as the server's are (no parallel workers).</summary>
    private static async Task ExplainAsync(Report report, BenchDatabase database, LoadRunner runner, SqlCapture capture, Scenario scenario,
        ScenarioResult result)
    {
        IReadOnlyList<CapturedCommand> commands;
        using (var session = capture.Start())
        {
            await runner.SendAsync(scenario, 1);
            commands = session.Commands;
        }
        report.Line();
        report.Line($"## EXPLAIN (ANALYZE, BUFFERS): {scenario.Name} (p99 {result.P99:F1} ms, 1 client)");
        report.Line();
        report.Line($"The request sent {commands.Count} SQL commands (captured from the server's DbContext); each is explained with the " +
            "parameter values it was sent with, in a session with max_parallel_workers_per_gather = 0 as the server's connections have.");
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await Sql.ExecuteAsync(connection, "SET max_parallel_workers_per_gather = 0");
        var n = 0;
        foreach (var command in commands)
        {
            report.Line();
            report.Line($"### Statement {++n}");
            report.Line();
            report.Line("```sql");
            report.Line(command.Sql.Trim());
            report.Line("-- " + string.Join(", ", command.Parameters.Select(p => $"{p.ParameterName} = {Describe(p.Value)}")));
            report.Line("```");
            report.Line();
            report.Line("```");
            foreach (var line in await ExplainLinesAsync(connection, command))
                report.Line(line);
            report.Line("```");
        }
    }

    private static async Task<List<string>> ExplainLinesAsync(NpgsqlConnection connection, CapturedCommand command)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + command.Sql, connection);
        foreach (var parameter in command.Parameters)
            explain.Parameters.Add(parameter is NpgsqlParameter p ? p.Clone() : new NpgsqlParameter(parameter.ParameterName, parameter.Value));
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            lines.Add(reader.GetString(0));
        return lines;
    }

    /// <summary>For every scenario, one request's statements with their execution time and main access path under
    /// EXPLAIN ANALYZE: where each request's database time goes, at a glance.</summary>
    private static async Task ExplainSummaryAsync(Report report, BenchDatabase database, LoadRunner runner, SqlCapture capture,
        IReadOnlyList<Scenario> scenarios)
    {
        report.Line();
        report.Line("## Where the database time goes");
        report.Line();
        report.Line("One request per scenario, its statements captured and run again under EXPLAIN ANALYZE (execution time, without the round " +
            "trip; the access path is the plan's first scan node):");
        report.Line();
        report.Line("| Scenario | # | Statement | Access path | ms |");
        report.Line("|---|--:|---|---|--:|");
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await Sql.ExecuteAsync(connection, "SET max_parallel_workers_per_gather = 0");
        foreach (var scenario in scenarios)
        {
            IReadOnlyList<CapturedCommand> commands;
            using (var session = capture.Start())
            {
                await runner.SendAsync(scenario, 2);
                commands = session.Commands;
            }
            var n = 0;
            foreach (var command in commands)
            {
                var lines = await ExplainLinesAsync(connection, command);
                var scan = lines.Select(l => l.Trim().TrimStart('-', '>', ' ')).FirstOrDefault(l => l.Contains(" Scan ", StringComparison.Ordinal)
                    || l.StartsWith("Seq Scan", StringComparison.Ordinal)) ?? lines[0];
                var cut = scan.IndexOf("  (cost=", StringComparison.Ordinal);
                var time = lines.FirstOrDefault(l => l.StartsWith("Execution Time:", StringComparison.Ordinal))?["Execution Time:".Length..].Trim() ?? "";
                report.Line($"| {(n == 0 ? scenario.Name : "")} | {++n} | `{LatencyBenchmark.Shorten(command.Sql, 70)}` | " +
                    $"{(cut > 0 ? scan[..cut] : scan)} | {time.Replace(" ms", "", StringComparison.Ordinal)} |");
            }
        }
    }

    private static string Describe(object? value) => value switch
    {
        null or DBNull => "NULL",
        string s => $"'{s}'",
        System.Collections.IEnumerable e => "{" + string.Join(",", e.Cast<object>()) + "}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static async Task<string> SizesAsync(BenchDatabase database)
    {
        var parts = new List<string>();
        foreach (var table in new[] { "messages", "conversations", "contacts" })
        {
            var heap = await database.CountAsync($"SELECT pg_table_size('{table}')");
            var indexes = await database.CountAsync($"SELECT pg_indexes_size('{table}')");
            parts.Add($"{table} {heap >> 20:N0} MiB + indexes {indexes >> 20:N0} MiB");
        }
        return string.Join(", ", parts);
    }

    /// <summary>What the scenarios select from: conversations per status, the busiest and median agents, unread ones.</summary>
    private static async Task<string> DistributionAsync(BenchDatabase database, long tenantId)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var statuses = new List<string>();
        await using (var command = new NpgsqlCommand(
            "SELECT status, count(*) FROM conversations WHERE tenant_id = @t GROUP BY status ORDER BY count(*) DESC", connection))
        {
            command.Parameters.AddWithValue("t", tenantId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                statuses.Add($"{reader.GetString(0).ToLowerInvariant()} {reader.GetInt64(1):N0}");
        }
        var agents = new List<long>();
        await using (var command = new NpgsqlCommand(
            "SELECT count(*) FROM conversations WHERE tenant_id = @t AND assigned_to_id IS NOT NULL GROUP BY assigned_to_id ORDER BY 1 DESC", connection))
        {
            command.Parameters.AddWithValue("t", tenantId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                agents.Add(reader.GetInt64(0));
        }
        await using var unread = new NpgsqlCommand("SELECT count(*) FROM conversations WHERE tenant_id = @t AND unread_count > 0", connection);
        unread.Parameters.AddWithValue("t", tenantId);
        var unreadCount = (long)(await unread.ExecuteScalarAsync())!;
        return $"{string.Join(", ", statuses)}; conversations per agent: busiest {agents.FirstOrDefault():N0}, median " +
            $"{(agents.Count > 0 ? agents[agents.Count / 2] : 0):N0}, quietest {agents.LastOrDefault():N0}; {unreadCount:N0} with unread messages";
    }
}
