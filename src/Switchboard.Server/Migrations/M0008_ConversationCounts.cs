using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Per-status conversation counts kept by triggers (see <c>ConversationCount</c>), filled from the existing rows; and
/// a partial index of unread conversations for the unread filter.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000008_ConversationCounts")]
public sealed class M0008_ConversationCounts : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.CreateTable("conversation_counts", t => new
        {
            tenant_id = t.Column<long>(),
            assigned_to_id = t.Column<long>(),
            status = t.Text(),
            shard = t.Column<int>(),
            n = t.Column<long>(),
        }, constraints: t => t.PrimaryKey("pk_conversation_counts", x => new { x.tenant_id, x.assigned_to_id, x.status, x.shard }));
        migration.Sql("""
            INSERT INTO conversation_counts (tenant_id, assigned_to_id, status, shard, n)
            SELECT tenant_id, COALESCE(assigned_to_id, 0), status, id % 8, COUNT(*) FROM conversations
            GROUP BY tenant_id, COALESCE(assigned_to_id, 0), status, id % 8;
            """);
        if (migration.IsSqlite())
        {
            migration.Sql("""
                CREATE TRIGGER conversation_counts_insert AFTER INSERT ON conversations BEGIN
                    INSERT INTO conversation_counts (tenant_id, assigned_to_id, status, shard, n)
                    VALUES (NEW.tenant_id, COALESCE(NEW.assigned_to_id, 0), NEW.status, NEW.id % 8, 1)
                    ON CONFLICT (tenant_id, assigned_to_id, status, shard) DO UPDATE SET n = n + 1;
                END;
                """);
            migration.Sql("""
                CREATE TRIGGER conversation_counts_delete AFTER DELETE ON conversations BEGIN
                    UPDATE conversation_counts SET n = n - 1
                    WHERE tenant_id = OLD.tenant_id AND assigned_to_id = COALESCE(OLD.assigned_to_id, 0) AND status = OLD.status AND shard = OLD.id % 8;
                END;
                """);
            migration.Sql("""
                CREATE TRIGGER conversation_counts_update AFTER UPDATE OF status, assigned_to_id ON conversations
                WHEN OLD.status IS NOT NEW.status OR OLD.assigned_to_id IS NOT NEW.assigned_to_id BEGIN
                    UPDATE conversation_counts SET n = n - 1
                    WHERE tenant_id = OLD.tenant_id AND assigned_to_id = COALESCE(OLD.assigned_to_id, 0) AND status = OLD.status AND shard = OLD.id % 8;
                    INSERT INTO conversation_counts (tenant_id, assigned_to_id, status, shard, n)
                    VALUES (NEW.tenant_id, COALESCE(NEW.assigned_to_id, 0), NEW.status, NEW.id % 8, 1)
                    ON CONFLICT (tenant_id, assigned_to_id, status, shard) DO UPDATE SET n = n + 1;
                END;
                """);
        }
        else
        {
            migration.Sql("""
                CREATE FUNCTION conversation_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.assigned_to_id IS NOT DISTINCT FROM NEW.assigned_to_id THEN
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        UPDATE conversation_counts SET n = n - 1
                        WHERE tenant_id = OLD.tenant_id AND assigned_to_id = COALESCE(OLD.assigned_to_id, 0) AND status = OLD.status AND shard = OLD.id % 8;
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        INSERT INTO conversation_counts (tenant_id, assigned_to_id, status, shard, n)
                        VALUES (NEW.tenant_id, COALESCE(NEW.assigned_to_id, 0), NEW.status, NEW.id % 8, 1)
                        ON CONFLICT (tenant_id, assigned_to_id, status, shard) DO UPDATE SET n = conversation_counts.n + 1;
                    END IF;
                    RETURN NULL;
                END $$;
                """);
            migration.Sql("""
                CREATE TRIGGER conversation_counts_track AFTER INSERT OR DELETE OR UPDATE OF status, assigned_to_id ON conversations
                FOR EACH ROW EXECUTE FUNCTION conversation_counts_track();
                """);
        }
        migration.CreateIndex("ix_conversations_unread", "conversations", ["tenant_id", "status", "last_message_at", "id"], filter: "unread_count > 0");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropIndex("ix_conversations_unread", "conversations");
        if (migration.IsSqlite())
        {
            foreach (var trigger in new[] { "conversation_counts_insert", "conversation_counts_delete", "conversation_counts_update" })
                migration.Sql($"DROP TRIGGER {trigger};");
        }
        else
        {
            migration.Sql("DROP TRIGGER conversation_counts_track ON conversations;");
            migration.Sql("DROP FUNCTION conversation_counts_track();");
        }
        migration.DropTable("conversation_counts");
    }
}
