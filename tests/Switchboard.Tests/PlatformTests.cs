using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class PlatformTests(Servers servers)
{
    [Theory, Providers]
    public async Task HealthEndpoints_ReportLivenessAndDatabaseReadiness(DatabaseProvider provider)
    {
        var client = (await servers.ForAsync(provider)).CreateClient();
        await client.GetJsonAsync("/health/live");
        var ready = await client.GetJsonAsync("/health/ready");
        Assert.Equal("Healthy", ready["checks"]!["database"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesEveryApiRoute()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        var document = await factory.CreateClient().GetJsonAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject();
        // The API, and the public surfaces others integrate with: the chat widget's API and the provider webhooks.
        var routes = Routes.Api(factory.Services).Concat(Routes.Under(factory.Services, "widget-api")).Concat(Routes.Under(factory.Services, "webhooks")).ToList();
        Assert.Contains(routes, r => r.Pattern.EndsWith("/end", StringComparison.Ordinal));
        foreach (var route in routes)
        {
            var path = "/" + System.Text.RegularExpressions.Regex.Replace(route.Pattern, "{([^}:]+)(:[^}]*)?}", "{$1}");
            Assert.True(paths.ContainsKey(path) && paths[path]![route.Method.ToLowerInvariant()] is not null, $"{route.Method} {path} is missing from the OpenAPI document.");
        }
        var createContact = paths["/api/v1/contacts"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!.ToJsonString();
        Assert.Contains("customAttributes", createContact);
        Assert.Contains("departmentIds", createContact);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/api-docs/index.html")).StatusCode);
    }

    [Fact]
    public async Task TheAdminCommandLine_CreatesATenantWithAnAdminKey_AndRefusesBadArguments()
    {
        var data = Path.Combine(Path.GetTempPath(), "switchboard-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, _) = await ServerProcess.RunCommandAsync(data, "tenant", "create", "--name", "Acme", "--slug", "acme", "--owner-email", "o@acme.test", "--owner-password", "password123");
            Assert.Equal(0, code);
            var result = JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!;
            Assert.StartsWith("sb_", result["apiKey"]!.GetValue<string>());
            Assert.True(result["tenantId"]!.GetValue<long>() > 0);

            (code, stdout, _) = await ServerProcess.RunCommandAsync(data, "apikey", "create", "--tenant", "acme", "--name", "ci", "--role", "agent");
            Assert.Equal(0, code);
            Assert.Equal("agent", JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!["role"]!.GetValue<string>());

            var (badCode, _, stderr) = await ServerProcess.RunCommandAsync(data, "tenant", "create", "--name", "Acme", "--slug", "acme", "--owner-email", "x@acme.test", "--owner-password", "password123");
            Assert.NotEqual(0, badCode);
            Assert.Contains("taken", stderr);
            (badCode, _, stderr) = await ServerProcess.RunCommandAsync(data, "user", "create", "--tenant", "acme", "--email", "a@acme.test", "--name", "A", "--role", "emperor");
            Assert.NotEqual(0, badCode);
            Assert.Contains("--role must be one of", stderr);
            (badCode, _, stderr) = await ServerProcess.RunCommandAsync(data, "tenant", "create", "--nme", "typo");
            Assert.NotEqual(0, badCode);
            Assert.Contains("Unknown option", stderr);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}

[Collection(ServerCollection.Name)]
public sealed class OperatorTests(Servers servers)
{
    [Theory, Providers]
    public async Task TheOperator_ListsCreatesAndSuspendsTenants_AndNobodyElseMay(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var home = await factory.CreateTenantAsync();
        var customer = await factory.CreateTenantAsync();
        await factory.InTenantAsync(home.Id, async services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            await db.Users.Where(u => u.Id == home.OwnerId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsSuperAdmin, true));
            return 0;
        });
        var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });
        await (await browser.PostAsJsonAsync("/api/v1/auth/sign-in", new { email = home.OwnerEmail, password = TenantHandle.OwnerPassword })).JsonAsync(HttpStatusCode.OK);
        var token = (await browser.GetJsonAsync("/api/v1/auth/csrf"))["token"]!.GetValue<string>();
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", token);

        var listed = (await browser.GetJsonAsync("/api/v1/platform/tenants")).Items().Select(t => t!["slug"]!.GetValue<string>()).ToList();
        Assert.Contains(customer.Slug, listed);
        var created = await browser.PostJsonAsync("/api/v1/platform/tenants",
            new { name = "New Co", slug = "new-" + home.Slug, ownerName = "N", ownerEmail = $"n@{home.Slug}.test", ownerPassword = "password123" }, HttpStatusCode.Created);
        Assert.Equal(1, created["memberCount"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync($"/api/v1/platform/tenants/{customer.Id}/suspend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await customer.Owner.GetAsync("/api/v1/contacts")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync($"/api/v1/platform/tenants/{customer.Id}/activate", null)).StatusCode);
        await customer.Owner.GetJsonAsync("/api/v1/contacts");

        // An owner's API key, even the operator's own, is not the operator.
        Assert.Equal(HttpStatusCode.Forbidden, (await home.Owner.GetAsync("/api/v1/platform/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.Owner.PostAsync($"/api/v1/platform/tenants/{home.Id}/suspend", null)).StatusCode);
        var audit = (await home.Owner.GetJsonAsync("/api/v1/audit-logs?module=tenancy")).Items().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("tenancy.platform_suspend_tenant", audit);
        Assert.Contains("tenancy.platform_create_tenant", audit);
    }
}
