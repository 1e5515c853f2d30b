using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Switchboard.Bench;

/// <summary>List and search contacts at N contacts per tenant over several tenants, on SQLite and PostgreSQL.</summary>
public static class ContactsBenchmark
{
    private const double TargetP99Milliseconds = 15;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var postgres = Environment.GetEnvironmentVariable("SWITCHBOARD_BENCH_POSTGRES") is { Length: > 0 } bench
            ? bench
            : Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_POSTGRES");
        if (options.Providers.Contains(BenchProvider.Postgres) && string.IsNullOrWhiteSpace(postgres))
            throw new UsageException("PostgreSQL needs SWITCHBOARD_BENCH_POSTGRES or SWITCHBOARD_TEST_POSTGRES (see bench/README.md).");

        Console.WriteLine($"# Contacts list and search: {options.Tenants} tenants × {options.ContactsPerTenant:N0} contacts");
        Console.WriteLine();
        Console.WriteLine($"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"- Machine: {Environment.ProcessorCount} logical CPUs, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, " +
            $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        Console.WriteLine($"- Runtime: {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC" +
            $"{(Debugger.IsAttached ? ", DEBUGGER ATTACHED" : "")}");
        Console.WriteLine($"- Method: server and client in one process over loopback HTTP; per scenario {options.Warmup} warm-up requests, " +
            $"then {options.Requests:N0} measured (at most {options.MaxSeconds} s), round-robin over the tenants; latency from send to last body byte. " +
            $"Target: p99 ≤ {TargetP99Milliseconds} ms.");

        foreach (var provider in options.Providers)
            await RunProviderAsync(provider, options, postgres);
        return 0;
    }

    private static async Task RunProviderAsync(BenchProvider provider, BenchOptions options, string? postgresAdmin)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("switchboard-bench-").FullName;
        string? postgresDatabase = null;
        string connectionString;
        if (provider == BenchProvider.Postgres)
        {
            postgresDatabase = $"switchboard_bench_{Guid.NewGuid():N}"[..32];
            await PostgresAdminAsync(postgresAdmin!, $"CREATE DATABASE {postgresDatabase}");
            connectionString = new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = postgresDatabase }.ToString();
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(dataDirectory, "switchboard.db")};Pooling=True";
        }

        try
        {
            await using var server = await BenchServer.StartAsync(provider, connectionString, dataDirectory);
            Console.WriteLine();
            Console.WriteLine($"## {provider} {await ServerVersionAsync(provider, connectionString)}");
            Console.WriteLine();

            var watch = Stopwatch.StartNew();
            var created = new List<(long TenantId, string ApiKey)>();
            for (var i = 0; i < options.Tenants; i++)
                created.Add(await server.CreateTenantAsync(i));
            var tenantTime = watch.Elapsed;
            var tenantIds = created.Select(t => t.TenantId).ToList();
            var seeded = provider == BenchProvider.Postgres
                ? await ContactSeeder.SeedPostgresAsync(connectionString, tenantIds, options.ContactsPerTenant)
                : await ContactSeeder.SeedSqliteAsync(connectionString, tenantIds, options.ContactsPerTenant);
            var total = (long)options.Tenants * options.ContactsPerTenant;
            Console.WriteLine($"Seeding: {options.Tenants} tenants through TenantProvisioning in {tenantTime.TotalSeconds:F1} s; " +
                $"{total:N0} contacts (+ ~10% tagged) bulk-loaded in {seeded.Contacts.TotalSeconds:F1} s " +
                $"({total / seeded.Contacts.TotalSeconds:N0} rows/s); ANALYZE {seeded.Analyze.TotalSeconds:F1} s; " +
                $"database {await DatabaseSizeAsync(provider, connectionString, dataDirectory) / (1 << 20):N0} MiB.");
            Console.WriteLine();

            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = server.Address };
            var tenants = new List<BenchTenant>();
            foreach (var (tenantId, apiKey) in created)
                tenants.Add(new BenchTenant(tenantId, apiKey, await SecondPageCursorAsync(http, apiKey)));

            var loadBefore = LoadAverage();
            var results = await RunScenariosAsync(new LoadRunner(http, tenants), options);
            PrintTable(results);
            Console.WriteLine();
            // Other processes on a 2-core machine move the tail; this says whether the machine was quiet.
            Console.WriteLine($"Load average (1/5/15 min) before the requests: {loadBefore}; after: {LoadAverage()}.");
            PrintMemory();
        }
        finally
        {
            if (options.Keep)
            {
                Console.WriteLine();
                Console.WriteLine($"Kept: {(postgresDatabase is null ? connectionString : $"database {postgresDatabase}")}");
            }
            else
            {
                SqliteConnection.ClearAllPools();
                NpgsqlConnection.ClearAllPools();
                if (postgresDatabase is not null)
                    await PostgresAdminAsync(postgresAdmin!, $"DROP DATABASE IF EXISTS {postgresDatabase} WITH (FORCE)");
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task<List<ScenarioResult>> RunScenariosAsync(LoadRunner runner, BenchOptions options)
    {
        var terms = ContactData.SearchTerms(options.Warmup + options.Requests);
        var budget = TimeSpan.FromSeconds(options.MaxSeconds);
        Scenario[] scenarios =
        [
            new("first page (sort by name)", (_, _) => "/api/v1/contacts?limit=50"),
            new("search q=<4-6 letters of a name>", (i, _) => $"/api/v1/contacts?q={Uri.EscapeDataString(terms[i % terms.Length])}&limit=50"),
            new("tag=vip", (_, _) => "/api/v1/contacts?tag=vip&limit=50"),
            new("second page (nextCursor)", (_, t) => $"/api/v1/contacts?limit=50&cursor={t.SecondPageCursor}"),
        ];
        var results = new List<ScenarioResult>();
        foreach (var scenario in scenarios)
            results.Add(await runner.RunAsync(scenario, options.Warmup, options.Requests, clients: 1, budget));
        if (options.Concurrency > 0)
        {
            foreach (var scenario in scenarios)
                results.Add(await runner.RunAsync(scenario, options.Warmup, options.Requests, options.Concurrency, budget));
        }
        return results;
    }

    private static async Task<string> SecondPageCursorAsync(HttpClient http, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/contacts?limit=50");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return page.RootElement.GetProperty("nextCursor").GetString()
            ?? throw new InvalidOperationException("The first page has no nextCursor: too few contacts to page.");
    }

    private static void PrintTable(IEnumerable<ScenarioResult> results)
    {
        Console.WriteLine($"| Scenario | Clients | Requests | Rows/resp | p50 ms | p90 ms | p99 ms | max ms | req/s | p99 ≤ {TargetP99Milliseconds} ms |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Clients} | {r.Requests:N0}{(r.TimeCapped ? " (time cap)" : "")} | {r.RowsPerResponse:F1} | {r.P50:F2} | {r.P90:F2} | {r.P99:F2} | {r.Max:F2} | " +
                $"{r.PerSecond:F0} | {(r.P99 <= TargetP99Milliseconds ? "yes" : "**no**")} |"));
        }
    }

    private static void PrintMemory()
    {
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        Console.WriteLine($"Process after the run (server + client + seeding residue): working set {process.WorkingSet64 >> 20:N0} MiB " +
            $"(peak {process.PeakWorkingSet64 >> 20:N0} MiB), GC heap {gc.HeapSizeBytes >> 20:N0} MiB, " +
            $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections.");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task PostgresAdminAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ServerVersionAsync(BenchProvider provider, string connectionString)
    {
        if (provider == BenchProvider.Sqlite)
            return $"{await ScalarAsync(new SqliteConnection(connectionString), "SELECT sqlite_version()")}";
        // Name order (the default sort) depends on the database's collation, so it belongs in the report.
        return $"{await ScalarAsync(new NpgsqlConnection(connectionString), "SHOW server_version")} (collation " +
            $"{await ScalarAsync(new NpgsqlConnection(connectionString), "SELECT datcollate FROM pg_database WHERE datname = current_database()")})";
    }

    private static async Task<long> DatabaseSizeAsync(BenchProvider provider, string connectionString, string dataDirectory) =>
        provider == BenchProvider.Postgres
            ? Convert.ToInt64(await ScalarAsync(new NpgsqlConnection(connectionString), "SELECT pg_database_size(current_database())"), CultureInfo.InvariantCulture)
            : new DirectoryInfo(dataDirectory).EnumerateFiles().Sum(f => f.Length);

    private static async Task<object?> ScalarAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync();
        }
    }
}
