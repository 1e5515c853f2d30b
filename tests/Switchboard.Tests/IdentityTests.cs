using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class IdentityTests(Servers servers)
{
    private static HttpClient Browser(SwitchboardFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, TenantHandle tenant, string password = TenantHandle.OwnerPassword) =>
        await browser.PostAsJsonAsync("/api/v1/auth/sign-in", new { email = tenant.OwnerEmail, password });

    private static async Task<string> CsrfAsync(HttpClient browser) =>
        (await browser.GetJsonAsync("/api/v1/auth/csrf"))["token"]!.GetValue<string>();

    private static Task<List<string>> AuditActionsAsync(TenantHandle tenant) => tenant.Factory.InTenantAsync(tenant.Id, services =>
        services.GetRequiredService<SwitchboardDbContext>().AuditLogs.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());

    [Theory, Providers]
    public async Task SignIn_WithTheRightPassword_StartsASession_AndIsAudited(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var browser = Browser(factory);

        var session = await (await SignInAsync(browser, tenant)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("owner", session["role"]!.GetValue<string>());
        Assert.Contains("contacts.banking", session["permissions"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(tenant.Slug, (await browser.GetJsonAsync("/api/v1/auth/session"))["tenant"]!["slug"]!.GetValue<string>());
        Assert.Contains("identity.sign_in", await AuditActionsAsync(tenant));

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("/api/v1/auth/sign-out", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/auth/session")).StatusCode);
        Assert.Equal("identity.sign_out", (await AuditActionsAsync(tenant))[^1]);
    }

    [Theory, Providers]
    public async Task SignIn_WithAWrongPassword_Is401_AndAuditedAsAFailureInTheNamedTenant(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var answer = await (await Browser(factory).PostAsJsonAsync("/api/v1/auth/sign-in", new { email = tenant.OwnerEmail, password = "wrong password", tenantSlug = tenant.Slug }))
            .JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Wrong email or password.", answer["detail"]!.GetValue<string>());
        Assert.Contains("identity.sign_in_failed", await AuditActionsAsync(tenant));
    }

    [Theory, Providers]
    public async Task CookieRequests_ThatChangeState_NeedTheCsrfToken(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var browser = Browser(factory);
        await SignInAsync(browser, tenant);

        var refused = await browser.PostAsJsonAsync("/api/v1/contacts", new { name = "No token", phone = "+15557770001" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("CSRF", await refused.Content.ReadAsStringAsync());
        Assert.Empty((await tenant.Owner.GetJsonAsync("/api/v1/contacts")).Items());

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/contacts") { Content = JsonContent.Create(new { name = "With token", phone = "+15557770001" }) };
        request.Headers.Add("X-CSRF-TOKEN", await CsrfAsync(browser));
        await (await browser.SendAsync(request)).JsonAsync(HttpStatusCode.Created);
    }

    [Theory, Providers]
    public async Task ASession_IdleLongerThanTheUsersTimeout_Ends(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var browser = Browser(factory);
        await SignInAsync(browser, tenant);
        var request = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/me") { Content = JsonContent.Create(new { inactivityTimeoutMinutes = 10 }) };
        request.Headers.Add("X-CSRF-TOKEN", await CsrfAsync(browser));
        await (await browser.SendAsync(request)).JsonAsync(HttpStatusCode.OK);

        factory.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/auth/session")).StatusCode); // activity renews the session
        factory.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/auth/session")).StatusCode);
        factory.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/auth/session")).StatusCode);
    }

    [Theory, Providers]
    public async Task ASuspendedTenant_CannotSignIn_NorCallTheApi(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var browser = Browser(factory);
        await SignInAsync(browser, tenant);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
            await db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TenantStatus.Suspended));
        }

        var byKey = await (await tenant.Owner.GetAsync("/api/v1/contacts")).JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("suspended", byKey["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/contacts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SignInAsync(Browser(factory), tenant)).StatusCode);
    }

    [Theory, Providers]
    public async Task ARevokedApiKey_IsRefused_AndItsLastUseIsRecorded(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var created = await tenant.Owner.PostJsonAsync("/api/v1/api-keys", new { name = "integration", role = "agent" }, HttpStatusCode.Created);
        var key = created["key"]!.GetValue<string>();
        Assert.StartsWith("sb_", key);
        var client = factory.Client(key);
        await client.GetJsonAsync("/api/v1/contacts");
        var listed = (await tenant.Owner.GetJsonAsync("/api/v1/api-keys")).Items().Single(k => k!["id"]!.GetValue<long>() == created.Id())!;
        Assert.NotNull(listed["lastUsedAt"]);
        Assert.DoesNotContain(key, await tenant.Owner.GetStringAsync("/api/v1/api-keys"));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/api-keys/{created.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/contacts")).StatusCode);
    }

    [Theory, Providers]
    public async Task AUserInTwoTenants_SwitchesBetweenThem(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var first = await factory.CreateTenantAsync();
        var second = await factory.CreateTenantAsync();
        await second.Owner.PostJsonAsync("/api/v1/users", new { name = "Owner", email = first.OwnerEmail, role = "viewer" }, HttpStatusCode.Created);
        var browser = Browser(factory);
        var session = await (await SignInAsync(browser, first)).JsonAsync(HttpStatusCode.OK);
        Assert.Single(session["tenants"]!.AsArray()); // invited, not a member until they accept
        var csrf = await CsrfAsync(browser);
        var invitation = (await browser.GetJsonAsync("/api/v1/me/invitations")).Items().Single()!;
        var accept = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/me/invitations/{invitation["id"]!.GetValue<long>()}/accept");
        accept.Headers.Add("X-CSRF-TOKEN", csrf);
        await (await browser.SendAsync(accept)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, (await browser.GetJsonAsync("/api/v1/auth/session"))["tenants"]!.AsArray().Count);

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/switch-tenant") { Content = JsonContent.Create(new { tenantId = second.Id }) };
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        var switched = await (await browser.SendAsync(request)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("viewer", switched["role"]!.GetValue<string>());
        Assert.Equal(second.Slug, (await browser.GetJsonAsync("/api/v1/auth/session"))["tenant"]!["slug"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/api/v1/audit-logs")).StatusCode);
    }

    [Fact]
    public async Task SignInAttempts_BeyondTheRateLimit_Get429()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Identity:SignInAttemptsPerMinutePerIp"] = "3" });
        var browser = Browser(factory);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await browser.PostAsJsonAsync("/api/v1/auth/sign-in", new { email = "nobody@example.com", password = "whatever1" })).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Theory, Providers]
    public async Task Setup_OnAnEmptyInstallation_CreatesTheFirstTenantAndOwner_Once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var factory = new SwitchboardFactory(database);
        var browser = Browser(factory);
        Assert.True((await browser.GetJsonAsync("/api/v1/setup"))["required"]!.GetValue<bool>());

        var invalid = await browser.PostJsonAsync("/api/v1/setup", new { tenantName = "", tenantSlug = "Bad Slug", ownerName = "A", ownerEmail = "x", ownerPassword = "short" }, HttpStatusCode.BadRequest);
        Assert.Equal(["ownerEmail", "ownerPassword", "tenantName", "tenantSlug"], invalid["errors"]!.AsObject().Select(e => e.Key).Order());

        var body = new { tenantName = "Acme", tenantSlug = "acme", ownerName = "Ann", ownerEmail = "ann@acme.test", ownerPassword = "long enough password" };
        var session = await browser.PostJsonAsync("/api/v1/setup", body, HttpStatusCode.Created);
        Assert.True(session["user"]!["isSuperAdmin"]!.GetValue<bool>());
        Assert.Equal("acme", (await browser.GetJsonAsync("/api/v1/auth/session"))["tenant"]!["slug"]!.GetValue<string>());
        Assert.False((await browser.GetJsonAsync("/api/v1/setup"))["required"]!.GetValue<bool>());
        await Browser(factory).PostJsonAsync("/api/v1/setup", body with { tenantSlug = "other" }, HttpStatusCode.Conflict);
    }
}
