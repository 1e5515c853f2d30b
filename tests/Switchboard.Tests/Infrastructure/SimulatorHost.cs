using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Simulator;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The provider simulator on a free loopback port, over real HTTP, as the server's adapters reach providers.
/// With a <c>prefix</c> it is mounted under that path, as the server mounts it in demo mode.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private SimulatorHost(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the provider APIs and <c>/_simulator</c> are, without a trailing slash.</summary>
    public string BaseUrl { get; }
    public IServiceProvider Services => app.Services;
    public ProviderAccounts Accounts => app.Services.GetRequiredService<ProviderAccounts>();
    public SimulatorBehaviours Behaviours => app.Services.GetRequiredService<SimulatorBehaviours>();
    public SentMessages Sent => app.Services.GetRequiredService<SentMessages>();
    public SimulatedCustomers Customers => app.Services.GetRequiredService<SimulatedCustomers>();

    /// <summary>A client whose relative URLs resolve under <see cref="BaseUrl"/>.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = new Uri(BaseUrl + "/") };

    public static async Task<SimulatorHost> StartAsync(string prefix = "")
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSimulator();
        var app = builder.Build();
        (prefix.Length > 0 ? app.MapGroup(prefix) : (Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).MapSimulator();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorHost(app, address + prefix);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
