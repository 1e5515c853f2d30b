using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

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
        services.AddDbContext<SwitchboardDbContext>(builder =>
        {
            if (options.Provider == DatabaseProvider.Postgres)
            {
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Switchboard is empty.");
                builder.UseNpgsql(connectionString);
            }
            else
            {
                builder.UseSqlite(connectionString ?? DefaultSqliteConnectionString(configuration));
            }
            // Migrations are hand-written (no design-time tooling here), so there is no model snapshot to compare with;
            // the schema test compares the migrated database with the model instead.
            builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        });
        return services;
    }

    private static string DefaultSqliteConnectionString(IConfiguration configuration)
    {
        var directory = Path.GetFullPath(configuration["Storage:DataDirectory"] ?? "data");
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, "switchboard.db")};Pooling=True";
    }

    /// <summary>Applies pending migrations. EF takes a database-wide migration lock, so several nodes may run this at once.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        if (db.IsSqlite)
        {
            // Write-ahead logging lets readers go on while a writer commits.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
    }
}
