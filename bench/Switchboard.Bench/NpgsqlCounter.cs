using System.Diagnostics;

namespace Switchboard.Bench;

/// <summary>Counts what Npgsql sends, whoever sends it (EF or raw ADO.NET), through its tracing source: one activity per
/// command or batch (a round trip), COPY operations included. Everything in this process counts, so read it around
/// stretches where only the server talks to the database.</summary>
public sealed class NpgsqlCounter : IDisposable
{
    private readonly ActivityListener listener;
    private long count;

    public NpgsqlCounter()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            // Created (so counted) but not recorded: no tags are collected.
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStarted = _ => Interlocked.Increment(ref count),
        };
        ActivitySource.AddActivityListener(listener);
    }

    public long Count => Interlocked.Read(ref count);

    public void Dispose() => listener.Dispose();
}
