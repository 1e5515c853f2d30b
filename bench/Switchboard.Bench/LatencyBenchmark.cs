namespace Switchboard.Bench;

public static class LatencyBenchmark
{
    public static Task<int> RunAsync(LatencyOptions options) => Task.FromResult(options.Rate > 0 ? 0 : 1);
}
