using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Switchboard.Migrations;

/// <summary>The few column shapes that differ between providers, so hand-written migrations stay provider-neutral elsewhere.</summary>
internal static class MigrationColumns
{
    public static bool IsSqlite(this MigrationBuilder migration) => migration.ActiveProvider == "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>An identity primary key column.</summary>
    public static OperationBuilder<AddColumnOperation> Identity(this ColumnsBuilder table) =>
        table.Column<long>(nullable: false)
            .Annotation("Sqlite:Autoincrement", true)
            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

    /// <summary>A UTC timestamp: <c>timestamp with time zone</c> on PostgreSQL, UTC ticks on SQLite (see UtcTicksConverter).</summary>
    public static OperationBuilder<AddColumnOperation> Timestamp(this ColumnsBuilder table, MigrationBuilder migration, bool nullable = false) =>
        migration.IsSqlite() ? table.Column<long>(nullable: nullable) : table.Column<DateTimeOffset>(nullable: nullable);

    /// <summary>Adds a nullable UTC timestamp column to an existing table (see <see cref="Timestamp"/>).</summary>
    public static void AddNullableTimestamp(this MigrationBuilder migration, string column, string table)
    {
        if (migration.IsSqlite())
            migration.AddColumn<long>(column, table, nullable: true);
        else
            migration.AddColumn<DateTimeOffset>(column, table, nullable: true);
    }

    public static OperationBuilder<AddColumnOperation> Text(this ColumnsBuilder table, bool nullable = false) =>
        table.Column<string>(nullable: nullable);
}
