using System.Globalization;

namespace Switchboard.Bench;

public enum BenchProvider
{
    Sqlite,
    Postgres,
}

public sealed class UsageException(string message) : Exception(message);

public sealed record BenchOptions(
    IReadOnlyList<BenchProvider> Providers, int ContactsPerTenant, int Tenants, int Requests, int Warmup, int Concurrency, int MaxSeconds, bool Keep)
{
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions([BenchProvider.Sqlite, BenchProvider.Postgres], 100_000, 10, 2_000, 200, 4, 60, false);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--keep")
            {
                options = options with { Keep = true };
                continue;
            }
            var value = i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value.");
            options = name switch
            {
                "--provider" => options with { Providers = value switch
                {
                    "sqlite" => [BenchProvider.Sqlite],
                    "postgres" => [BenchProvider.Postgres],
                    "both" => [BenchProvider.Sqlite, BenchProvider.Postgres],
                    _ => throw new UsageException("--provider must be sqlite, postgres or both."),
                } },
                "--contacts-per-tenant" => options with { ContactsPerTenant = Number(name, value, 1) },
                "--tenants" => options with { Tenants = Number(name, value, 1) },
                "--requests" => options with { Requests = Number(name, value, 1) },
                "--warmup" => options with { Warmup = Number(name, value, 0) },
                "--concurrency" => options with { Concurrency = Number(name, value, 0) },
                "--max-seconds" => options with { MaxSeconds = Number(name, value, 1) },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }
        return options;
    }

    private static int Number(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new UsageException($"{name} must be a whole number of at least {min}.");
}
