using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>What a tenant manages moves off the global user row: the provider and time-clock flags and the last sign-in
/// become per membership (copied over). Invitations hold a tenant's offer to an existing account until the person accepts.
/// The per-account hard lockout gives way to <c>sign_in_throttles</c>, which count failures per typed email (hashed),
/// known account or not. Expand-only: the retired <c>users</c> columns stay for nodes of the previous release during a
/// rolling upgrade (a later migration drops them).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261201000012_MembershipsAndInvitations")]
public sealed class M0012_MembershipsAndInvitations : Migration
{
    private static readonly string[] MovedToMemberships = ["is_provider", "is_time_clock_user", "last_sign_in_at"];

    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<bool>("is_provider", "memberships", nullable: false, defaultValue: false);
        migration.AddColumn<bool>("is_time_clock_user", "memberships", nullable: false, defaultValue: false);
        migration.AddNullableTimestamp("last_sign_in_at", "memberships");
        migration.Sql("""
            UPDATE memberships SET
                is_provider = (SELECT u.is_provider FROM users u WHERE u.id = memberships.user_id),
                is_time_clock_user = (SELECT u.is_time_clock_user FROM users u WHERE u.id = memberships.user_id),
                last_sign_in_at = (SELECT u.last_sign_in_at FROM users u WHERE u.id = memberships.user_id)
            """);

        migration.CreateTable("invitations", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            user_id = t.Column<long>(),
            name = t.Text(),
            role = t.Text(),
            is_provider = t.Column<bool>(),
            is_time_clock_user = t.Column<bool>(),
            invited_by_id = t.Column<long>(nullable: true),
            created_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_invitations", x => x.id);
            t.ForeignKey("fk_invitations_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_invitations_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_invitations_users_invited_by_id", x => x.invited_by_id, "users", "id", onDelete: ReferentialAction.SetNull);
        });
        migration.CreateIndex("ix_invitations_tenant_id_user_id", "invitations", ["tenant_id", "user_id"], unique: true);
        migration.CreateIndex("ix_invitations_user_id", "invitations", "user_id");
        migration.CreateIndex("ix_invitations_invited_by_id", "invitations", "invited_by_id");

        migration.CreateTable("sign_in_throttles", t => new
        {
            key = t.Text(),
            failures = t.Column<int>(),
            window_started_at = t.Timestamp(migration),
            blocked_until = t.Timestamp(migration, nullable: true),
        }, constraints: t => t.PrimaryKey("pk_sign_in_throttles", x => x.key));
        migration.CreateIndex("ix_sign_in_throttles_window_started_at", "sign_in_throttles", "window_started_at");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropTable("sign_in_throttles");
        migration.DropTable("invitations");
        migration.Sql("""
            UPDATE users SET
                is_provider = EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.is_provider),
                is_time_clock_user = EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.is_time_clock_user),
                last_sign_in_at = (SELECT MAX(m.last_sign_in_at) FROM memberships m WHERE m.user_id = users.id)
            """);
        foreach (var column in MovedToMemberships)
            DropColumnInPlace(migration, column, "memberships");
    }

    /// <summary>SQLite drops a plain column in place (3.35+); EF's generic DropColumn would rebuild the table, which other
    /// tables reference with cascading keys.</summary>
    private static void DropColumnInPlace(MigrationBuilder migration, string column, string table)
    {
        if (migration.IsSqlite())
            migration.Sql($"ALTER TABLE {table} DROP COLUMN {column}");
        else
            migration.DropColumn(column, table);
    }
}
