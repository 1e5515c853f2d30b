using Switchboard.Bench;

const string usage = """
    Usage:
      dotnet run -c Release --project bench/Switchboard.Bench -- contacts [options]
    Options:
      --provider sqlite|postgres|both   (default both; PostgreSQL from SWITCHBOARD_BENCH_POSTGRES or SWITCHBOARD_TEST_POSTGRES)
      --contacts-per-tenant N           (default 100000)
      --tenants N                       (default 10)
      --requests N                      measured requests per scenario (default 2000)
      --warmup N                        unmeasured requests per scenario first (default 200)
      --concurrency N                   clients of the throughput run; 0 skips it (default 4)
      --max-seconds N                   time budget of one scenario's measured requests (default 60)
      --keep                            keep the databases and print where they are, for EXPLAIN
    """;

try
{
    return args switch
    {
        ["contacts", .. var rest] => await ContactsBenchmark.RunAsync(BenchOptions.Parse(rest)),
        _ => Fail(usage),
    };
}
catch (UsageException e)
{
    return Fail($"error: {e.Message}\n{usage}");
}

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
