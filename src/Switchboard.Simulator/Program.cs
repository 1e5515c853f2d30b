namespace Switchboard.Simulator;

/// <summary>A local stand-in for Meta's Graph API and Twilio, speaking their wire formats, on 127.0.0.1:5090 by default
/// (<c>Urls</c> to change it). Tests and the server's demo mode host the same thing through <see cref="SimulatorHosting"/>.</summary>
public static class SimulatorProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5090");
        builder.Services.AddSimulator();
        var app = builder.Build();
        app.MapSimulator();
        app.Run();
    }
}
