using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>SLA policies and each conversation's SLA: its policy, due times and breach flags.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000007_Sla")]
public sealed class M0007_Sla : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.CreateTable("sla_policies", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            name = t.Text(),
            description = t.Text(nullable: true),
            first_response_time_minutes = t.Column<int>(),
            resolution_time_hours = t.Column<int>(),
            conditions = t.Text(),
            is_active = t.Column<bool>(),
            is_default = t.Column<bool>(),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_sla_policies", x => x.id);
            t.ForeignKey("fk_sla_policies_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_sla_policies_tenant_id_name", "sla_policies", ["tenant_id", "name"], unique: true);
        migration.CreateIndex("ix_sla_policies_tenant_id_default", "sla_policies", "tenant_id", unique: true, filter: "is_default");

        // SQLite cannot add a foreign key to an existing table, only a column that carries one.
        if (migration.IsSqlite())
            migration.Sql("""
                ALTER TABLE conversations ADD COLUMN sla_policy_id INTEGER NULL
                    CONSTRAINT fk_conversations_sla_policies_sla_policy_id REFERENCES sla_policies (id) ON DELETE SET NULL;
                """);
        else
        {
            migration.AddColumn<long>("sla_policy_id", "conversations", nullable: true);
            migration.AddForeignKey("fk_conversations_sla_policies_sla_policy_id", "conversations", "sla_policy_id", "sla_policies",
                principalColumn: "id", onDelete: ReferentialAction.SetNull);
        }
        var timestamp = migration.IsSqlite() ? "INTEGER" : "timestamp with time zone";
        migration.AddColumn<long>("sla_first_response_due_at", "conversations", nullable: true, type: timestamp);
        migration.AddColumn<long>("sla_resolution_due_at", "conversations", nullable: true, type: timestamp);
        migration.AddColumn<bool>("sla_first_response_breached", "conversations", defaultValue: false);
        migration.AddColumn<bool>("sla_resolution_breached", "conversations", defaultValue: false);
        migration.CreateIndex("ix_conversations_sla_policy_id", "conversations", "sla_policy_id");
        migration.CreateIndex("ix_conversations_sla_first_response_breached_sla_first_response_due_at", "conversations",
            ["sla_first_response_breached", "sla_first_response_due_at"]);
        migration.CreateIndex("ix_conversations_sla_resolution_breached_sla_resolution_due_at", "conversations",
            ["sla_resolution_breached", "sla_resolution_due_at"]);
    }

    /// <summary>On SQLite the conversation columns stay (dropping a column that holds a foreign key needs a table rebuild);
    /// with the policies gone they are null and unused.</summary>
    protected override void Down(MigrationBuilder migration)
    {
        migration.DropIndex("ix_conversations_sla_resolution_breached_sla_resolution_due_at", "conversations");
        migration.DropIndex("ix_conversations_sla_first_response_breached_sla_first_response_due_at", "conversations");
        migration.DropIndex("ix_conversations_sla_policy_id", "conversations");
        if (!migration.IsSqlite())
        {
            migration.DropForeignKey("fk_conversations_sla_policies_sla_policy_id", "conversations");
            foreach (var column in new[] { "sla_policy_id", "sla_first_response_due_at", "sla_resolution_due_at", "sla_first_response_breached", "sla_resolution_breached" })
                migration.DropColumn(column, "conversations");
        }
        migration.DropTable("sla_policies");
    }
}
