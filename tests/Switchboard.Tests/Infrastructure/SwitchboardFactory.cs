using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The real server, in process, on one provider's fresh database (migrated at start like production).</summary>
public sealed class SwitchboardFactory(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    /// <summary>The operator's list of networks tenant-supplied destinations may reach although they are not public.</summary>
    public const string OutboundExceptions = "Network:AllowedOutboundNetworks";

    public TestDatabase Database { get; } = database;
    public ManualClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", Database.Provider.ToString());
        builder.UseSetting("ConnectionStrings:Switchboard", Database.ConnectionString);
        builder.UseSetting("Storage:DataDirectory", Database.Directory);
        builder.UseSetting("Identity:SignInAttemptsPerMinutePerIp", "100000");
        // The in-process test client has no address, so every test's widget sessions share one per-IP bucket; the limit
        // itself is tested from addresses of its own.
        builder.UseSetting("WebChat:SessionStartsPerMinutePerIp", "200");
        builder.UseSetting("Jobs:PollInterval", "00:00:00.200");
        // The fakes the server calls (providers, webhook receivers, SMTP) listen on loopback, which the outbound guard opens
        // only as the operator's exception; a test of the guard itself sets OutboundExceptions to null to run without it.
        if (settings?.ContainsKey(OutboundExceptions) != true)
        {
            builder.UseSetting($"{OutboundExceptions}:0", "127.0.0.0/8");
            builder.UseSetting($"{OutboundExceptions}:1", "::1/128");
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    /// <summary>Creates a tenant with an owner and returns an API client authenticated with the owner's key.</summary>
    public async Task<TenantHandle> CreateTenantAsync(string? slug = null)
    {
        slug ??= "t-" + Guid.NewGuid().ToString("N")[..10];
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(
            new NewTenant($"Tenant {slug}", slug, "Owner", $"owner@{slug}.test", TenantHandle.OwnerPassword), withApiKey: true, CancellationToken.None)
            ?? throw new InvalidOperationException("slug taken");
        return new TenantHandle(this, created.Tenant.Id, slug, created.Owner.Id, created.Owner.Email, Client(created.ApiKey!));
    }

    /// <summary>An API client sending <paramref name="apiKey"/> as a bearer token.</summary>
    public HttpClient Client(string apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Runs <paramref name="work"/> in a DI scope entered into <paramref name="tenantId"/>.</summary>
    public async Task<T> InTenantAsync<T>(long tenantId, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId);
        return await work(scope.ServiceProvider);
    }
}

public sealed record TenantHandle(SwitchboardFactory Factory, long Id, string Slug, long OwnerId, string OwnerEmail, HttpClient Owner)
{
    public const string OwnerPassword = "correct horse battery";

    /// <summary>An API client with a key of <paramref name="role"/> in this tenant.</summary>
    public Task<HttpClient> ClientWithRoleAsync(Role role) => Factory.InTenantAsync(Id, async services =>
    {
        var (_, key) = services.GetRequiredService<TenantProvisioning>().AddApiKey($"{role} key", role, null);
        await services.GetRequiredService<SwitchboardDbContext>().SaveChangesAsync();
        return Factory.Client(key);
    });
}
