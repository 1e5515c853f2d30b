namespace Switchboard.Platform.Database;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (embedded default, one node) or <c>Postgres</c> (production, several nodes).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the server starts (the <c>migrate</c> command does the same on demand).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
