using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace Switchboard.BrowserTests;

/// <summary>The real server process on a fresh SQLite database, plus one headless Chromium driven by Playwright.</summary>
public class SwitchboardServer : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly string workDirectory = Path.Combine(Path.GetTempPath(), $"switchboard-browser-{Guid.NewGuid():N}");
    private Process? process;
    private StreamWriter? stdout;
    private StreamWriter? stderr;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Names this server's log files and screenshots folder.</summary>
    protected virtual string Name => "server";

    /// <summary>Settings beyond the test defaults, as environment variables.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    /// <summary>Where screenshots and the server's output go: $SWITCHBOARD_ARTIFACTS/browser, else artifacts/browser beside the tests.</summary>
    public string ArtifactsDirectory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("SWITCHBOARD_ARTIFACTS") is { Length: > 0 } root ? root : Path.Combine(AppContext.BaseDirectory, "artifacts"),
        "browser");

    /// <summary>A scratch folder for files the tests upload; deleted with the server's data.</summary>
    public string FilesDirectory => Path.Combine(workDirectory, "files");

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser has not been started.");

    /// <summary>Set once the first workspace exists; the installation starts empty, so the first test sets it up.</summary>
    public bool IsSetUp { get; set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"Chromium is not installed at {ChromiumPath}; the browser tests need it (Debian: apt-get install chromium).");
        Directory.CreateDirectory(ArtifactsDirectory);
        Directory.CreateDirectory(FilesDirectory);
        await StartServerAsync();

        // The driver ships its own node for linux-x64; fall back to the system one if the package lacks it.
        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, ".playwright", "node", "linux-x64", "node")))
            Environment.SetEnvironmentVariable("PLAYWRIGHT_NODEJS_PATH", "/usr/bin/node");
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        Assertions.SetDefaultExpectTimeout(10_000);
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
            await browser.DisposeAsync();
        playwright?.Dispose();
        if (process is not null)
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        stdout?.Dispose();
        stderr?.Dispose();
        if (Directory.Exists(workDirectory))
            Directory.Delete(workDirectory, recursive: true);
    }

    /// <summary>A fresh, cookie-less browser context whose relative URLs resolve against the server.</summary>
    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(new() { BaseURL = BaseUrl, ViewportSize = new() { Width = 1280, Height = 900 } });

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, $"{name}.png"), FullPage = true });

    private async Task StartServerAsync()
    {
        var dll = ServerDll();
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            // Beside its appsettings.json, which the server then uses as its content root.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--urls", BaseUrl })
            start.ArgumentList.Add(arg);
        start.Environment["Storage__DataDirectory"] = Path.Combine(workDirectory, "data");
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Identity__SignInAttemptsPerMinutePerIp"] = "1000";
        // The webhook receivers these tests run listen on loopback, which the outbound guard opens only as an operator's exception.
        start.Environment["Network__AllowedOutboundNetworks__0"] = "127.0.0.0/8";
        foreach (var (key, value) in Settings)
            start.Environment[key] = value;

        stdout = new StreamWriter(Path.Combine(ArtifactsDirectory, $"{Name}.stdout.log")) { AutoFlush = true };
        stderr = new StreamWriter(Path.Combine(ArtifactsDirectory, $"{Name}.stderr.log")) { AutoFlush = true };
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server process.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) stdout.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilReadyAsync(process);
    }

    private async Task WaitUntilReadyAsync(Process server)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
                throw new InvalidOperationException($"The server exited with code {server.ExitCode} while starting; see {ArtifactsDirectory}/{Name}.*.log.");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The server did not answer 200 on /health/ready within {StartupTimeout.TotalSeconds} s; see {ArtifactsDirectory}/{Name}.*.log.");
    }

    /// <summary>The server built in the same configuration as this assembly, which lives in tests/&lt;project&gt;/bin/&lt;Configuration&gt;/net10.0.</summary>
    private static string ServerDll()
    {
        var binDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var configuration = Path.GetFileName(Path.GetDirectoryName(binDirectory))!;
        var dll = Path.GetFullPath(Path.Combine(binDirectory, "../../../../../src/Switchboard.Server/bin", configuration, "net10.0/Switchboard.Server.dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The server is not built at {dll}; build the solution in {configuration} first.", dll);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
