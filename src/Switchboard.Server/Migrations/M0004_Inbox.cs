using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Stored provider webhooks, conversations and messages (unique provider message id per channel).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000004_Inbox")]
public sealed class M0004_Inbox : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.CreateTable("webhook_events", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            channel_id = t.Column<long>(),
            payload = t.Text(),
            payload_hash = t.Text(),
            received_at = t.Timestamp(migration),
            processed_at = t.Timestamp(migration, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_webhook_events", x => x.id);
            t.ForeignKey("fk_webhook_events_channels_channel_id", x => x.channel_id, "channels", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_webhook_events_channel_id_payload_hash", "webhook_events", ["channel_id", "payload_hash"], unique: true);
        migration.CreateIndex("ix_webhook_events_tenant_id_received_at", "webhook_events", ["tenant_id", "received_at"]);

        migration.CreateTable("conversations", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            contact_id = t.Column<long>(),
            channel_id = t.Column<long>(),
            platform = t.Text(),
            platform_conversation_id = t.Text(nullable: true),
            status = t.Text(),
            priority = t.Text(),
            kind = t.Text(),
            assigned_to_id = t.Column<long>(nullable: true),
            department_id = t.Column<long>(nullable: true),
            last_message_at = t.Timestamp(migration, nullable: true),
            first_response_at = t.Timestamp(migration, nullable: true),
            resolved_at = t.Timestamp(migration, nullable: true),
            message_count = t.Column<int>(),
            unread_count = t.Column<int>(),
            metadata = t.Text(),
            window_expires_at = t.Timestamp(migration, nullable: true),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_conversations", x => x.id);
            t.ForeignKey("fk_conversations_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_conversations_contacts_contact_id", x => x.contact_id, "contacts", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_conversations_channels_channel_id", x => x.channel_id, "channels", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_conversations_tenant_id_contact_id_channel_id", "conversations", ["tenant_id", "contact_id", "channel_id"]);
        migration.CreateIndex("ix_conversations_tenant_id_status_last_message_at", "conversations", ["tenant_id", "status", "last_message_at"]);
        migration.CreateIndex("ix_conversations_tenant_id_assigned_to_id_status", "conversations", ["tenant_id", "assigned_to_id", "status"]);
        migration.CreateIndex("ix_conversations_channel_id", "conversations", "channel_id");
        migration.CreateIndex("ix_conversations_contact_id", "conversations", "contact_id");

        migration.CreateTable("messages", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            conversation_id = t.Column<long>(),
            channel_id = t.Column<long>(),
            provider_message_id = t.Text(nullable: true),
            direction = t.Text(),
            type = t.Text(),
            text = t.Text(nullable: true),
            payload = t.Text(),
            sender_type = t.Text(),
            agent_id = t.Column<long>(nullable: true),
            status = t.Text(),
            sent_at = t.Timestamp(migration, nullable: true),
            delivered_at = t.Timestamp(migration, nullable: true),
            read_at = t.Timestamp(migration, nullable: true),
            failed_at = t.Timestamp(migration, nullable: true),
            error_code = t.Text(nullable: true),
            error_message = t.Text(nullable: true),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_messages", x => x.id);
            t.ForeignKey("fk_messages_conversations_conversation_id", x => x.conversation_id, "conversations", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_messages_channels_channel_id", x => x.channel_id, "channels", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_messages_channel_id_provider_message_id", "messages", ["channel_id", "provider_message_id"], unique: true);
        migration.CreateIndex("ix_messages_tenant_id_conversation_id_created_at_id", "messages", ["tenant_id", "conversation_id", "created_at", "id"]);
        migration.CreateIndex("ix_messages_conversation_id", "messages", "conversation_id");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropTable("messages");
        migration.DropTable("conversations");
        migration.DropTable("webhook_events");
    }
}
