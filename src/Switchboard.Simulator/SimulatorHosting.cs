using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Switchboard.Simulator;

/// <summary>Hosting the simulator: in its own process (<see cref="SimulatorProgram"/>), in tests, or inside the server in
/// demo mode under a prefix (<c>app.MapGroup("/demo-provider").MapSimulator()</c>). All routes are relative and every URL
/// handed out is built from the incoming request, so any mount point works.</summary>
public static class SimulatorHosting
{
    public static IServiceCollection AddSimulator(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(WebhookDispatcher.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddOptions<CustomerSettings>().BindConfiguration("Simulator:Customers");
        services.AddSingleton<ProviderAccounts>();
        services.AddSingleton<SimulatorBehaviours>();
        services.AddSingleton<SentMessages>();
        services.AddSingleton<CustomerActivity>();
        services.AddSingleton<RateLimits>();
        services.AddSingleton<MediaStore>();
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<ContentStore>();
        services.AddSingleton<BackgroundWork>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<StatusPlayer>();
        services.AddSingleton<CustomerMessages>();
        services.AddSingleton<SimulatedCustomers>();
        services.AddHostedService(provider => provider.GetRequiredService<SimulatedCustomers>());
        services.AddSingleton<MetaGraph>();
        services.AddSingleton<TwilioApi>();
        services.AddSingleton<TwilioContentApi>();
        services.AddSingleton<ControlApi>();
        return services;
    }

    public static IEndpointRouteBuilder MapSimulator(this IEndpointRouteBuilder app)
    {
        MetaGraph.Map(app);
        TwilioApi.Map(app);
        TwilioContentApi.Map(app);
        ControlApi.Map(app);
        return app;
    }
}
