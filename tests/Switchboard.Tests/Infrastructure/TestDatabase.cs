using Npgsql;
using Switchboard.Platform.Database;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A fresh, empty database on one provider: a temp SQLite file, or a new database on the PostgreSQL server named
/// by <c>SWITCHBOARD_TEST_POSTGRES</c> (test.sh starts a private one). Without that variable PostgreSQL tests fail, never skip.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "SWITCHBOARD_TEST_POSTGRES";

    private TestDatabase(DatabaseProvider provider, string connectionString, string? postgresName, string directory)
    {
        Provider = provider;
        ConnectionString = connectionString;
        this.postgresName = postgresName;
        Directory = directory;
    }

    private readonly string? postgresName;

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    /// <summary>A private folder for the server's files (imports, SQLite database).</summary>
    public string Directory { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var directory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (provider == DatabaseProvider.Sqlite)
            return new TestDatabase(provider, $"Data Source={Path.Combine(directory, "test.db")};Pooling=True", null, directory);

        var server = AdminConnectionString();
        var name = "sbtest_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 40 };
        return new TestDatabase(provider, builder.ConnectionString, name, directory);
    }

    public static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"PostgreSQL tests need {PostgresVariable} (a connection string to a server where databases may be created). " +
                "./test.sh starts a private cluster and sets it.");

    public async ValueTask DisposeAsync()
    {
        if (postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(AdminConnectionString());
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {postgresName} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a pooled SQLite connection; the temp folder is cleaned by the OS.
        }
    }
}
