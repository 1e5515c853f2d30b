using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Platform.Database;
using Switchboard.Platform.Network;
using Switchboard.Platform.Security;
using Switchboard.Simulator;
using Switchboard.Tenancy;

namespace Switchboard.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";
    public bool Enabled { get; set; }
    public string OwnerEmail { get; set; } = "demo@switchboard.example";
    public string OwnerPassword { get; set; } = "switchboard-demo";
}

/// <summary>Demo mode (<c>./run.sh --demo</c>): the provider simulator runs inside the server under
/// <see cref="ProviderPrefix"/>, a "Demo Company" tenant gets channels pointing at it, and simulated customers start
/// writing in — live conversations without any provider account. Everything else is the real product.</summary>
public static class DemoMode
{
    public const string ProviderPrefix = "/demo-provider";
    public const string TenantSlug = "demo";

    public static void AddDemoMode(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        if (!options.Enabled)
            return;
        // Customers write every few seconds and answer agents, unless configured otherwise.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulator:Customers:Enabled"] = builder.Configuration["Simulator:Customers:Enabled"] ?? "true",
            ["Simulator:Customers:IntervalSeconds"] = builder.Configuration["Simulator:Customers:IntervalSeconds"] ?? "6",
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSimulator();
        builder.Services.AddHostedService<DemoSetup>();
    }

    public static void MapDemoMode(this WebApplication app)
    {
        if (app.Services.GetService<DemoOptions>() is not null)
            app.MapGroup(ProviderPrefix).WithTags("Demo provider simulator").ExcludeFromDescription().MapSimulator();
    }
}

/// <summary>Once the server listens (its address goes into the webhook URLs): makes sure the demo tenant and its WhatsApp
/// channel exist, and registers the channel's number with the in-process simulator, which keeps its accounts in memory.</summary>
internal sealed class DemoSetup(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, DemoOptions options, ProviderAccounts accounts,
    ILogger<DemoSetup> logger) : BackgroundService
{
    private const string PhoneNumberId = "100000000000001";
    private const string BusinessAccountId = "200000000000001";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);

        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<SwitchboardDbContext>();
        var urls = services.GetRequiredService<ChannelWebhookUrls>();
        var protector = services.GetRequiredService<SecretProtector>();
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Slug == DemoMode.TenantSlug, stoppingToken);
        if (tenant is null)
        {
            var created = await services.GetRequiredService<TenantProvisioning>().CreateAsync(
                new NewTenant("Demo Company", DemoMode.TenantSlug, "Demo Owner", options.OwnerEmail, options.OwnerPassword), withApiKey: false, stoppingToken)
                ?? throw new InvalidOperationException("The demo tenant could not be created.");
            created.Owner.IsSuperAdmin = true;
            await db.SaveChangesAsync(stoppingToken);
            tenant = created.Tenant;
        }
        services.GetRequiredService<TenantContext>().Enter(tenant.Id);

        var providerBase = urls.BaseUrl() + DemoMode.ProviderPrefix;
        // The demo channel calls the simulator inside this server, at an address the outbound guard refuses to tenants
        // (loopback, usually): an exception for exactly that endpoint, so no operator setting has to open more.
        var simulator = new Uri(providerBase);
        var guard = services.GetRequiredService<OutboundGuard>();
        foreach (var address in await Dns.GetHostAddressesAsync(simulator.Host.Trim('[', ']'), stoppingToken))
            guard.AllowEndpoint(new IPEndPoint(address, simulator.Port));
        var channel = await db.Channels.FirstOrDefaultAsync(c => c.Type == ChannelType.WhatsApp, stoppingToken);
        if (channel is null)
        {
            var now = DateTimeOffset.UtcNow;
            channel = new Channel
            {
                Type = ChannelType.WhatsApp, Name = "Demo WhatsApp", CreatedAt = now, UpdatedAt = now,
                Settings = new JsonObject
                {
                    ["phoneNumberId"] = PhoneNumberId, ["businessAccountId"] = BusinessAccountId, ["displayPhoneNumber"] = "+15550100001",
                },
            };
            ChannelSecrets.Write(channel, new JsonObject
            {
                ["accessToken"] = SecretProtector.NewSecret(), ["appSecret"] = SecretProtector.NewSecret(), ["verifyToken"] = SecretProtector.NewSecret(),
            }, protector);
            db.Channels.Add(channel);
        }
        // The address may differ from the last run (--urls), so the channel follows the server.
        channel.Settings["apiBaseUrl"] = providerBase;
        await db.SaveChangesAsync(stoppingToken);

        var secrets = ChannelSecrets.Read(channel, protector);
        accounts.Add(new MetaPhoneNumber(PhoneNumberId, secrets["accessToken"]!.GetValue<string>(), "+15550100001", "Demo Company")
        {
            AppSecret = secrets["appSecret"]!.GetValue<string>(),
            BusinessAccountId = BusinessAccountId,
            WebhookUrl = urls.For(channel)["inbound"],
        });
        logger.LogWarning("Demo mode: open {Url} and sign in as {Email} / {Password}. Simulated customers write to “Demo WhatsApp” every few seconds.",
            urls.BaseUrl(), options.OwnerEmail, options.OwnerPassword);
    }
}
