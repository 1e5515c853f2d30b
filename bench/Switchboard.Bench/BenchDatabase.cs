using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Switchboard.Bench;

/// <summary>A throw-away database for one provider: SQLite in a temporary directory, or a PostgreSQL database
/// <c>switchboard_bench_&lt;random&gt;</c> created on the configured server; both removed at the end unless kept.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? postgresAdmin;
    private readonly string? postgresDatabase;
    private readonly bool keep;

    private BenchDatabase(BenchProvider provider, string connectionString, string dataDirectory, string? postgresAdmin, string? postgresDatabase, bool keep)
    {
        Provider = provider;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
        this.postgresAdmin = postgresAdmin;
        this.postgresDatabase = postgresDatabase;
        this.keep = keep;
    }

    public BenchProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The server's Storage:DataDirectory (and, on SQLite, where the database file lives).</summary>
    public string DataDirectory { get; }

    /// <summary>The PostgreSQL server the benchmarks use: <c>SWITCHBOARD_BENCH_POSTGRES</c>, else <c>SWITCHBOARD_TEST_POSTGRES</c>.</summary>
    public static string? PostgresFromEnvironment() =>
        Environment.GetEnvironmentVariable("SWITCHBOARD_BENCH_POSTGRES") is { Length: > 0 } bench
            ? bench
            : Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_POSTGRES") is { Length: > 0 } test ? test : null;

    /// <summary>Fails early, before any seeding, when PostgreSQL is asked for but not configured.</summary>
    public static string? RequirePostgresIf(bool needed)
    {
        var postgres = PostgresFromEnvironment();
        if (needed && postgres is null)
            throw new UsageException("PostgreSQL needs SWITCHBOARD_BENCH_POSTGRES or SWITCHBOARD_TEST_POSTGRES (see bench/README.md).");
        return postgres;
    }

    public static async Task<BenchDatabase> CreateAsync(BenchProvider provider, string? postgresAdmin, bool keep)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("switchboard-bench-").FullName;
        if (provider == BenchProvider.Sqlite)
            return new BenchDatabase(provider, $"Data Source={Path.Combine(dataDirectory, "switchboard.db")};Pooling=True", dataDirectory, null, null, keep);
        var name = $"switchboard_bench_{Guid.NewGuid():N}"[..32];
        await Sql.AdminAsync(postgresAdmin!, $"CREATE DATABASE {name}");
        return new BenchDatabase(provider, new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = name }.ToString(), dataDirectory, postgresAdmin,
            name, keep);
    }

    public DbConnection NewConnection() => Provider == BenchProvider.Postgres
        ? new NpgsqlConnection(ConnectionString)
        : new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = NewConnection();
        return await Sql.ScalarAsync(connection, sql);
    }

    public async Task<long> CountAsync(string sql) => Convert.ToInt64(await ScalarAsync(sql), CultureInfo.InvariantCulture);

    /// <summary>The engine's version, and on PostgreSQL the settings that decide what a commit costs.</summary>
    public async Task<string> DescribeAsync()
    {
        if (Provider == BenchProvider.Sqlite)
            return $"SQLite {await ScalarAsync("SELECT sqlite_version()")} (journal_mode=WAL, file in {DataDirectory})";
        var settings = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "max_connections" })
            settings.Add($"{name}={await ScalarAsync($"SHOW {name}")}");
        return $"PostgreSQL {await ScalarAsync("SHOW server_version")} (collation " +
            $"{await ScalarAsync("SELECT datcollate FROM pg_database WHERE datname = current_database()")}; {string.Join(", ", settings)})";
    }

    /// <summary>Transactions committed or rolled back in this database so far (PostgreSQL's statistics, flushed by the
    /// backends within about a second); null on SQLite.</summary>
    public async Task<long?> TransactionsAsync()
    {
        if (Provider != BenchProvider.Postgres)
            return null;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        return await CountAsync("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
    }

    public async Task<long> SizeAsync() =>
        Provider == BenchProvider.Postgres
            ? await CountAsync("SELECT pg_database_size(current_database())")
            : new DirectoryInfo(DataDirectory).EnumerateFiles().Sum(f => f.Length);

    /// <summary>Where a kept database is, for EXPLAIN afterwards.</summary>
    public string Location => postgresDatabase is null ? ConnectionString : $"database {postgresDatabase}";

    public async ValueTask DisposeAsync()
    {
        if (keep)
        {
            Console.WriteLine($"Kept: {Location}");
            return;
        }
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (postgresDatabase is not null)
            await Sql.AdminAsync(postgresAdmin!, $"DROP DATABASE IF EXISTS {postgresDatabase} WITH (FORCE)");
        Directory.Delete(DataDirectory, recursive: true);
    }
}

public static class Sql
{
    /// <summary>A statement on the server's maintenance connection (CREATE/DROP DATABASE), outside any pool.</summary>
    public static async Task AdminAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(DbConnection connection, string sql)
    {
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return await command.ExecuteScalarAsync();
    }

    public static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }
}
