using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The real server executable as an operator runs it, on SQLite in its own data directory: its admin commands, or the
/// server itself in a child process that a test can kill outright (a crash, not a shutdown).</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, Uri baseAddress) => (this.process, BaseAddress) = (process, baseAddress);

    public Uri BaseAddress { get; }

    private static ProcessStartInfo StartInfo(string data, IReadOnlyDictionary<string, string>? settings, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Switchboard.Server.dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["Storage__DataDirectory"] = data;
        info.Environment["Database__Provider"] = "Sqlite";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        return info;
    }

    /// <summary>Runs an admin command to its end.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunCommandAsync(string data, params string[] args)
    {
        using var process = Process.Start(StartInfo(data, null, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the server on a free loopback port and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartAsync(string data, IReadOnlyDictionary<string, string> settings)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var process = Process.Start(StartInfo(data, new Dictionary<string, string>(settings) { ["Urls"] = address.ToString().TrimEnd('/') }, []))!;
        // Drained so a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, address);
        using var probe = new HttpClient { BaseAddress = address };
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The server exited with {process.ExitCode} while starting.");
            try
            {
                if ((await probe.GetAsync("/health/ready")).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
        }
        await server.DisposeAsync();
        throw new TimeoutException("The server did not become ready.");
    }

    /// <summary>Ends the process at once, as a crash or a power cut would: no shutdown, no flushing.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
            await KillAsync();
        process.Dispose();
    }
}
