namespace Switchboard.Bench;

public static class InboxScaleBenchmark
{
    public static Task<int> RunAsync(InboxScaleOptions options) => Task.FromResult(options.Conversations > 0 ? 0 : 1);
}
