using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Provider channels (WhatsApp, Twilio, email, web chat) and their department routing.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000003_Channels")]
public sealed class M0003_Channels : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.CreateTable("channels", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            type = t.Text(),
            name = t.Text(),
            status = t.Text(),
            settings = t.Text(),
            secrets_ciphertext = t.Text(nullable: true),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_channels", x => x.id);
            t.ForeignKey("fk_channels_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_channels_tenant_id_name", "channels", ["tenant_id", "name"], unique: true);

        migration.CreateTable("channel_departments", t => new
        {
            tenant_id = t.Column<long>(),
            channel_id = t.Column<long>(),
            department_id = t.Column<long>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_channel_departments", x => new { x.channel_id, x.department_id });
            t.ForeignKey("fk_channel_departments_channels_channel_id", x => x.channel_id, "channels", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_channel_departments_departments_department_id", x => x.department_id, "departments", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_channel_departments_tenant_id_department_id", "channel_departments", ["tenant_id", "department_id"]);
        migration.CreateIndex("ix_channel_departments_department_id", "channel_departments", "department_id");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropTable("channel_departments");
        migration.DropTable("channels");
    }
}
