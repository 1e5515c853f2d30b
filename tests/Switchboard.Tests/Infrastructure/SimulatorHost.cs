using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Simulator;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The provider simulator on a free loopback port, over real HTTP, as the server's adapters reach providers.
/// With a <c>prefix</c> it is mounted under that path, as the server mounts it in demo mode.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly LoopbackApp app;

    private SimulatorHost(LoopbackApp app, string prefix)
    {
        this.app = app;
        BaseUrl = app.BaseUrl + prefix;
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
        var app = await LoopbackApp.StartAsync(
            app => (prefix.Length > 0 ? app.MapGroup(prefix) : (IEndpointRouteBuilder)app).MapSimulator(),
            services => services.AddSimulator());
        return new SimulatorHost(app, prefix);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
