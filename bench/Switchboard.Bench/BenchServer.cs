using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Bench;

/// <summary>The real server, composed as Program.cs composes it, listening on Kestrel at a free loopback port.</summary>
public sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private BenchServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<BenchServer> StartAsync(BenchProvider provider, string connectionString, string dataDirectory)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:MigrateOnStartup"] = "false",
            ["ConnectionStrings:" + DatabaseSetup.ConnectionStringName] = connectionString,
            ["Storage:DataDirectory"] = dataDirectory,
            ["Jobs:Enabled"] = "false",
            ["Urls"] = address.ToString(),
            // Per-request logging is off in the shipped settings too; this also hides startup chatter from the report.
            ["Logging:LogLevel:Default"] = "Warning",
            // The key ring lives in the throw-away database; its "unencrypted key" warning says nothing about speed.
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            // EF logs the migration-history probe on an empty database as a failed command; a real failure still throws.
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
        });
        builder.AddSwitchboard();
        var app = builder.Build();
        await DatabaseSetup.MigrateAsync(app.Services);
        app.UseSwitchboard();
        await app.StartAsync();
        return new BenchServer(app, address);
    }

    /// <summary>Creates a tenant with an owner-role API key through the server's own provisioning.</summary>
    public async Task<(long TenantId, string ApiKey)> CreateTenantAsync(int index)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var slug = $"bench-{index}";
        var created = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(
            new NewTenant($"Bench tenant {index}", slug, "Bench Owner", $"owner@{slug}.example.com", "bench-password-1"),
            withApiKey: true, CancellationToken.None)
            ?? throw new InvalidOperationException($"Tenant slug {slug} is taken.");
        return (created.Tenant.Id, created.ApiKey!);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
