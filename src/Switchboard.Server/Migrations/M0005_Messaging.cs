using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>The rest of the inbox: status history, media and attachments, notes, tags, assignments, transfers, canned
/// responses, WhatsApp templates, web-chat sessions and outbound webhooks; list indexes for the inbox at scale.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000005_Messaging")]
public sealed class M0005_Messaging : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<long>("snoozed_until", "conversations", nullable: true, type: migration.IsSqlite() ? "INTEGER" : "timestamp with time zone");
        migration.AddColumn<string>("last_message_preview", "conversations", nullable: true);
        migration.DropIndex("ix_conversations_tenant_id_status_last_message_at", "conversations");
        migration.DropIndex("ix_conversations_tenant_id_assigned_to_id_status", "conversations");
        migration.CreateIndex("ix_conversations_tenant_id_status_last_message_at_id", "conversations", ["tenant_id", "status", "last_message_at", "id"]);
        migration.CreateIndex("ix_conversations_tenant_id_assigned_to_id_status_last_message_at_id", "conversations",
            ["tenant_id", "assigned_to_id", "status", "last_message_at", "id"]);
        migration.CreateIndex("ix_conversations_tenant_id_last_message_at_id", "conversations", ["tenant_id", "last_message_at", "id"]);
        migration.CreateIndex("ix_conversations_tenant_id_platform_conversation_id", "conversations", ["tenant_id", "platform_conversation_id"]);
        migration.CreateIndex("ix_conversations_status_snoozed_until", "conversations", ["status", "snoozed_until"]);

        migration.AddColumn<bool>("is_template", "messages", defaultValue: false);
        migration.AddColumn<string>("metadata", "messages", defaultValue: "{}");
        migration.AddColumn<string>("idempotency_key", "messages", nullable: true);
        migration.DropIndex("ix_messages_conversation_id", "messages");
        migration.CreateIndex("ix_messages_conversation_id_idempotency_key", "messages", ["conversation_id", "idempotency_key"], unique: true);
        migration.CreateIndex("ix_messages_tenant_id_status_created_at", "messages", ["tenant_id", "status", "created_at"]);
        if (!migration.IsSqlite())
            migration.Sql("CREATE INDEX ix_messages_tenant_id_text ON messages USING gin (tenant_id int8_ops, text gin_trgm_ops);");

        migration.CreateTable("message_status_updates", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            message_id = t.Column<long>(),
            status = t.Text(),
            status_at = t.Timestamp(migration),
            error_code = t.Text(nullable: true),
            error_message = t.Text(nullable: true),
            metadata = t.Text(),
            created_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_message_status_updates", x => x.id);
            t.ForeignKey("fk_message_status_updates_messages_message_id", x => x.message_id, "messages", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_message_status_updates_message_id_status_status_at", "message_status_updates", ["message_id", "status", "status_at"], unique: true);

        migration.CreateTable("media_files", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            storage_url = t.Text(),
            mime_type = t.Text(),
            file_size = t.Column<long>(),
            sha256 = t.Text(),
            original_filename = t.Text(nullable: true),
            created_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_media_files", x => x.id);
            t.ForeignKey("fk_media_files_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_media_files_tenant_id_created_at", "media_files", ["tenant_id", "created_at"]);

        migration.CreateTable("message_attachments", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            message_id = t.Column<long>(),
            media_file_id = t.Column<long>(nullable: true),
            type = t.Text(),
            platform_url = t.Text(nullable: true),
            mime_type = t.Text(nullable: true),
            filename = t.Text(nullable: true),
            file_size = t.Column<long>(nullable: true),
            width = t.Column<int>(nullable: true),
            height = t.Column<int>(nullable: true),
            duration = t.Column<int>(nullable: true),
            thumbnail_url = t.Text(nullable: true),
            metadata = t.Text(),
            created_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_message_attachments", x => x.id);
            t.ForeignKey("fk_message_attachments_messages_message_id", x => x.message_id, "messages", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_message_attachments_media_files_media_file_id", x => x.media_file_id, "media_files", "id", onDelete: ReferentialAction.SetNull);
        });
        migration.CreateIndex("ix_message_attachments_message_id_type", "message_attachments", ["message_id", "type"]);
        migration.CreateIndex("ix_message_attachments_media_file_id", "message_attachments", "media_file_id");

        migration.CreateTable("conversation_notes", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            conversation_id = t.Column<long>(),
            user_id = t.Column<long>(nullable: true),
            content = t.Text(),
            is_pinned = t.Column<bool>(),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_conversation_notes", x => x.id);
            t.ForeignKey("fk_conversation_notes_conversations_conversation_id", x => x.conversation_id, "conversations", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_conversation_notes_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.SetNull);
        });
        migration.CreateIndex("ix_conversation_notes_conversation_id_is_pinned_created_at", "conversation_notes", ["conversation_id", "is_pinned", "created_at"]);
        migration.CreateIndex("ix_conversation_notes_user_id", "conversation_notes", "user_id");

        migration.CreateTable("conversation_tags", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            name = t.Text(),
            color = t.Text(),
            description = t.Text(nullable: true),
            created_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_conversation_tags", x => x.id);
            t.ForeignKey("fk_conversation_tags_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_conversation_tags_tenant_id_name", "conversation_tags", ["tenant_id", "name"], unique: true);

        migration.CreateTable("conversation_tag_links", t => new
        {
            tenant_id = t.Column<long>(),
            conversation_id = t.Column<long>(),
            tag_id = t.Column<long>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_conversation_tag_links", x => new { x.conversation_id, x.tag_id });
            t.ForeignKey("fk_conversation_tag_links_conversations_conversation_id", x => x.conversation_id, "conversations", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_conversation_tag_links_conversation_tags_tag_id", x => x.tag_id, "conversation_tags", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_conversation_tag_links_tenant_id_tag_id_conversation_id", "conversation_tag_links", ["tenant_id", "tag_id", "conversation_id"]);
        migration.CreateIndex("ix_conversation_tag_links_tag_id", "conversation_tag_links", "tag_id");

        migration.CreateTable("conversation_assignments", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            conversation_id = t.Column<long>(),
            assigned_to_id = t.Column<long>(nullable: true),
            assigned_by_id = t.Column<long>(nullable: true),
            assignment_type = t.Text(),
            assigned_at = t.Timestamp(migration),
            unassigned_at = t.Timestamp(migration, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_conversation_assignments", x => x.id);
            t.ForeignKey("fk_conversation_assignments_conversations_conversation_id", x => x.conversation_id, "conversations", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_conversation_assignments_conversation_id_assigned_at", "conversation_assignments", ["conversation_id", "assigned_at"]);

        migration.CreateTable("conversation_transfers", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            conversation_id = t.Column<long>(),
            from_user_id = t.Column<long>(nullable: true),
            to_user_id = t.Column<long>(nullable: true),
            from_department_id = t.Column<long>(nullable: true),
            to_department_id = t.Column<long>(nullable: true),
            transferred_by_id = t.Column<long>(nullable: true),
            reason = t.Text(nullable: true),
            transferred_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_conversation_transfers", x => x.id);
            t.ForeignKey("fk_conversation_transfers_conversations_conversation_id", x => x.conversation_id, "conversations", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_conversation_transfers_conversation_id_transferred_at", "conversation_transfers", ["conversation_id", "transferred_at"]);

        migration.CreateTable("canned_responses", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            title = t.Text(),
            shortcut = t.Text(),
            content = t.Text(),
            category = t.Text(nullable: true),
            user_id = t.Column<long>(nullable: true),
            is_shared = t.Column<bool>(),
            platforms = t.Text(),
            usage_count = t.Column<int>(),
            last_used_at = t.Timestamp(migration, nullable: true),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_canned_responses", x => x.id);
            t.ForeignKey("fk_canned_responses_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_canned_responses_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_canned_responses_tenant_id_shortcut", "canned_responses", ["tenant_id", "shortcut"]);
        migration.CreateIndex("ix_canned_responses_user_id", "canned_responses", "user_id");

        migration.CreateTable("message_templates", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            channel_id = t.Column<long>(),
            provider_template_id = t.Text(nullable: true),
            name = t.Text(),
            language = t.Text(),
            category = t.Text(),
            status = t.Text(),
            body = t.Text(),
            parameter_count = t.Column<int>(),
            components = t.Text(),
            synced_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_message_templates", x => x.id);
            t.ForeignKey("fk_message_templates_channels_channel_id", x => x.channel_id, "channels", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_message_templates_channel_id_name_language", "message_templates", ["channel_id", "name", "language"], unique: true);
        migration.CreateIndex("ix_message_templates_tenant_id_channel_id", "message_templates", ["tenant_id", "channel_id"]);

        migration.CreateTable("chat_sessions", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            channel_id = t.Column<long>(),
            contact_id = t.Column<long>(),
            conversation_id = t.Column<long>(),
            agent_id = t.Column<long>(nullable: true),
            client_name = t.Text(),
            token_hash = t.Text(),
            status = t.Text(),
            platform = t.Text(),
            origin = t.Text(nullable: true),
            last_message = t.Text(nullable: true),
            unread_count = t.Column<int>(),
            created_at = t.Timestamp(migration),
            last_seen_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_chat_sessions", x => x.id);
            t.ForeignKey("fk_chat_sessions_channels_channel_id", x => x.channel_id, "channels", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_chat_sessions_contacts_contact_id", x => x.contact_id, "contacts", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_chat_sessions_conversations_conversation_id", x => x.conversation_id, "conversations", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_chat_sessions_token_hash", "chat_sessions", "token_hash", unique: true);
        migration.CreateIndex("ix_chat_sessions_tenant_id_conversation_id", "chat_sessions", ["tenant_id", "conversation_id"]);
        migration.CreateIndex("ix_chat_sessions_channel_id", "chat_sessions", "channel_id");
        migration.CreateIndex("ix_chat_sessions_contact_id", "chat_sessions", "contact_id");
        migration.CreateIndex("ix_chat_sessions_conversation_id", "chat_sessions", "conversation_id");

        migration.CreateTable("webhook_subscriptions", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            url = t.Text(),
            events = t.Text(),
            description = t.Text(nullable: true),
            is_active = t.Column<bool>(),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_webhook_subscriptions", x => x.id);
            t.ForeignKey("fk_webhook_subscriptions_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_webhook_subscriptions_tenant_id_is_active", "webhook_subscriptions", ["tenant_id", "is_active"]);

        migration.CreateTable("webhook_deliveries", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            subscription_id = t.Column<long>(),
            event_type = t.Text(),
            event_id = t.Text(),
            payload = t.Text(),
            status = t.Text(),
            attempts = t.Column<int>(),
            response_status = t.Column<int>(nullable: true),
            response_body = t.Text(nullable: true),
            error = t.Text(nullable: true),
            last_attempt_at = t.Timestamp(migration, nullable: true),
            delivered_at = t.Timestamp(migration, nullable: true),
            created_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_webhook_deliveries", x => x.id);
            t.ForeignKey("fk_webhook_deliveries_webhook_subscriptions_subscription_id", x => x.subscription_id, "webhook_subscriptions", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_webhook_deliveries_tenant_id_subscription_id_created_at", "webhook_deliveries", ["tenant_id", "subscription_id", "created_at"]);
        migration.CreateIndex("ix_webhook_deliveries_subscription_id", "webhook_deliveries", "subscription_id");
    }

    protected override void Down(MigrationBuilder migration)
    {
        foreach (var table in new[]
                 {
                     "webhook_deliveries", "webhook_subscriptions", "chat_sessions", "message_templates", "canned_responses",
                     "conversation_transfers", "conversation_assignments", "conversation_tag_links", "conversation_tags",
                     "conversation_notes", "message_attachments", "media_files", "message_status_updates",
                 })
            migration.DropTable(table);
    }
}
