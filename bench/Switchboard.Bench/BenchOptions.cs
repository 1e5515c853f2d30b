using System.Globalization;

namespace Switchboard.Bench;

public enum BenchProvider
{
    Sqlite,
    Postgres,
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>The option syntax every command shares: <c>--name value</c> and bare <c>--flag</c>s.</summary>
public static class OptionParser
{
    public static void Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, Action<string>> values,
        IReadOnlyDictionary<string, Action>? flags = null)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (flags?.TryGetValue(name, out var flag) == true)
            {
                flag();
                continue;
            }
            if (!values.TryGetValue(name, out var set))
                throw new UsageException($"Unknown option {name}.");
            set(i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value."));
        }
    }

    public static int Number(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new UsageException($"{name} must be a whole number of at least {min}.");

    public static IReadOnlyList<BenchProvider> Providers(string value) => value switch
    {
        "sqlite" => [BenchProvider.Sqlite],
        "postgres" => [BenchProvider.Postgres],
        "both" => [BenchProvider.Sqlite, BenchProvider.Postgres],
        _ => throw new UsageException("--provider must be sqlite, postgres or both."),
    };

    /// <summary>A results-file suffix: letters, digits and dashes.</summary>
    public static string Label(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? value
            : throw new UsageException("--label may hold only letters, digits and dashes.");
}

/// <summary>Options of the <c>contacts</c> command.</summary>
public sealed record ContactsOptions(
    IReadOnlyList<BenchProvider> Providers, int ContactsPerTenant, int Tenants, int Requests, int Warmup, int Concurrency, int MaxSeconds, bool Keep,
    string? Label)
{
    public static ContactsOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ContactsOptions([BenchProvider.Sqlite, BenchProvider.Postgres], 100_000, 10, 2_000, 200, 4, 60, false, null);
        OptionParser.Parse(args, new Dictionary<string, Action<string>>
        {
            ["--provider"] = v => o = o with { Providers = OptionParser.Providers(v) },
            ["--contacts-per-tenant"] = v => o = o with { ContactsPerTenant = OptionParser.Number("--contacts-per-tenant", v, 1) },
            ["--tenants"] = v => o = o with { Tenants = OptionParser.Number("--tenants", v, 1) },
            ["--requests"] = v => o = o with { Requests = OptionParser.Number("--requests", v, 1) },
            ["--warmup"] = v => o = o with { Warmup = OptionParser.Number("--warmup", v, 0) },
            ["--concurrency"] = v => o = o with { Concurrency = OptionParser.Number("--concurrency", v, 0) },
            ["--max-seconds"] = v => o = o with { MaxSeconds = OptionParser.Number("--max-seconds", v, 1) },
            ["--label"] = v => o = o with { Label = OptionParser.Label(v) },
        }, new Dictionary<string, Action> { ["--keep"] = () => o = o with { Keep = true } });
        return o;
    }
}

/// <summary>Options of the <c>ingest</c> command.</summary>
public sealed record IngestOptions(
    IReadOnlyList<BenchProvider> Providers, int Seconds, int WarmupSeconds, IReadOnlyList<int> Connections, int Messages, bool SkipCeiling, bool Keep,
    string? Label)
{
    public static IngestOptions Parse(IReadOnlyList<string> args)
    {
        var o = new IngestOptions([BenchProvider.Sqlite, BenchProvider.Postgres], 10, 3, [64], 400_000, false, false, null);
        OptionParser.Parse(args, new Dictionary<string, Action<string>>
        {
            ["--provider"] = v => o = o with { Providers = OptionParser.Providers(v) },
            ["--seconds"] = v => o = o with { Seconds = OptionParser.Number("--seconds", v, 1) },
            ["--warmup-seconds"] = v => o = o with { WarmupSeconds = OptionParser.Number("--warmup-seconds", v, 0) },
            ["--connections"] = v => o = o with { Connections = v.Split(',').Select(n => OptionParser.Number("--connections", n, 1)).ToList() },
            ["--messages"] = v => o = o with { Messages = OptionParser.Number("--messages", v, 1) },
            ["--label"] = v => o = o with { Label = OptionParser.Label(v) },
        }, new Dictionary<string, Action>
        {
            ["--no-ceiling"] = () => o = o with { SkipCeiling = true },
            ["--keep"] = () => o = o with { Keep = true },
        });
        return o;
    }
}

/// <summary>Options of the <c>latency</c> command.</summary>
public sealed record LatencyOptions(
    IReadOnlyList<BenchProvider> Providers, int Rate, int Seconds, int WarmupSeconds, int Senders, int DrainSeconds, bool Keep, string? Label)
{
    public static LatencyOptions Parse(IReadOnlyList<string> args)
    {
        var o = new LatencyOptions([BenchProvider.Sqlite, BenchProvider.Postgres], 1_000, 20, 15, 1_000, 60, false, null);
        OptionParser.Parse(args, new Dictionary<string, Action<string>>
        {
            ["--provider"] = v => o = o with { Providers = OptionParser.Providers(v) },
            ["--rate"] = v => o = o with { Rate = OptionParser.Number("--rate", v, 1) },
            ["--seconds"] = v => o = o with { Seconds = OptionParser.Number("--seconds", v, 1) },
            ["--warmup-seconds"] = v => o = o with { WarmupSeconds = OptionParser.Number("--warmup-seconds", v, 0) },
            ["--senders"] = v => o = o with { Senders = OptionParser.Number("--senders", v, 1) },
            ["--drain-seconds"] = v => o = o with { DrainSeconds = OptionParser.Number("--drain-seconds", v, 0) },
            ["--label"] = v => o = o with { Label = OptionParser.Label(v) },
        }, new Dictionary<string, Action> { ["--keep"] = () => o = o with { Keep = true } });
        return o;
    }
}

/// <summary>Options of the <c>inbox-scale</c> command (PostgreSQL only).</summary>
public sealed record InboxScaleOptions(
    int Conversations, int MessagesPerConversation, int SmallTenants, int Requests, int Warmup, int Concurrency, int MaxSeconds, int SeedConnections,
    bool Keep, string? Label)
{
    public static InboxScaleOptions Parse(IReadOnlyList<string> args)
    {
        var o = new InboxScaleOptions(1_000_000, 10, 3, 1_000, 100, 4, 60, 2, false, null);
        OptionParser.Parse(args, new Dictionary<string, Action<string>>
        {
            ["--conversations"] = v => o = o with { Conversations = OptionParser.Number("--conversations", v, 100) },
            ["--messages-per-conversation"] = v => o = o with { MessagesPerConversation = OptionParser.Number("--messages-per-conversation", v, 1) },
            ["--small-tenants"] = v => o = o with { SmallTenants = OptionParser.Number("--small-tenants", v, 0) },
            ["--requests"] = v => o = o with { Requests = OptionParser.Number("--requests", v, 1) },
            ["--warmup"] = v => o = o with { Warmup = OptionParser.Number("--warmup", v, 0) },
            ["--concurrency"] = v => o = o with { Concurrency = OptionParser.Number("--concurrency", v, 0) },
            ["--max-seconds"] = v => o = o with { MaxSeconds = OptionParser.Number("--max-seconds", v, 1) },
            ["--seed-connections"] = v => o = o with { SeedConnections = OptionParser.Number("--seed-connections", v, 1) },
            ["--label"] = v => o = o with { Label = OptionParser.Label(v) },
        }, new Dictionary<string, Action> { ["--keep"] = () => o = o with { Keep = true } });
        return o;
    }
}
