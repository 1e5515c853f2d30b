using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Outbound messages remember that a send was handed to the provider and not yet answered (see
/// <c>Message.SendStartedAt</c>), so a send interrupted by a crash is never repeated blindly. The idempotency-key index
/// holds only the messages that have a key (agents' sends), not every inbound message.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000011_MessageSendStarted")]
public sealed class M0011_MessageSendStarted : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddNullableTimestamp("send_started_at", "messages");
        migration.DropIndex(IdempotencyIndex, "messages");
        migration.CreateIndex(IdempotencyIndex, "messages", ["conversation_id", "idempotency_key"], unique: true, filter: "idempotency_key IS NOT NULL");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropIndex(IdempotencyIndex, "messages");
        migration.CreateIndex(IdempotencyIndex, "messages", ["conversation_id", "idempotency_key"], unique: true);
        migration.DropColumn("send_started_at", "messages");
    }

    private const string IdempotencyIndex = "ix_messages_conversation_id_idempotency_key";
}
