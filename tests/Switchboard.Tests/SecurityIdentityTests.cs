using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>What one tenant's admin may do to a person who also belongs elsewhere, and what an outsider learns or breaks
/// at sign-in (issue 13, item 2 and the sign-in parts of item 8).</summary>
[Collection(ServerCollection.Name)]
public sealed class SecurityIdentityTests(Servers servers)
{
    private const string Password = TenantHandle.OwnerPassword;

    /// <summary>A browser signed in to the console (cookies, CSRF header set), optionally naming the tenant.</summary>
    private static async Task<HttpClient> SignedInAsync(SwitchboardFactory factory, string email, string? tenantSlug = null)
    {
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        await (await browser.PostAsJsonAsync("/api/v1/auth/sign-in", new { email, password = Password, tenantSlug })).JsonAsync(HttpStatusCode.OK);
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", (await browser.GetJsonAsync("/api/v1/auth/csrf"))["token"]!.GetValue<string>());
        return browser;
    }

    private static Task<List<string>> AuditActionsAsync(TenantHandle tenant) => tenant.Factory.InTenantAsync(tenant.Id, services =>
        services.GetRequiredService<SwitchboardDbContext>().AuditLogs.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());

    [Theory, Providers]
    public async Task AddingSomeoneWhoHasAnAccount_InvitesThem_AndTheTenantNeverWritesTheirProfile(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var home = await factory.CreateTenantAsync();
        var attacker = await factory.CreateTenantAsync();
        var victim = await SignedInAsync(factory, home.OwnerEmail);
        await victim.PatchJsonAsync("/api/v1/me", new { name = "Vera Victim", phones = new[] { "+15550001111" }, inactivityTimeoutMinutes = 30 }, HttpStatusCode.OK);

        // Another tenant's admin types the victim's email: an invitation, showing only what the admin typed.
        var created = await attacker.Owner.PostJsonAsync("/api/v1/users", new { name = "Typed Name", email = home.OwnerEmail, role = "admin" }, HttpStatusCode.Created);
        var invited = created["user"]!.AsObject();
        Assert.Equal("invited", invited["status"]!.GetValue<string>());
        Assert.Equal("Typed Name", invited["name"]!.GetValue<string>());
        Assert.Null(created["temporaryPassword"]);
        foreach (var shown in new[] { created.ToJsonString(), await attacker.Owner.GetStringAsync($"/api/v1/users/{home.OwnerId}"), await attacker.Owner.GetStringAsync("/api/v1/users") })
        {
            Assert.DoesNotContain("+15550001111", shown);
            Assert.DoesNotContain("Vera", shown);
            Assert.DoesNotContain("inactivityTimeoutMinutes", shown);
        }
        Assert.Null((await attacker.Owner.GetJsonAsync($"/api/v1/users/{home.OwnerId}"))["lastSignInAt"]);

        // It grants nothing yet: no workspace to sign in to, and the tenant cannot edit the person.
        var refused = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/sign-in", new { email = home.OwnerEmail, password = Password, tenantSlug = attacker.Slug });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await attacker.Owner.PatchJsonAsync($"/api/v1/users/{home.OwnerId}", new { role = "viewer" }, HttpStatusCode.Conflict);

        // The person sees the invitation and accepts it; the tenant's audit log records that.
        var invitation = (await victim.GetJsonAsync("/api/v1/me/invitations")).Items().Single()!;
        Assert.Equal(attacker.Slug, invitation["tenant"]!["slug"]!.GetValue<string>());
        Assert.Equal("admin", invitation["tenant"]!["role"]!.GetValue<string>());
        await victim.PostJsonAsync($"/api/v1/me/invitations/{invitation["id"]!.GetValue<long>()}/accept", new { }, HttpStatusCode.OK);
        Assert.Equal(2, (await victim.GetJsonAsync("/api/v1/auth/session"))["tenants"]!.AsArray().Count);
        Assert.Contains("tenancy.accept_invitation", await AuditActionsAsync(attacker));
        Assert.DoesNotContain("tenancy.accept_invitation", await AuditActionsAsync(home));

        // A member now, yet the tenant still changes only the membership: profile fields are refused and left as they were.
        var hijack = await attacker.Owner.PatchJsonAsync($"/api/v1/users/{home.OwnerId}",
            new { name = "Hijacked", username = "hijacked", phones = new[] { "+15559999999" }, inactivityTimeoutMinutes = 10080 }, HttpStatusCode.BadRequest);
        Assert.Equal(["inactivityTimeoutMinutes", "name", "phones", "username"], hijack["errors"]!.AsObject().Select(e => e.Key).Order());
        var profile = await victim.GetJsonAsync("/api/v1/me");
        Assert.Equal("Vera Victim", profile["name"]!.GetValue<string>());
        Assert.Equal(30, profile["inactivityTimeoutMinutes"]!.GetValue<int>());
        Assert.Equal(["+15550001111"], profile["phones"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Null(profile["username"]);
        var member = await attacker.Owner.PatchJsonAsync($"/api/v1/users/{home.OwnerId}", new { role = "agent", isProvider = true }, HttpStatusCode.OK);
        Assert.Equal("agent", member["role"]!.GetValue<string>());
        Assert.Equal("Vera Victim", member["name"]!.GetValue<string>());
        // Their sign-ins elsewhere are not this tenant's business.
        Assert.Null(member["lastSignInAt"]);
        Assert.DoesNotContain("+15550001111", member.ToJsonString());
    }

    [Theory, Providers]
    public async Task AnInvitation_IsAnsweredOnlyByThePersonInvited_AndAnApiKeyHasNoAccountToAnswerWith(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var invitee = await factory.CreateTenantAsync();
        var stranger = await factory.CreateTenantAsync();
        var inviting = await factory.CreateTenantAsync();
        await inviting.Owner.PostJsonAsync("/api/v1/users", new { name = "Invitee", email = invitee.OwnerEmail, role = "agent" }, HttpStatusCode.Created);
        var person = await SignedInAsync(factory, invitee.OwnerEmail);
        var invitationId = (await person.GetJsonAsync("/api/v1/me/invitations")).Items().Single()!["id"]!.GetValue<long>();

        var other = await SignedInAsync(factory, stranger.OwnerEmail);
        Assert.Empty((await other.GetJsonAsync("/api/v1/me/invitations")).Items());
        await other.PostJsonAsync($"/api/v1/me/invitations/{invitationId}/accept", new { }, HttpStatusCode.NotFound);
        await other.PostJsonAsync($"/api/v1/me/invitations/{invitationId}/decline", new { }, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await inviting.Owner.GetAsync("/api/v1/me/invitations")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await inviting.Owner.PostAsync($"/api/v1/me/invitations/{invitationId}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await inviting.Owner.PatchAsJsonAsync("/api/v1/me", new { name = "Key" })).StatusCode);
        Assert.Single((await inviting.Owner.GetJsonAsync("/api/v1/users?status=invited")).Items());

        Assert.Equal(HttpStatusCode.NoContent, (await person.PostAsync($"/api/v1/me/invitations/{invitationId}/decline", null)).StatusCode);
        Assert.Empty((await person.GetJsonAsync("/api/v1/me/invitations")).Items());
        Assert.Empty((await inviting.Owner.GetJsonAsync("/api/v1/users?status=invited")).Items());
        Assert.Single((await person.GetJsonAsync("/api/v1/auth/session"))["tenants"]!.AsArray());
        Assert.Contains("tenancy.decline_invitation", await AuditActionsAsync(inviting));
    }

    [Theory, Providers]
    public async Task AFailedSignIn_IsAuditedOnlyInTheTenantThePersonWasSigningInTo(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var first = await factory.CreateTenantAsync();
        var second = await factory.CreateTenantAsync();
        await factory.InTenantAsync(second.Id, services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            db.Memberships.Add(new Membership { UserId = first.OwnerId, Role = Role.Agent });
            return db.SaveChangesAsync();
        });

        // Naming no workspace, the person signs in to their oldest one: only it learns of the failure.
        var anonymous = factory.CreateClient();
        await (await anonymous.PostAsJsonAsync("/api/v1/auth/sign-in", new { email = first.OwnerEmail, password = "wrong password" })).JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Single(await AuditActionsAsync(first), "identity.sign_in_failed");
        Assert.DoesNotContain("identity.sign_in_failed", await AuditActionsAsync(second));

        await (await anonymous.PostAsJsonAsync("/api/v1/auth/sign-in", new { email = first.OwnerEmail, password = "wrong password", tenantSlug = second.Slug }))
            .JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Single(await AuditActionsAsync(first), "identity.sign_in_failed");
        Assert.Single(await AuditActionsAsync(second), "identity.sign_in_failed");
    }

    /// <summary>The test server has no client address of its own: here each request comes from the one it names.</summary>
    private static WebApplicationFactory<Program> WithClientAddresses(SwitchboardFactory factory) =>
        factory.WithWebHostBuilder(b => b.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>()));

    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, proceed) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Client"].ToString());
                return proceed(context);
            });
            next(app);
        };
    }

    private static async Task<(HttpStatusCode Status, string Detail, string? RetryAfter)> SignInFromAsync(
        WebApplicationFactory<Program> server, string address, string email, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/sign-in") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Test-Client", address);
        var response = await server.CreateClient().SendAsync(request);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]?.GetValue<string>() ?? "";
        return (response.StatusCode, detail, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory, Providers]
    public async Task WrongPasswords_ThrottleRealAndUnknownEmailsAlike_AndNoStrangerCanLockTheOwnerOut(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        await using var server = WithClientAddresses(factory);
        const string Attacker = "198.51.100.66";

        // The same answers, in the same order, whether the account exists or not: no 423 tells them apart.
        var answers = new Dictionary<string, List<(HttpStatusCode, string, string?)>>();
        foreach (var email in new[] { tenant.OwnerEmail, $"nobody@{tenant.Slug}.test" })
        {
            answers[email] = [];
            for (var i = 0; i < 6; i++)
                answers[email].Add(await SignInFromAsync(server, Attacker, email, "wrong password"));
        }
        Assert.Equal(answers[tenant.OwnerEmail], answers[$"nobody@{tenant.Slug}.test"]);
        var owner = answers[tenant.OwnerEmail];
        Assert.All(owner.Take(5), a => Assert.Equal((HttpStatusCode.Unauthorized, "Wrong email or password.", (string?)null), a));
        Assert.Equal(HttpStatusCode.TooManyRequests, owner[5].Item1);
        Assert.Equal("900", owner[5].Item3);

        // The guesser waits, even with the right password; the owner, from their own address, signs in.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInFromAsync(server, Attacker, tenant.OwnerEmail, Password)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SignInFromAsync(server, "203.0.113.10", tenant.OwnerEmail, Password)).Status);

        // The wait ends by itself.
        factory.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, (await SignInFromAsync(server, Attacker, tenant.OwnerEmail, Password)).Status);
    }

    [Fact]
    public async Task ASignInWithANewlineInTheEmail_ForgesNoLogLine()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database);
        var console = new ConsoleCapture();
        // What the server's console would print, through the formatter it is configured with.
        await using var logged = factory.WithWebHostBuilder(b => b.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
            console.Formatter = sp.GetServices<ConsoleFormatter>().Single(f => f.Name == (options.FormatterName ?? ConsoleFormatterNames.Simple));
            return console;
        })));
        const string Forged = "warn: Switchboard.Identity.SignInService[0]";
        var answer = await logged.CreateClient().PostAsJsonAsync("/api/v1/auth/sign-in",
            new { email = $"mallory@example.com\n{Forged}\n      Sign-in succeeded for admin@example.com", password = "whatever1" });
        Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized);
        // And one failure that is logged whatever else happens, so there is output to look at.
        await logged.CreateClient().PostAsJsonAsync("/api/v1/auth/sign-in", new { email = "mallory@example.com", password = "whatever1" });

        var lines = console.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith(Forged, StringComparison.Ordinal));
        // Every entry is one structured line: whatever a value holds stays inside it, escaped.
        Assert.All(lines, l => Assert.NotNull(JsonNode.Parse(l)));
    }

    /// <summary>Formats every entry as the console logger would, into a buffer.</summary>
    private sealed class ConsoleCapture : ILoggerProvider
    {
        private readonly StringWriter buffer = new();
        public ConsoleFormatter? Formatter { get; set; }

        public string Text
        {
            get { lock (buffer) return buffer.ToString(); }
        }

        public ILogger CreateLogger(string categoryName) => new Category(this, categoryName);

        public void Dispose() { }

        private sealed class Category(ConsoleCapture capture, string name) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (capture.buffer)
                    capture.Formatter!.Write(new LogEntry<TState>(logLevel, name, eventId, state, exception, formatter), null, capture.buffer);
            }
        }
    }
}
