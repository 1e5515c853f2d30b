using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Stored webhooks are claimed and processed in batches straight from <c>webhook_events</c> (run_at, attempts,
/// last_error) instead of through one job row each; webhooks still waiting become due at once and their jobs go. On
/// PostgreSQL, conversation counts are kept on the writing connection's shard rather than the conversation's: batches that
/// create many conversations at once would otherwise take shard rows in different orders and could deadlock (a shard's
/// count may go below zero; only the sum over shards means anything). Conversation indexes that only serve scans for
/// snoozed, SLA-bound or threaded conversations become partial: every inbound message rewrites its conversation's row.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000009_WebhookProcessing")]
public sealed class M0009_WebhookProcessing : Migration
{
    private static readonly string[] RetiredJobTypes = ["whatsapp.inbound", "twilio.inbound", "email.inbound"];

    /// <summary>Conversation indexes that now hold only the rows their scans look for (see the model's comment).</summary>
    private static readonly (string Name, string[] Columns, string Filter)[] PartialConversationIndexes =
    [
        ("ix_conversations_tenant_id_platform_conversation_id", ["tenant_id", "platform_conversation_id"], "platform_conversation_id IS NOT NULL"),
        ("ix_conversations_status_snoozed_until", ["status", "snoozed_until"], "snoozed_until IS NOT NULL"),
        ("ix_conversations_sla_first_response_breached_sla_first_response_due_at", ["sla_first_response_breached", "sla_first_response_due_at"],
            "sla_first_response_due_at IS NOT NULL"),
        ("ix_conversations_sla_resolution_breached_sla_resolution_due_at", ["sla_resolution_breached", "sla_resolution_due_at"],
            "sla_resolution_due_at IS NOT NULL"),
        ("ix_conversations_sla_policy_id", ["sla_policy_id"], "sla_policy_id IS NOT NULL"),
    ];

    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<int>("attempts", "webhook_events", nullable: false, defaultValue: 0);
        migration.AddNullableTimestamp("run_at", "webhook_events");
        migration.AddColumn<string>("last_error", "webhook_events", nullable: true);
        migration.Sql("UPDATE webhook_events SET run_at = received_at WHERE processed_at IS NULL;");
        migration.Sql($"DELETE FROM jobs WHERE type IN ({string.Join(", ", RetiredJobTypes.Select(t => $"'{t}'"))});");
        migration.CreateIndex("ix_webhook_events_due", "webhook_events", ["run_at", "id"], filter: "run_at IS NOT NULL");
        if (!migration.IsSqlite())
            migration.Sql(CountsFunction("pg_backend_pid() % 8", "pg_backend_pid() % 8"));
        foreach (var (name, columns, filter) in PartialConversationIndexes)
        {
            migration.DropIndex(name, "conversations");
            migration.CreateIndex(name, "conversations", columns, filter: filter);
        }
    }

    /// <summary>The trigger function of M0008 with the shard taken from <paramref name="oldShard"/> and <paramref name="newShard"/>.</summary>
    private static string CountsFunction(string oldShard, string newShard) => $$"""
        CREATE OR REPLACE FUNCTION conversation_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.assigned_to_id IS NOT DISTINCT FROM NEW.assigned_to_id THEN
                RETURN NULL;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                INSERT INTO conversation_counts (tenant_id, assigned_to_id, status, shard, n)
                VALUES (OLD.tenant_id, COALESCE(OLD.assigned_to_id, 0), OLD.status, {{oldShard}}, -1)
                ON CONFLICT (tenant_id, assigned_to_id, status, shard) DO UPDATE SET n = conversation_counts.n - 1;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO conversation_counts (tenant_id, assigned_to_id, status, shard, n)
                VALUES (NEW.tenant_id, COALESCE(NEW.assigned_to_id, 0), NEW.status, {{newShard}}, 1)
                ON CONFLICT (tenant_id, assigned_to_id, status, shard) DO UPDATE SET n = conversation_counts.n + 1;
            END IF;
            RETURN NULL;
        END $$;
        """;

    protected override void Down(MigrationBuilder migration)
    {
        foreach (var (name, columns, _) in PartialConversationIndexes)
        {
            migration.DropIndex(name, "conversations");
            migration.CreateIndex(name, "conversations", columns);
        }
        if (!migration.IsSqlite())
            migration.Sql(CountsFunction("OLD.id % 8", "NEW.id % 8"));
        migration.DropIndex("ix_webhook_events_due", "webhook_events");
        migration.DropColumn("last_error", "webhook_events");
        migration.DropColumn("run_at", "webhook_events");
        migration.DropColumn("attempts", "webhook_events");
    }
}
