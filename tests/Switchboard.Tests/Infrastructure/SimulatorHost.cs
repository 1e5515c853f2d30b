using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Simulator;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The provider simulator on a free loopback port, over real HTTP, as the server's adapters reach providers.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private SimulatorHost(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public ProviderAccounts Accounts => app.Services.GetRequiredService<ProviderAccounts>();

    public static async Task<SimulatorHost> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<ProviderAccounts>();
        var app = builder.Build();
        app.MapSimulator();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorHost(app, address);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
