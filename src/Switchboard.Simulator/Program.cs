namespace Switchboard.Simulator;

/// <summary>A local stand-in for Meta's Graph API and Twilio, speaking their wire formats. Tests host it in-process
/// (<see cref="SimulatorEndpoints.MapSimulator"/>); run on its own it listens on 127.0.0.1:5090.</summary>
public static class SimulatorProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5090");
        builder.Services.AddSingleton<ProviderAccounts>();
        var app = builder.Build();
        app.MapSimulator();
        app.Run();
    }
}
