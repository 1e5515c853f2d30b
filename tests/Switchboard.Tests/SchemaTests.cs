using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>The hand-written migrations must build exactly the schema the EF model describes, on both providers.</summary>
[Collection(ServerCollection.Name)]
public sealed class SchemaTests(Servers servers)
{
    [Theory, Providers]
    public async Task Migrations_AppliedToAnEmptyDatabase_ProduceExactlyTheModelSchema(DatabaseProvider provider)
    {
        // The shared server's database started empty and was migrated at start-up.
        var factory = await servers.ForAsync(provider);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();

        var expected = ModelSchema(db.GetService<IDesignTimeModel>().Model.GetRelationalModel(), provider);
        var actual = await DatabaseSchemaAsync(db, provider);

        Assert.Empty(expected.Except(actual));
        Assert.Empty(actual.Except(expected));
        Assert.Contains("table contacts", actual);
    }

    [Theory, Providers]
    public async Task Migrate_RunBySeveralNodesAtOnce_AppliesEachMigrationOnce(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var nodes = Enumerable.Range(0, 3).Select(_ =>
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider.ToString(),
                ["ConnectionStrings:Switchboard"] = database.ConnectionString,
            }).Build();
            return new ServiceCollection().AddLogging().AddSwitchboardDatabase(configuration).BuildServiceProvider();
        }).ToList();

        await Task.WhenAll(nodes.Select(node => DatabaseSetup.MigrateAsync(node)));

        await using var scope = nodes[0].CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var applied = (await db.Database.GetAppliedMigrationsAsync()).ToList();
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        foreach (var node in nodes)
            await node.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_OnSqlite_AfterAMigratorCrashedHoldingEfsLock_StillStarts()
    {
        // A process killed mid-migration leaves its row in EF's lock table; the next start must not wait for it forever.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite", ["ConnectionStrings:Switchboard"] = database.ConnectionString,
        }).Build();
        await using var node = new ServiceCollection().AddLogging().AddSwitchboardDatabase(configuration).BuildServiceProvider();
        await DatabaseSetup.MigrateAsync(node);
        await using (var scope = node.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
            await db.Database.ExecuteSqlRawAsync("INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-04 10:00:00')");
        }

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var migrating = DatabaseSetup.MigrateAsync(node, patience.Token);
        Assert.Same(migrating, await Task.WhenAny(migrating, Task.Delay(TimeSpan.FromSeconds(25))));
        await migrating;
    }

    private static HashSet<string> ModelSchema(IRelationalModel model, DatabaseProvider provider)
    {
        var schema = new HashSet<string>();
        foreach (var table in model.Tables)
        {
            schema.Add($"table {table.Name}");
            foreach (var column in table.Columns)
                schema.Add($"column {table.Name}.{column.Name} {NormalizeType(column.StoreType)} {(column.IsNullable ? "null" : "not null")}");
            schema.Add($"pk {table.Name}({string.Join(",", table.PrimaryKey!.Columns.Select(c => c.Name))})");
            foreach (var index in table.Indexes)
            {
                var method = provider == DatabaseProvider.Postgres ? " " + (index.MappedIndexes.First()["Npgsql:IndexMethod"] as string ?? "btree") : "";
                schema.Add($"index {table.Name}({string.Join(",", index.Columns.Select(c => c.Name))}){(index.IsUnique ? " unique" : "")}{method}");
            }
            foreach (var foreignKey in table.ForeignKeyConstraints)
            {
                schema.Add($"fk {table.Name}({string.Join(",", foreignKey.Columns.Select(c => c.Name))}) -> {foreignKey.PrincipalTable.Name} " +
                    foreignKey.OnDeleteAction.ToString().ToLowerInvariant() switch { "setnull" => "set null", "noaction" or "restrict" => "no action", var other => other });
            }
        }
        return schema;
    }

    private static string NormalizeType(string type) => type.ToLowerInvariant();

    private static async Task<HashSet<string>> DatabaseSchemaAsync(SwitchboardDbContext db, DatabaseProvider provider)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            return provider == DatabaseProvider.Sqlite ? await SqliteSchemaAsync(connection) : await PostgresSchemaAsync(connection);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static readonly string[] EfTables = ["__EFMigrationsHistory", "__EFMigrationsLock", "sqlite_sequence"];

    private static async Task<List<string[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        return rows;
    }

    private static async Task<HashSet<string>> SqliteSchemaAsync(DbConnection connection)
    {
        var schema = new HashSet<string>();
        var tables = (await QueryAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table'")).Select(r => r[0]).Except(EfTables).ToList();
        foreach (var table in tables)
        {
            schema.Add($"table {table}");
            var columns = await QueryAsync(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')");
            foreach (var column in columns)
                schema.Add($"column {table}.{column[0]} {NormalizeType(column[1])} {(column[2] == "1" ? "not null" : "null")}");
            schema.Add($"pk {table}({string.Join(",", columns.Where(c => c[3] != "0").OrderBy(c => int.Parse(c[3])).Select(c => c[0]))})");
            foreach (var index in await QueryAsync(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}') WHERE origin = 'c'"))
            {
                var indexColumns = (await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{index[0]}') ORDER BY seqno")).Select(r => r[0]);
                schema.Add($"index {table}({string.Join(",", indexColumns)}){(index[1] == "1" ? " unique" : "")}");
            }
            foreach (var foreignKey in (await QueryAsync(connection, $"SELECT id, \"table\", \"from\", on_delete FROM pragma_foreign_key_list('{table}') ORDER BY id, seq"))
                     .GroupBy(r => r[0]))
            {
                var first = foreignKey.First();
                schema.Add($"fk {table}({string.Join(",", foreignKey.Select(r => r[2]))}) -> {first[1]} {first[3].ToLowerInvariant().Replace("restrict", "no action")}");
            }
        }
        return schema;
    }

    private static async Task<HashSet<string>> PostgresSchemaAsync(DbConnection connection)
    {
        var schema = new HashSet<string>();
        foreach (var row in await QueryAsync(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
        {
            if (!EfTables.Contains(row[0]))
                schema.Add($"table {row[0]}");
        }
        foreach (var row in await QueryAsync(connection, "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'"))
        {
            if (!EfTables.Contains(row[0]))
                schema.Add($"column {row[0]}.{row[1]} {NormalizeType(row[2])} {(row[3] == "YES" ? "null" : "not null")}");
        }
        const string indexes = """
            SELECT t.relname, i.indisprimary, i.indisunique, am.amname,
                   (SELECT string_agg(a.attname, ',' ORDER BY k.ordinality)
                    FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_class ix ON ix.oid = i.indexrelid
            JOIN pg_am am ON am.oid = ix.relam
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public'
            """;
        foreach (var row in await QueryAsync(connection, indexes))
        {
            if (EfTables.Contains(row[0]))
                continue;
            schema.Add(row[1] == "True" ? $"pk {row[0]}({row[4]})" : $"index {row[0]}({row[4]}){(row[2] == "True" ? " unique" : "")} {row[3]}");
        }
        const string foreignKeys = """
            SELECT t.relname, p.relname, c.confdeltype,
                   (SELECT string_agg(a.attname, ',' ORDER BY k.ordinality)
                    FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ordinality)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_class p ON p.oid = c.confrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype = 'f' AND n.nspname = 'public'
            """;
        foreach (var row in await QueryAsync(connection, foreignKeys))
        {
            var action = row[2] switch { "c" => "cascade", "n" => "set null", _ => "no action" };
            schema.Add($"fk {row[0]}({row[3]}) -> {row[1]} {action}");
        }
        return schema;
    }
}
