using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
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

    /// <summary>Starts the server on <paramref name="database"/> (migrated first). The job worker runs only when
    /// <paramref name="jobs"/> is set; <paramref name="configure"/> may add bench-side services (never server changes).</summary>
    public static async Task<BenchServer> StartAsync(BenchDatabase database, bool jobs = false, Action<WebApplicationBuilder>? configure = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:MigrateOnStartup"] = "false",
            ["ConnectionStrings:" + DatabaseSetup.ConnectionStringName] = database.ConnectionString,
            ["Storage:DataDirectory"] = database.DataDirectory,
            ["Jobs:Enabled"] = jobs ? "true" : "false",
            ["Urls"] = address.ToString(),
            // Per-request logging is off in the shipped settings too; this also hides startup chatter from the report.
            ["Logging:LogLevel:Default"] = "Warning",
            // The key ring lives in the throw-away database; its "unencrypted key" warning says nothing about speed.
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            // EF logs the migration-history probe on an empty database as a failed command; a real failure still throws.
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
        });
        builder.AddSwitchboard();
        configure?.Invoke(builder);
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

    /// <summary>An HTTP/1.1 client of this server (no cookies: API keys only).</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Address };

    /// <summary>POSTs JSON through the public API with <paramref name="apiKey"/> and returns the created object.</summary>
    public static async Task<JsonNode> PostAsync(HttpClient http, string apiKey, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>A WhatsApp channel created through the API, signing webhooks with <see cref="WhatsAppWebhooks.AppSecret"/>;
    /// returns its id.</summary>
    public static async Task<long> CreateWhatsAppChannelAsync(HttpClient http, string apiKey, string name, string phoneNumberId,
        IReadOnlyList<long>? departmentIds = null)
    {
        var created = await PostAsync(http, apiKey, "/api/v1/channels", new
        {
            type = "whatsapp",
            name,
            settings = new Dictionary<string, string>
            {
                ["phoneNumberId"] = phoneNumberId, ["businessAccountId"] = "419561257915477", ["displayPhoneNumber"] = "+15550783881",
                ["accessToken"] = "EAAG-bench-token", ["appSecret"] = WhatsAppWebhooks.AppSecret, ["verifyToken"] = "bench-verify",
                // Nothing listens here: the benchmarks never send, and a stray send fails fast instead of reaching Meta.
                ["apiBaseUrl"] = "http://127.0.0.1:9",
            },
            departmentIds = departmentIds ?? [],
        });
        return created["id"]!.GetValue<long>();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
