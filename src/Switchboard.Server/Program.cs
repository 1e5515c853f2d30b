using Switchboard;
using Switchboard.Cli;
using Switchboard.Platform.Database;
using Switchboard.Platform.Security;

var isCommand = AdminCommands.IsCommand(args);
// Commands take their own --options; only the server reads the command line as configuration.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = isCommand ? [] : args,
    // `dotnet run` starts in the repository root (so ./data is there); the settings files sit beside the binaries.
    ContentRootPath = File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? null : AppContext.BaseDirectory,
});
builder.AddSwitchboard();
var app = builder.Build();

var migrateFirst = app.Services.GetRequiredService<DatabaseOptions>().MigrateOnStartup;
if (isCommand)
{
    if (args[0] != "migrate" && migrateFirst)
    {
        await DatabaseSetup.MigrateAsync(app.Services);
        app.Services.GetRequiredService<SecretProtector>().EnsureKeyRing();
    }
    return await AdminCommands.RunAsync(args, app.Services);
}

if (migrateFirst)
    await DatabaseSetup.MigrateAsync(app.Services);
app.Services.GetRequiredService<SecretProtector>().EnsureKeyRing();
app.UseSwitchboard();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
