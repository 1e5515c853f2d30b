using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Stored webhooks are claimed and processed in batches straight from <c>webhook_events</c> (run_at, attempts,
/// last_error) instead of through one job row each; webhooks still waiting become due at once and their jobs go.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000009_WebhookProcessing")]
public sealed class M0009_WebhookProcessing : Migration
{
    private static readonly string[] RetiredJobTypes = ["whatsapp.inbound", "twilio.inbound", "email.inbound"];

    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<int>("attempts", "webhook_events", nullable: false, defaultValue: 0);
        if (migration.IsSqlite())
            migration.AddColumn<long>("run_at", "webhook_events", nullable: true);
        else
            migration.AddColumn<DateTimeOffset>("run_at", "webhook_events", nullable: true);
        migration.AddColumn<string>("last_error", "webhook_events", nullable: true);
        migration.Sql("UPDATE webhook_events SET run_at = received_at WHERE processed_at IS NULL;");
        migration.Sql($"DELETE FROM jobs WHERE type IN ({string.Join(", ", RetiredJobTypes.Select(t => $"'{t}'"))});");
        migration.CreateIndex("ix_webhook_events_due", "webhook_events", ["run_at", "id"], filter: "run_at IS NOT NULL");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropIndex("ix_webhook_events_due", "webhook_events");
        migration.DropColumn("last_error", "webhook_events");
        migration.DropColumn("run_at", "webhook_events");
        migration.DropColumn("attempts", "webhook_events");
    }
}
