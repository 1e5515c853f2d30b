using System.Data.Common;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NpgsqlTypes;
using Switchboard.Platform.Database;
using Switchboard.Platform.Security;

namespace Switchboard.Channels;

/// <summary>A verified provider delivery waiting to be stored; <see cref="Stored"/> completes once it is committed (true) or
/// found to be a re-delivery (false).</summary>
public sealed record PendingWebhook(long TenantId, long ChannelId, string Payload, string DeliveryKey)
{
    public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Stores verified webhooks with group commit: requests that arrive together are written in one statement and
/// transaction (duplicates skipped by the unique delivery key, each new one due for <see cref="WebhookProcessor"/> at once),
/// and each request is answered only once its delivery is committed. One round trip per batch instead of several per request is what lets a node accept
/// thousands of webhooks a second; under light load a batch is a single delivery, so nothing waits for company.</summary>
public sealed class WebhookWriter(IServiceScopeFactory scopes, WebhookProcessor processor, TimeProvider clock, ILogger<WebhookWriter> logger)
    : BackgroundService
{
    private const int MaxBatch = 512;
    private readonly Channel<PendingWebhook> queue = System.Threading.Channels.Channel.CreateBounded<PendingWebhook>(new BoundedChannelOptions(20_000)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
    });

    public async Task<bool> StoreAsync(PendingWebhook webhook, CancellationToken cancellationToken)
    {
        await queue.Writer.WriteAsync(webhook, cancellationToken);
        return await webhook.Stored.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingWebhook>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var next))
                batch.Add(next);
            if (!await TryWriteAsync(batch, stoppingToken) && batch.Count > 1)
            {
                // One delivery can fail the statement for all (a value the database refuses): each goes again on its own, so
                // only that one is answered 500 and everyone else's is stored.
                foreach (var webhook in batch)
                    await TryWriteAsync([webhook], stoppingToken);
            }
            batch.Clear();
        }
    }

    /// <summary>Stores <paramref name="batch"/> and answers its requests; false (nothing answered) when the commit failed, or
    /// for a batch of one, answers it with the error: its request gets a 500 and the provider delivers again.</summary>
    private async Task<bool> TryWriteAsync(List<PendingWebhook> batch, CancellationToken stoppingToken)
    {
        try
        {
            var stored = await WriteAsync(batch, stoppingToken);
            for (var i = 0; i < batch.Count; i++)
                batch[i].Stored.TrySetResult(stored[i]);
            if (stored.Any(s => s))
                processor.Notify();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Could not store {Count} webhooks", batch.Count);
            if (batch.Count == 1)
                batch[0].Stored.TrySetException(e);
            return false;
        }
    }

    /// <summary>Which of <paramref name="batch"/> were new, in order. The same delivery twice in one batch is new once.</summary>
    private async Task<bool[]> WriteAsync(List<PendingWebhook> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var now = clock.GetUtcNow();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var ids = db.IsSqlite
            ? await InsertEventsSqliteAsync(connection, batch, now, cancellationToken)
            : await InsertEventsPostgresAsync((NpgsqlConnection)connection, batch, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ids.Select(id => id is not null).ToArray();
    }

    private static async Task<long?[]> InsertEventsPostgresAsync(NpgsqlConnection connection, List<PendingWebhook> batch, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO webhook_events (tenant_id, channel_id, payload, payload_hash, received_at, run_at)
            SELECT t, c, p, k, r, r FROM unnest(@tenants, @channels, @payloads, @keys, @received) AS w(t, c, p, k, r)
            ON CONFLICT (channel_id, payload_hash) DO NOTHING
            RETURNING id, channel_id, payload_hash
            """, connection);
        insert.Parameters.Add(new NpgsqlParameter<long[]>("tenants", batch.Select(w => w.TenantId).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<long[]>("channels", batch.Select(w => w.ChannelId).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("payloads", batch.Select(w => w.Payload).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("keys", batch.Select(w => w.DeliveryKey).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("received", batch.Select(_ => now).ToArray())
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        var inserted = new Dictionary<(long, string), long>();
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                inserted[(reader.GetInt64(1), reader.GetString(2))] = reader.GetInt64(0);
        }
        // A key inserted once belongs to the first request that brought it; later ones in the batch are re-deliveries.
        return batch.Select(w => inserted.Remove((w.ChannelId, w.DeliveryKey), out var id) ? id : (long?)null).ToArray();
    }

    private static async Task<long?[]> InsertEventsSqliteAsync(DbConnection connection, List<PendingWebhook> batch, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO webhook_events (tenant_id, channel_id, payload, payload_hash, received_at, run_at) VALUES ($tenant, $channel, $payload, $key, $received, $received)
            ON CONFLICT (channel_id, payload_hash) DO NOTHING RETURNING id
            """;
        var parameters = new[] { "$tenant", "$channel", "$payload", "$key", "$received" }.Select(name =>
        {
            var p = insert.CreateParameter();
            p.ParameterName = name;
            insert.Parameters.Add(p);
            return p;
        }).ToArray();
        var ids = new long?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var w = batch[i];
            (parameters[0].Value, parameters[1].Value, parameters[2].Value, parameters[3].Value, parameters[4].Value) =
                (w.TenantId, w.ChannelId, w.Payload, w.DeliveryKey, now.UtcTicks);
            ids[i] = await insert.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
        }
        return ids;
    }
}

/// <summary>Channels as webhooks see them, kept for <see cref="Lifetime"/>: every delivery names its channel, and looking it
/// up and decrypting its secrets on each one would cost more than storing it. Anyone can name any channel id in a webhook URL,
/// so only channels that exist are kept (a miss is looked up again each time, never stored), and at most
/// <see cref="WebhookProcessingOptions.ChannelCacheSize"/> of them. A change made on this node is seen at once
/// (<see cref="Forget"/>); another node sees it within the lifetime.</summary>
public sealed class WebhookChannelCache(IServiceScopeFactory scopes, SecretProtector protector, WebhookProcessingOptions options) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly MemoryCache entries = new(new MemoryCacheOptions { SizeLimit = options.ChannelCacheSize });

    /// <summary>Channels held now.</summary>
    internal int Count => entries.Count;

    /// <summary>The channel with its secrets, whatever its type or status (callers decide), or null if there is none.</summary>
    public async Task<(Channel Channel, JsonObject Secrets)?> GetAsync(long channelId, CancellationToken cancellationToken)
    {
        if (!entries.TryGetValue(channelId, out (Channel Channel, string? Secrets) entry))
        {
            // Its own scope, so a webhook whose channel is cached never creates a DbContext.
            await using var scope = scopes.CreateAsyncScope();
            var channel = await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().Channels.IgnoreQueryFilters().AsNoTracking()
                .FirstOrDefaultAsync(c => c.Id == channelId, cancellationToken);
            if (channel is null)
                return null;
            entry = (channel, channel.SecretsCiphertext is null ? null : protector.Unprotect(channel.SecretsCiphertext));
            // Past the size limit the entry is not stored, and the cache compacts itself, oldest use first.
            entries.Set(channelId, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        }
        // Each caller gets its own secrets object: JSON nodes are not safe to share between threads.
        return (entry.Channel, entry.Secrets is null ? [] : JsonNode.Parse(entry.Secrets) as JsonObject ?? []);
    }

    public void Forget(long channelId) => entries.Remove(channelId);

    public void Dispose() => entries.Dispose();
}
