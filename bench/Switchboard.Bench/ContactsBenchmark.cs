using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Switchboard.Bench;

/// <summary>List and search contacts at N contacts per tenant over several tenants, on SQLite and PostgreSQL.</summary>
public static class ContactsBenchmark
{
    private const double TargetP99Milliseconds = 15;

    public static async Task<int> RunAsync(ContactsOptions options)
    {
        var postgres = BenchDatabase.RequirePostgresIf(options.Providers.Contains(BenchProvider.Postgres));
        var report = new Report("contacts", options.Label);
        MachineContext.Describe(report, $"Contacts list and search: {options.Tenants} tenants × {options.ContactsPerTenant:N0} contacts",
            $"per scenario {options.Warmup} warm-up requests, then {options.Requests:N0} measured (at most {options.MaxSeconds} s), round-robin " +
            $"over the tenants; latency from send to last body byte. Target: p99 ≤ {TargetP99Milliseconds} ms.");
        try
        {
            foreach (var provider in options.Providers)
                await RunProviderAsync(report, provider, options, postgres);
            report.Save();
            return 0;
        }
        catch (Exception e)
        {
            report.Save(e);
            throw;
        }
    }

    private static async Task RunProviderAsync(Report report, BenchProvider provider, ContactsOptions options, string? postgresAdmin)
    {
        await using var database = await BenchDatabase.CreateAsync(provider, postgresAdmin, options.Keep);
        await using var server = await BenchServer.StartAsync(database);
        report.Line();
        report.Line($"## {await database.DescribeAsync()}");
        report.Line();

        var watch = Stopwatch.StartNew();
        var created = new List<(long TenantId, string ApiKey)>();
        for (var i = 0; i < options.Tenants; i++)
            created.Add(await server.CreateTenantAsync(i));
        var tenantTime = watch.Elapsed;
        var tenantIds = created.Select(t => t.TenantId).ToList();
        var seeded = provider == BenchProvider.Postgres
            ? await ContactSeeder.SeedPostgresAsync(database.ConnectionString, tenantIds, options.ContactsPerTenant)
            : await ContactSeeder.SeedSqliteAsync(database.ConnectionString, tenantIds, options.ContactsPerTenant);
        var total = (long)options.Tenants * options.ContactsPerTenant;
        report.Line($"Seeding: {options.Tenants} tenants through TenantProvisioning in {tenantTime.TotalSeconds:F1} s; " +
            $"{total:N0} contacts (+ ~10% tagged) bulk-loaded in {seeded.Contacts.TotalSeconds:F1} s " +
            $"({total / seeded.Contacts.TotalSeconds:N0} rows/s); ANALYZE {seeded.Analyze.TotalSeconds:F1} s; " +
            $"database {await database.SizeAsync() / (1 << 20):N0} MiB.");
        report.Line();

        using var http = server.CreateClient();
        var tenants = new List<BenchTenant>();
        foreach (var (tenantId, apiKey) in created)
            tenants.Add(new BenchTenant(tenantId, apiKey, await SecondPageCursorAsync(http, apiKey)));

        var loadBefore = MachineContext.LoadAverage();
        var cpu = await CpuMeter.StartAsync(database);
        var results = await RunScenariosAsync(new LoadRunner(http, tenants), options);
        LoadRunner.PrintTable(report, results, TargetP99Milliseconds);
        report.Line();
        // Other processes on a 2-core machine move the tail; this says whether the machine was quiet.
        report.Line($"Load average (1/5/15 min) before the requests: {loadBefore}; after: {MachineContext.LoadAverage()}. {cpu.Summary()}");
        report.Line($"After the run (server + client + seeding residue): {MachineContext.Memory()}.");
    }

    private static async Task<List<ScenarioResult>> RunScenariosAsync(LoadRunner runner, ContactsOptions options)
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
}
