using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Switchboard.Platform.Database;

namespace Switchboard.Platform.Realtime;

/// <summary>Who hears an event: everyone connected for the tenant, one agent, whoever has one conversation open, or one
/// web-chat visitor's widget; <see cref="Access"/> is for the nodes themselves (re-check the tenant's live connections);
/// <see cref="Node"/> is every client connected to this node, whatever its tenant (never sent between nodes).</summary>
public enum RealtimeAudience
{
    Tenant,
    Agent,
    Conversation,
    ChatSession,
    Access,
    Node,
}

/// <summary>Something connected clients of one tenant should hear about; <see cref="TargetId"/> is the agent's, the
/// conversation's or the chat session's id for those audiences.</summary>
public sealed record RealtimeEvent(long TenantId, string Name, JsonNode? Payload, RealtimeAudience Audience, long TargetId = 0)
{
    /// <summary>Tells this node's clients that events may have been missed (its listener was cut off): refetch what is shown.</summary>
    public static readonly RealtimeEvent Resync = new(0, "resync", null, RealtimeAudience.Node);
}

public sealed class RealtimeOptions
{
    public const string Section = "Realtime";
    /// <summary>How long the PostgreSQL listener waits without a notification before it checks its connection with a query.</summary>
    public TimeSpan ListenerHeartbeat { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long that check may take before the connection is taken for dead (a failover with no FIN or RST).</summary>
    public TimeSpan ListenerHeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Carries real-time events to every node's connected clients. Events are published only after the change they
/// describe has committed (see <see cref="PublishAfterCommitInterceptor"/>), so clients never see what was rolled back.</summary>
public interface IRealtimeBus
{
    Task PublishAsync(IReadOnlyList<RealtimeEvent> events, CancellationToken cancellationToken);

    /// <summary>This node's subscribers: they receive every event from every node (their own included).</summary>
    ChannelReader<RealtimeEvent> Received { get; }
}

/// <summary>One node (SQLite): events go straight to this process's subscribers.</summary>
internal sealed class InProcessRealtimeBus : IRealtimeBus
{
    private readonly Channel<RealtimeEvent> received = Channel.CreateUnbounded<RealtimeEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<RealtimeEvent> Received => received.Reader;

    public Task PublishAsync(IReadOnlyList<RealtimeEvent> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
            received.Writer.TryWrite(e);
        return Task.CompletedTask;
    }
}

/// <summary>Several nodes on one PostgreSQL database: <c>NOTIFY</c> on publish, and a background listener on every node
/// (<see cref="PostgresRealtimeListener"/>) that <c>LISTEN</c>s and hands events to its local subscribers.</summary>
internal sealed class PostgresRealtimeBus(NpgsqlDataSource dataSource) : IRealtimeBus
{
    public const string ChannelName = "switchboard_realtime";
    /// <summary>PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.</summary>
    private const int MaxPayloadBytes = 7900;

    private readonly Channel<RealtimeEvent> received = Channel.CreateUnbounded<RealtimeEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<RealtimeEvent> Received => received.Reader;

    internal void Deliver(string payload)
    {
        if (JsonSerializer.Deserialize<RealtimeEvent>(payload, JsonSerializerOptions.Web) is { } e)
            received.Writer.TryWrite(e);
    }

    /// <summary>Hands an event to this node's subscribers only.</summary>
    internal void DeliverHere(RealtimeEvent e) => received.Writer.TryWrite(e);

    public async Task PublishAsync(IReadOnlyList<RealtimeEvent> events, CancellationToken cancellationToken)
    {
        await using var notify = NotifyCommand(events);
        notify.Connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (notify.Connection)
            await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Sends <paramref name="events"/> inside <paramref name="transaction"/>: PostgreSQL delivers them when it commits,
    /// in commit order, and never if it rolls back, so no crash between a commit and its notification can lose them.</summary>
    internal async Task NotifyInAsync(System.Data.Common.DbTransaction transaction, IReadOnlyList<RealtimeEvent> events, CancellationToken cancellationToken)
    {
        await using var notify = NotifyCommand(events);
        (notify.Connection, notify.Transaction) = ((NpgsqlConnection)transaction.Connection!, (NpgsqlTransaction)transaction);
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One statement for all of a unit of work's events, delivered in order.</summary>
    private static NpgsqlCommand NotifyCommand(IReadOnlyList<RealtimeEvent> events)
    {
        var payloads = events.Select(e =>
        {
            var json = JsonSerializer.Serialize(e, JsonSerializerOptions.Web);
            // Too big to travel: clients get a marker and refetch (the audience still says which conversation).
            return System.Text.Encoding.UTF8.GetByteCount(json) > MaxPayloadBytes
                ? JsonSerializer.Serialize(e with { Payload = new JsonObject { ["truncated"] = true } }, JsonSerializerOptions.Web)
                : json;
        }).ToArray();
        var notify = new NpgsqlCommand("SELECT count(pg_notify(@channel, p)) FROM unnest(@payloads) AS p");
        notify.Parameters.AddWithValue("channel", ChannelName);
        notify.Parameters.AddWithValue("payloads", payloads);
        return notify;
    }
}

/// <summary>Keeps one connection per node listening for <see cref="PostgresRealtimeBus.ChannelName"/>. A connection that goes
/// silent (a failover with no FIN or RST) is noticed by a heartbeat query when no notification came for a while, and by TCP
/// keepalive; the listener then connects again. Events published while it was not listening are missed, so after every
/// re-LISTEN it tells this node's clients to resync (<see cref="RealtimeEvent.Resync"/>).</summary>
internal sealed class PostgresRealtimeListener(NpgsqlDataSource dataSource, PostgresRealtimeBus bus, RealtimeOptions options,
    ILogger<PostgresRealtimeListener> logger) : BackgroundService
{
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this node is subscribed (tests and start-up wait on it).</summary>
    public Task Listening => listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listenedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => bus.Deliver(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresRealtimeBus.ChannelName}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                listening.TrySetResult();
                if (listenedBefore)
                {
                    logger.LogInformation("Real-time listener connected again; telling this node's clients to resync");
                    bus.DeliverHere(RealtimeEvent.Resync);
                }
                listenedBefore = true;
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (await connection.WaitAsync(options.ListenerHeartbeat, stoppingToken))
                        continue;
                    await using var heartbeat = new NpgsqlCommand("SELECT 1", connection)
                    {
                        CommandTimeout = Math.Max(1, (int)options.ListenerHeartbeatTimeout.TotalSeconds),
                    };
                    await heartbeat.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Real-time listener lost its connection; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}

/// <summary>Publishes the events a unit of work queued with <see cref="SwitchboardDbContext.PublishAfterCommit"/> (and runs its
/// <see cref="SwitchboardDbContext.AfterCommit"/> actions) once it has committed: after SaveChanges outside a transaction, or when the explicit transaction commits. Failed or rolled-back
/// work drops its events.</summary>
internal sealed class PublishAfterCommitInterceptor(IRealtimeBus bus, ILogger<PublishAfterCommitInterceptor> logger)
    : SaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <summary>On PostgreSQL the events go inside the committing transaction (delivered at commit, in commit order).</summary>
    public async ValueTask<InterceptionResult> TransactionCommittingAsync(System.Data.Common.DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (bus is PostgresRealtimeBus postgres && eventData.Context is SwitchboardDbContext db && db.TakePendingEvents() is { Count: > 0 } events)
            await postgres.NotifyInAsync(transaction, events, cancellationToken);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        // A save with events and no transaction of its own gets one, so its events can travel inside it.
        if (bus is PostgresRealtimeBus && eventData.Context is SwitchboardDbContext { Database.CurrentTransaction: null, HasPendingEvents: true } db)
            db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        return ValueTask.FromResult(result);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext { Database.CurrentTransaction: null } db)
            await FlushAsync(db, cancellationToken);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is SwitchboardDbContext { Database.CurrentTransaction: null } db)
            db.TakePendingWork();
    }

    public async Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db)
            await FlushAsync(db, cancellationToken);
    }

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        (eventData.Context as SwitchboardDbContext)?.TakePendingWork();
        return Task.CompletedTask;
    }

    private async Task FlushAsync(SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var (events, actions) = db.TakePendingWork();
        foreach (var action in actions)
            action();
        if (events.Count == 0)
            return;
        try
        {
            await bus.PublishAsync(events, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change is committed; a lost notification only delays what clients see until they refetch.
            logger.LogWarning(e, "Could not publish {Count} real-time events", events.Count);
        }
    }
}
