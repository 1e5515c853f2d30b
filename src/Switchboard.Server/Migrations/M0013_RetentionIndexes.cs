using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Retention finds what to prune by age without reading whole tables: finished webhooks by when they arrived, outbound
/// deliveries by when they were created. Expand-only.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261204000013_RetentionIndexes")]
public sealed class M0013_RetentionIndexes : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.CreateIndex("ix_webhook_events_finished", "webhook_events", "received_at", filter: "run_at IS NULL");
        migration.CreateIndex("ix_webhook_deliveries_created_at", "webhook_deliveries", "created_at");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropIndex("ix_webhook_deliveries_created_at", "webhook_deliveries");
        migration.DropIndex("ix_webhook_events_finished", "webhook_events");
    }
}
