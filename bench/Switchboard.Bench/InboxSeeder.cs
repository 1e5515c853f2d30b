using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Switchboard.Bench;

/// <summary>Bulk-loads contacts, conversations and messages into the migrated PostgreSQL schema with binary <c>COPY</c>, the
/// way a large import would: secondary indexes dropped first and rebuilt from their own definitions afterwards, foreign-key
/// triggers skipped (the generator keeps references valid), several COPY streams at once; then VACUUM (ANALYZE).</summary>
public static class InboxSeeder
{
    public sealed record Timings(TimeSpan Load, TimeSpan Indexes, TimeSpan Vacuum, bool ForeignKeyChecksSkipped, int IndexesRebuilt);

    private static readonly string[] Tables = ["contacts", "contact_tags", "conversations", "conversation_tag_links", "messages"];

    public static async Task<Timings> SeedAsync(string connectionString, IReadOnlyList<(InboxTenant Tenant, InboxData Data)> tenants, int streams,
        Action<string> progress)
    {
        await using var admin = new NpgsqlConnection(connectionString);
        await admin.OpenAsync();
        var indexes = await SecondaryIndexesAsync(admin);
        foreach (var (name, _) in indexes)
            await Sql.ExecuteAsync(admin, $"DROP INDEX {name}");

        var watch = Stopwatch.StartNew();
        var skipped = true;
        // Contacts in one stream (their generator is sequential) alongside the conversations in the others.
        var phaseOne = new List<Task<bool>>
        {
            Task.Run(async () =>
            {
                await using var connection = await OpenLoaderAsync(connectionString);
                foreach (var (tenant, _) in tenants)
                    await ContactSeeder.CopyContactsAsync(connection.Connection,
                        ContactData.ForTenant(100 + tenant.Index, tenant.TenantId, tenant.FirstContactId, tenant.Contacts));
                return connection.TriggersSkipped;
            }),
        };
        phaseOne.AddRange(Ranges(tenants, streams).Select(range => Task.Run(() => CopyConversations(connectionString, range))));
        skipped &= (await Task.WhenAll(phaseOne)).All(s => s);
        progress($"contacts and conversations loaded after {watch.Elapsed.TotalSeconds:F0} s");
        skipped &= (await Task.WhenAll(Ranges(tenants, streams).Select(range => Task.Run(() => CopyMessages(connectionString, range, progress)))))
            .All(s => s);
        foreach (var table in new[] { "contacts", "conversations", "messages" })
            await Sql.ExecuteAsync(admin, $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))");
        var load = watch.Elapsed;
        progress($"messages loaded after {load.TotalSeconds:F0} s; rebuilding {indexes.Count} indexes");

        watch.Restart();
        // Two builds at a time (a build is mostly one core), each with room to sort in memory.
        await Parallel.ForEachAsync(indexes, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (index, _) =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await Sql.ExecuteAsync(connection, "SET maintenance_work_mem = '512MB'");
            var started = Stopwatch.GetTimestamp();
            await Sql.ExecuteAsync(connection, index.Definition);
            progress($"  {index.Name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
        });
        var indexTime = watch.Elapsed;

        watch.Restart();
        // VACUUM sets the visibility map (index-only scans need it), as autovacuum would on a live database; ANALYZE the statistics.
        foreach (var table in Tables)
            await Sql.ExecuteAsync(admin, $"VACUUM (ANALYZE) {table}");
        return new Timings(load, indexTime, watch.Elapsed, skipped, indexes.Count);
    }

    /// <summary>Indexes of the loaded tables that no constraint owns (the primary keys stay), with their definitions.</summary>
    private static async Task<List<(string Name, string Definition)>> SecondaryIndexesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(@tables)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY i.tablename, i.indexname
            """, connection);
        command.Parameters.AddWithValue("tables", Tables);
        var indexes = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        return indexes;
    }

    private sealed record Loader(NpgsqlConnection Connection, bool TriggersSkipped) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    /// <summary>A loading session: foreign-key triggers off when the role may do that (superuser), commits not waited for.</summary>
    private static async Task<Loader> OpenLoaderAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await Sql.ExecuteAsync(connection, "SET synchronous_commit = off");
        try
        {
            await Sql.ExecuteAsync(connection, "SET session_replication_role = replica");
            return new Loader(connection, true);
        }
        catch (PostgresException)
        {
            return new Loader(connection, false);
        }
    }

    /// <summary>Splits every tenant's conversations into <paramref name="streams"/> contiguous slices.</summary>
    private static List<List<(InboxTenant Tenant, InboxData Data, int From, int To)>> Ranges(
        IReadOnlyList<(InboxTenant Tenant, InboxData Data)> tenants, int streams)
    {
        var ranges = Enumerable.Range(0, streams).Select(_ => new List<(InboxTenant, InboxData, int, int)>()).ToList();
        foreach (var (tenant, data) in tenants)
        {
            for (var s = 0; s < streams; s++)
            {
                var from = (int)((long)tenant.Conversations * s / streams);
                var to = (int)((long)tenant.Conversations * (s + 1) / streams);
                if (to > from)
                    ranges[s].Add((tenant, data, from, to));
            }
        }
        return ranges;
    }

    private static async Task<bool> CopyConversations(string connectionString, List<(InboxTenant Tenant, InboxData Data, int From, int To)> ranges)
    {
        await using var loader = await OpenLoaderAsync(connectionString);
        using (var writer = loader.Connection.BeginBinaryImport("""
            COPY conversations (id, tenant_id, contact_id, channel_id, platform, platform_conversation_id, status, priority, kind, assigned_to_id,
                department_id, last_message_at, first_response_at, resolved_at, message_count, unread_count, metadata, window_expires_at, created_at,
                updated_at, snoozed_until, last_message_preview) FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var (tenant, data, from, to) in ranges)
            {
                for (var c = from; c < to; c++)
                {
                    var v = data.Conversation(c);
                    writer.StartRow();
                    writer.Write(v.Id, NpgsqlDbType.Bigint);
                    writer.Write(tenant.TenantId, NpgsqlDbType.Bigint);
                    writer.Write(v.ContactId, NpgsqlDbType.Bigint);
                    writer.Write(v.ChannelId, NpgsqlDbType.Bigint);
                    writer.Write("WhatsApp", NpgsqlDbType.Text);
                    writer.WriteNull();
                    writer.Write(v.Status, NpgsqlDbType.Text);
                    writer.Write(v.Priority, NpgsqlDbType.Text);
                    writer.Write("Direct", NpgsqlDbType.Text);
                    WriteNullable(writer, v.AssignedToId, NpgsqlDbType.Bigint);
                    WriteNullable(writer, v.DepartmentId, NpgsqlDbType.Bigint);
                    writer.Write(v.LastMessageAt, NpgsqlDbType.TimestampTz);
                    WriteNullable(writer, v.FirstResponseAt, NpgsqlDbType.TimestampTz);
                    WriteNullable(writer, v.ResolvedAt, NpgsqlDbType.TimestampTz);
                    writer.Write(v.MessageCount, NpgsqlDbType.Integer);
                    writer.Write(v.UnreadCount, NpgsqlDbType.Integer);
                    writer.Write("{}", NpgsqlDbType.Text);
                    writer.Write(v.WindowExpiresAt, NpgsqlDbType.TimestampTz);
                    writer.Write(v.CreatedAt, NpgsqlDbType.TimestampTz);
                    writer.Write(v.LastMessageAt, NpgsqlDbType.TimestampTz);
                    WriteNullable(writer, v.SnoozedUntil, NpgsqlDbType.TimestampTz);
                    writer.Write(v.LastMessagePreview, NpgsqlDbType.Text);
                }
            }
            writer.Complete();
        }

        using var links = loader.Connection.BeginBinaryImport(
            "COPY conversation_tag_links (tenant_id, conversation_id, tag_id) FROM STDIN (FORMAT BINARY)");
        foreach (var (tenant, data, from, to) in ranges)
        {
            for (var c = from; c < to; c++)
            {
                foreach (var tag in data.TagsOf(c))
                {
                    links.StartRow();
                    links.Write(tenant.TenantId, NpgsqlDbType.Bigint);
                    links.Write(tenant.FirstConversationId + c, NpgsqlDbType.Bigint);
                    links.Write(tag, NpgsqlDbType.Bigint);
                }
            }
        }
        links.Complete();
        return loader.TriggersSkipped;
    }

    private static async Task<bool> CopyMessages(string connectionString, List<(InboxTenant Tenant, InboxData Data, int From, int To)> ranges,
        Action<string> progress)
    {
        await using var loader = await OpenLoaderAsync(connectionString);
        using var writer = loader.Connection.BeginBinaryImport("""
            COPY messages (id, tenant_id, conversation_id, channel_id, provider_message_id, direction, type, text, payload, sender_type, agent_id,
                status, sent_at, delivered_at, read_at, failed_at, error_code, error_message, created_at, updated_at, is_template, metadata,
                idempotency_key) FROM STDIN (FORMAT BINARY)
            """);
        long written = 0;
        var watch = Stopwatch.StartNew();
        foreach (var (tenant, data, from, to) in ranges)
        {
            for (var c = from; c < to; c++)
            {
                foreach (var m in data.Messages(c))
                {
                    writer.StartRow();
                    writer.Write(m.Id, NpgsqlDbType.Bigint);
                    writer.Write(tenant.TenantId, NpgsqlDbType.Bigint);
                    writer.Write(m.ConversationId, NpgsqlDbType.Bigint);
                    writer.Write(m.ChannelId, NpgsqlDbType.Bigint);
                    writer.Write(m.ProviderMessageId, NpgsqlDbType.Text);
                    writer.Write(m.Inbound ? "Inbound" : "Outbound", NpgsqlDbType.Text);
                    writer.Write(m.Image ? "Image" : "Text", NpgsqlDbType.Text);
                    WriteNullable(writer, m.Text, NpgsqlDbType.Text);
                    writer.Write(m.Payload, NpgsqlDbType.Text);
                    writer.Write(m.SenderType, NpgsqlDbType.Text);
                    WriteNullable(writer, m.AgentId, NpgsqlDbType.Bigint);
                    writer.Write(m.Status, NpgsqlDbType.Text);
                    WriteNullable(writer, m.SentAt, NpgsqlDbType.TimestampTz);
                    WriteNullable(writer, m.DeliveredAt, NpgsqlDbType.TimestampTz);
                    WriteNullable(writer, m.ReadAt, NpgsqlDbType.TimestampTz);
                    WriteNullable(writer, m.FailedAt, NpgsqlDbType.TimestampTz);
                    WriteNullable(writer, m.ErrorCode, NpgsqlDbType.Text);
                    WriteNullable(writer, m.ErrorMessage, NpgsqlDbType.Text);
                    writer.Write(m.CreatedAt, NpgsqlDbType.TimestampTz);
                    writer.Write(m.ReadAt ?? m.DeliveredAt ?? m.CreatedAt, NpgsqlDbType.TimestampTz);
                    writer.Write(false, NpgsqlDbType.Boolean);
                    writer.Write("{}", NpgsqlDbType.Text);
                    writer.WriteNull();
                    if (++written % 2_000_000 == 0)
                        progress($"  a stream has written {written:N0} messages ({written / watch.Elapsed.TotalSeconds:N0}/s)");
                }
            }
        }
        writer.Complete();
        return loader.TriggersSkipped;
    }

    private static void WriteNullable(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type)
    {
        if (value is null)
            writer.WriteNull();
        else
            writer.Write(value, type);
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v)
            writer.Write(v, type);
        else
            writer.WriteNull();
    }
}
