using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Switchboard.Bench;

/// <summary>What a reader needs to weigh the figures: the machine, the runtime, who else was using it, and this process's
/// memory.</summary>
public static class MachineContext
{
    public static void Describe(Report report, string title, string method)
    {
        report.Line($"# {title}");
        report.Line();
        report.Line($"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        report.Line($"- Machine: {Environment.ProcessorCount} logical CPUs{CpuModel()}, {MemoryGiB()} GiB RAM, " +
            $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        report.Line($"- Runtime: {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC" +
            $"{(Debugger.IsAttached ? ", DEBUGGER ATTACHED" : "")}");
        report.Line($"- Server: {ServerVersion()}");
        report.Line("- Topology: the load client, the server (in this process, on Kestrel over loopback) and the database all run on this " +
            "machine and share its cores: the server gets what the client and the database leave it, and no network is crossed.");
        report.Line($"- Load average (1/5/15 min) at start: {LoadAverage()}. The machine is shared with other people's builds and tests; " +
            "figures from a busy run are noisy and pessimistic (the CPU split under each run says how much went elsewhere).");
        report.Line($"- Method: {method}");
    }

    /// <summary>The commit the server was built from, and whether its sources had uncommitted changes.</summary>
    private static string ServerVersion()
    {
        var head = Git("log -1 --format=%h%x20%s");
        if (head is null)
            return "commit unknown (git not available)";
        var dirty = Git("status --porcelain -- src") is { Length: > 0 };
        return $"commit {head}{(dirty ? " **with uncommitted changes in src/**" : "")}";
    }

    private static string? Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                WorkingDirectory = Report.RepositoryRoot() ?? Directory.GetCurrentDirectory(),
            });
            if (git is null)
                return null;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static string Memory()
    {
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        return $"process working set {process.WorkingSet64 >> 20:N0} MiB (peak {process.PeakWorkingSet64 >> 20:N0} MiB), " +
            $"GC heap {gc.HeapSizeBytes >> 20:N0} MiB, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections";
    }

    private static string CpuModel()
    {
        if (!File.Exists("/proc/cpuinfo"))
            return "";
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "" : $" ({line[(line.IndexOf(':') + 1)..].Trim()})";
    }

    private static long MemoryGiB()
    {
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        return line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? (kb + (1 << 19)) >> 20
            : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 30;
    }
}

/// <summary>Where the machine's CPU time went during a run: this process (client + server), the PostgreSQL cluster (the
/// postmaster and its backends, found through <c>postmaster.pid</c> when the cluster runs here) and everything else.</summary>
public sealed class CpuMeter
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly int? postmaster;
    private Sample start;

    private CpuMeter(int? postmaster)
    {
        this.postmaster = postmaster;
        start = Take();
    }

    private readonly record struct Sample(long Timestamp, TimeSpan Process, double? Postgres, double? MachineBusy, double? MachineTotal);

    /// <summary>Starts measuring; <paramref name="postgres"/> is the benchmark database, or null on SQLite.</summary>
    public static async Task<CpuMeter> StartAsync(BenchDatabase? postgres)
    {
        int? pid = null;
        if (postgres is { Provider: BenchProvider.Postgres })
        {
            try
            {
                var dataDirectory = (string?)await postgres.ScalarAsync("SHOW data_directory");
                var pidFile = dataDirectory is null ? null : Path.Combine(dataDirectory, "postmaster.pid");
                if (pidFile is not null && File.Exists(pidFile))
                    pid = int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is Npgsql.PostgresException or IOException or UnauthorizedAccessException or FormatException)
            {
                // Not a local cluster, or not readable: the PostgreSQL share is then reported as unknown.
            }
        }
        return new CpuMeter(pid);
    }

    public void Restart() => start = Take();

    /// <summary>One line: the wall time, and how the cores' time split between this process, PostgreSQL and the rest.</summary>
    public string Summary(long? operations = null, string unit = "request")
    {
        var end = Take();
        var wall = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        var capacity = wall * Environment.ProcessorCount;
        var process = (end.Process - start.Process).TotalSeconds;
        string Share(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s ({100 * seconds / capacity:F0}%)");
        var parts = new List<string> { $"this process (client + server) {Share(process)}" };
        double? postgres = end.Postgres - start.Postgres;
        if (postgres is { } pg)
            parts.Add($"PostgreSQL {Share(pg)}");
        if (end.MachineBusy - start.MachineBusy is { } busy && end.MachineTotal - start.MachineTotal is { } total && total > 0)
        {
            var busySeconds = busy / total * capacity;
            parts.Add($"everything else {Share(Math.Max(0, busySeconds - process - (postgres ?? 0)))}");
            parts.Add($"idle {Share(Math.Max(0, capacity - busySeconds))}");
        }
        var perOperation = "";
        if (operations is > 0)
        {
            perOperation = string.Create(CultureInfo.InvariantCulture, $"; per {unit}: {1e6 * process / operations.Value:F0} µs in this process");
            if (postgres is { } p)
                perOperation += string.Create(CultureInfo.InvariantCulture, $", {1e6 * p / operations.Value:F0} µs in PostgreSQL");
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"CPU over {wall:F1} s × {Environment.ProcessorCount} cores: {string.Join(", ", parts)}{perOperation}.");
    }

    private Sample Take()
    {
        using var process = Process.GetCurrentProcess();
        var (busy, total) = MachineTicks();
        return new Sample(Stopwatch.GetTimestamp(), process.TotalProcessorTime, PostgresSeconds(), busy, total);
    }

    private static (double? Busy, double? Total) MachineTicks()
    {
        if (!File.Exists("/proc/stat"))
            return (null, null);
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }

    /// <summary>The postmaster's own time, its reaped children's, and every live child's.</summary>
    private double? PostgresSeconds()
    {
        if (postmaster is not { } pid)
            return null;
        double ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            // Fields after the command (which may hold spaces) start at state: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (candidate != pid && parent != pid)
                continue;
            ticks += Enumerable.Range(11, 4).Sum(i => double.Parse(fields[i], CultureInfo.InvariantCulture));
        }
        return ticks / TicksPerSecond;
    }
}

/// <summary>Latency figures in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.ToArray();
        Array.Sort(sorted);
        return sorted.Length == 0
            ? new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN)
            : new LatencySummary(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
