using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Switchboard.Bench;

/// <summary>Bulk-loads contacts and their tags straight into the migrated schema, bypassing EF: a million rows through change
/// tracking would take longer than the benchmark itself.</summary>
public static class ContactSeeder
{
    public sealed record Timings(TimeSpan Contacts, TimeSpan Analyze);

    public static async Task<Timings> SeedSqliteAsync(string connectionString, IReadOnlyList<long> tenantIds, int perTenant)
    {
        // A private connection: no pool to leave behind, and the speed-ups below stay off the server's connections.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;");

        var watch = Stopwatch.StartNew();
        for (var t = 0; t < tenantIds.Count; t++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO contacts (id, tenant_id, name, email, phone, extra_phones, wa_id, whatsapp_opt_in, whatsapp_opt_in_at,
                    whatsapp_opt_in_source, custom_attributes, search_text, created_at, updated_at)
                VALUES ($id, $tenant, $name, $email, $phone, '[]', $wa, $optIn, $optInAt, $optInSource, '{}', $search, $created, $created)
                """;
            var p = new[] { "$id", "$tenant", "$name", "$email", "$phone", "$wa", "$optIn", "$optInAt", "$optInSource", "$search", "$created" }
                .Select(n => insert.Parameters.AddWithValue(n, DBNull.Value)).ToArray();
            await using var tag = connection.CreateCommand();
            tag.CommandText = "INSERT INTO contact_tags (tenant_id, contact_id, tag) VALUES ($tenant, $contact, $tag)";
            var tagTenant = tag.Parameters.Add("$tenant", SqliteType.Integer);
            var tagContact = tag.Parameters.Add("$contact", SqliteType.Integer);
            var tagName = tag.Parameters.Add("$tag", SqliteType.Text);
            insert.Prepare();
            tag.Prepare();

            foreach (var c in ContactData.ForTenant(t, tenantIds[t], FirstId(t, perTenant), perTenant))
            {
                // Timestamps are UTC ticks on SQLite (the server's UtcTicksConverter).
                p[0].Value = c.Id; p[1].Value = c.TenantId; p[2].Value = c.Name; p[3].Value = c.Email; p[4].Value = c.Phone;
                p[5].Value = (object?)c.WaId ?? DBNull.Value; p[6].Value = c.WhatsAppOptIn is { } o ? (o ? 1 : 0) : DBNull.Value;
                p[7].Value = c.WhatsAppOptInAt is { } at ? at.UtcTicks : DBNull.Value; p[8].Value = (object?)c.WhatsAppOptInSource ?? DBNull.Value;
                p[9].Value = c.SearchText; p[10].Value = c.CreatedAt.UtcTicks;
                insert.ExecuteNonQuery();
                if (c.Tag is not null)
                {
                    (tagTenant.Value, tagContact.Value, tagName.Value) = (c.TenantId, c.Id, c.Tag);
                    tag.ExecuteNonQuery();
                }
            }
            await transaction.CommitAsync();
        }
        var contacts = watch.Elapsed;

        watch.Restart();
        await ExecuteAsync(connection, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
        return new Timings(contacts, watch.Elapsed);
    }

    public static async Task<Timings> SeedPostgresAsync(string connectionString, IReadOnlyList<long> tenantIds, int perTenant)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var watch = Stopwatch.StartNew();
        for (var t = 0; t < tenantIds.Count; t++)
            await CopyContactsAsync(connection, ContactData.ForTenant(t, tenantIds[t], FirstId(t, perTenant), perTenant));
        // Ids were given explicitly; the identity sequence must continue after them for contacts the API creates.
        await ExecuteAsync(connection, "SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT max(id) FROM contacts));");
        var contacts = watch.Elapsed;

        watch.Restart();
        await ExecuteAsync(connection, "ANALYZE;");
        return new Timings(contacts, watch.Elapsed);
    }

    /// <summary>Binary <c>COPY</c> of contacts and their tags (ids given, so the caller must move the identity sequence on).</summary>
    public static async Task CopyContactsAsync(NpgsqlConnection connection, IEnumerable<SeedContact> contacts)
    {
        var tags = new List<SeedContact>();
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY contacts (id, tenant_id, name, email, phone, extra_phones, wa_id, whatsapp_opt_in, whatsapp_opt_in_at,
                whatsapp_opt_in_source, custom_attributes, search_text, created_at, updated_at) FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var c in contacts)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(c.Id, NpgsqlDbType.Bigint);
                await writer.WriteAsync(c.TenantId, NpgsqlDbType.Bigint);
                await writer.WriteAsync(c.Name, NpgsqlDbType.Text);
                await writer.WriteAsync(c.Email, NpgsqlDbType.Text);
                await writer.WriteAsync(c.Phone, NpgsqlDbType.Text);
                await writer.WriteAsync("[]", NpgsqlDbType.Text);
                await WriteNullableAsync(writer, c.WaId, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, c.WhatsAppOptIn, NpgsqlDbType.Boolean);
                await WriteNullableAsync(writer, c.WhatsAppOptInAt, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(writer, c.WhatsAppOptInSource, NpgsqlDbType.Text);
                await writer.WriteAsync("{}", NpgsqlDbType.Text);
                await writer.WriteAsync(c.SearchText, NpgsqlDbType.Text);
                await writer.WriteAsync(c.CreatedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(c.CreatedAt, NpgsqlDbType.TimestampTz);
                if (c.Tag is not null)
                    tags.Add(c);
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY contact_tags (tenant_id, contact_id, tag) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var c in tags)
                await writer.WriteRowAsync(default, c.TenantId, c.Id, c.Tag!);
            await writer.CompleteAsync();
        }
    }

    /// <summary>Tenants get disjoint id ranges, so contact ids are known before insert and tags can reference them.</summary>
    private static long FirstId(int tenantIndex, int perTenant) => 1 + (long)tenantIndex * perTenant;

    private static Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type) =>
        value is null ? writer.WriteNullAsync() : writer.WriteAsync(value, type);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type) where T : struct =>
        value is { } v ? writer.WriteAsync(v, type) : writer.WriteNullAsync();

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
