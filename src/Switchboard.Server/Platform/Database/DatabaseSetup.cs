using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Platform.Realtime;

namespace Switchboard.Platform.Database;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Switchboard";

    public static IServiceCollection AddSwitchboardDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(options);
        services.AddScoped<TenantContext>();
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        services.AddSwitchboardRealtime(options.Provider, connectionString);
        if (options.Provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Switchboard is empty.");
        // Worked out once: the options below are built for every request's DbContext.
        var effectiveConnectionString = options.Provider == DatabaseProvider.Postgres
            ? TunedForTheApp(connectionString!)
            : connectionString ?? DefaultSqliteConnectionString(configuration);
        services.AddDbContext<SwitchboardDbContext>((provider, builder) =>
        {
            builder.AddInterceptors(provider.GetRequiredService<PublishAfterCommitInterceptor>(), Identity.AccessChangeInterceptor.Instance);
            if (options.Provider == DatabaseProvider.Postgres)
                builder.UseNpgsql(effectiveConnectionString);
            else
                builder.UseSqlite(effectiveConnectionString).AddInterceptors(SqliteBusyTimeout.Instance);
            // Migrations are hand-written (no design-time tooling here), so there is no model snapshot to compare with;
            // the schema test compares the migrated database with the model instead.
            builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        });
        return services;
    }

    /// <summary>Real-time fan-out: in process on SQLite (one node), over LISTEN/NOTIFY on PostgreSQL (any number of nodes).</summary>
    private static void AddSwitchboardRealtime(this IServiceCollection services, DatabaseProvider provider, string? connectionString)
    {
        services.AddSingleton<PublishAfterCommitInterceptor>();
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(RealtimeOptions.Section).Get<RealtimeOptions>() ?? new RealtimeOptions());
        if (provider == DatabaseProvider.Postgres && !string.IsNullOrWhiteSpace(connectionString))
        {
            // Its own small pool: a LISTEN connection stays open for the node's lifetime.
            // TCP keepalive lets the LISTEN connection notice a peer that vanished even between heartbeats.
            services.AddSingleton(_ => new Npgsql.NpgsqlDataSourceBuilder(connectionString)
            {
                Name = "realtime", ConnectionStringBuilder = { TcpKeepAlive = true, TcpKeepAliveTime = 10, TcpKeepAliveInterval = 5 },
            }.Build());
            services.AddSingleton<PostgresRealtimeBus>();
            services.AddSingleton<IRealtimeBus>(sp => sp.GetRequiredService<PostgresRealtimeBus>());
            services.AddSingleton<PostgresRealtimeListener>();
            services.AddHostedService(sp => sp.GetRequiredService<PostgresRealtimeListener>());
        }
        else
        {
            services.AddSingleton<IRealtimeBus, InProcessRealtimeBus>();
        }
    }

    /// <summary>The app's PostgreSQL sessions: no parallel workers (they cost tens of milliseconds to start, more than the short
    /// filtered list queries they speed up, measured in bench/) unless the connection string sets its own Options; automatic
    /// preparation of the statements every message runs; and no session reset when a connection goes back to the pool — the
    /// app leaves no session state (its advisory locks are transaction-scoped), and the reset was four statements on every one
    /// of the hundreds of pool returns a second under load.</summary>
    private static string TunedForTheApp(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        builder.Options ??= "-c max_parallel_workers_per_gather=0";
        if (builder.MaxAutoPrepare == 0)
            builder.MaxAutoPrepare = 64;
        builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    private static string DefaultSqliteConnectionString(IConfiguration configuration)
    {
        var directory = Path.GetFullPath(configuration["Storage:DataDirectory"] ?? "data");
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, "switchboard.db")};Pooling=True";
    }

    /// <summary>Applies pending migrations; several nodes may run this at once. On PostgreSQL a session-level advisory lock
    /// serialises them: EF's own migration lock there is released between migrations, so a second node could re-apply
    /// one the first had just committed (the concurrent-migration test caught it). On SQLite an exclusive lock on a file
    /// beside the database serialises them; the operating system drops it when its process dies, so holding it proves that a
    /// row left in EF's lock table is a crashed migrator's, which would otherwise make every later start wait forever.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        if (db.IsSqlite)
        {
            // Write-ahead logging lets readers go on while a writer commits.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            await using var migrating = await ExclusiveFileLock.AcquireAsync(Path.GetFullPath(file) + ".migration-lock", cancellationToken);
            var efLockTable = await db.Database.SqlQueryRaw<long>(
                "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'").SingleAsync(cancellationToken);
            if (efLockTable > 0)
                await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsLock\"", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Arbitrary, fixed: the advisory-lock id every Switchboard node uses for migrations.</summary>
    private const long MigrationLockKey = 0x5357_4254_4D49_4752; // "SWBTMIGR"
}

/// <summary>An exclusive lock on a file, held until disposed or until the process ends (the operating system releases it).</summary>
internal sealed class ExclusiveFileLock : IAsyncDisposable
{
    private readonly FileStream stream;

    private ExclusiveFileLock(FileStream stream) => this.stream = stream;

    public static async Task<ExclusiveFileLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new ExclusiveFileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                // Another migrator holds it.
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}

/// <summary>Lets SQLite itself wait for its write lock (retrying within a millisecond or two) instead of answering "busy" at
/// once: Microsoft.Data.Sqlite would then sleep 150 ms before each retry, and with several writers (webhook intake, the
/// webhook processor, requests) those sleeps became most of a message's way to the agent.</summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public static readonly SqliteBusyTimeout Instance = new();

    private const string Pragma = "PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
