using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Tenancy, identity, audit, contacts, jobs and the data-protection key ring.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261121000001_Foundation")]
public sealed class M0001_Foundation : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.CreateTable("tenants", t => new
        {
            id = t.Identity(),
            name = t.Text(),
            slug = t.Text(),
            domain = t.Text(nullable: true),
            settings = t.Text(),
            status = t.Text(),
            webhook_secret_ciphertext = t.Text(),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t => t.PrimaryKey("pk_tenants", x => x.id));
        migration.CreateIndex("ix_tenants_slug", "tenants", "slug", unique: true);
        migration.CreateIndex("ix_tenants_domain", "tenants", "domain", unique: true);

        migration.CreateTable("users", t => new
        {
            id = t.Identity(),
            name = t.Text(),
            email = t.Text(),
            username = t.Text(nullable: true),
            phones = t.Text(),
            status = t.Text(),
            inactivity_timeout_minutes = t.Column<int>(),
            is_provider = t.Column<bool>(),
            is_time_clock_user = t.Column<bool>(),
            is_super_admin = t.Column<bool>(),
            password_hash = t.Text(),
            failed_sign_in_count = t.Column<int>(),
            lockout_end = t.Timestamp(migration, nullable: true),
            last_sign_in_at = t.Timestamp(migration, nullable: true),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t => t.PrimaryKey("pk_users", x => x.id));
        migration.CreateIndex("ix_users_email", "users", "email", unique: true);
        migration.CreateIndex("ix_users_username", "users", "username", unique: true);

        migration.CreateTable("memberships", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            user_id = t.Column<long>(),
            role = t.Text(),
            status = t.Text(),
            created_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_memberships", x => x.id);
            t.ForeignKey("fk_memberships_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_memberships_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_memberships_tenant_id_user_id", "memberships", ["tenant_id", "user_id"], unique: true);
        migration.CreateIndex("ix_memberships_user_id", "memberships", "user_id");

        migration.CreateTable("departments", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            name = t.Text(),
            description = t.Text(nullable: true),
            whatsapp_numbers = t.Text(),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_departments", x => x.id);
            t.ForeignKey("fk_departments_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_departments_tenant_id_name", "departments", ["tenant_id", "name"], unique: true);

        migration.CreateTable("department_members", t => new
        {
            tenant_id = t.Column<long>(),
            department_id = t.Column<long>(),
            user_id = t.Column<long>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_department_members", x => new { x.department_id, x.user_id });
            t.ForeignKey("fk_department_members_departments_department_id", x => x.department_id, "departments", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_department_members_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_department_members_tenant_id_user_id", "department_members", ["tenant_id", "user_id"]);
        migration.CreateIndex("ix_department_members_user_id", "department_members", "user_id");

        migration.CreateTable("api_keys", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            name = t.Text(),
            role = t.Text(),
            prefix = t.Text(),
            key_hash = t.Text(),
            created_by_id = t.Column<long>(nullable: true),
            created_at = t.Timestamp(migration),
            last_used_at = t.Timestamp(migration, nullable: true),
            revoked_at = t.Timestamp(migration, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_api_keys", x => x.id);
            t.ForeignKey("fk_api_keys_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_api_keys_users_created_by_id", x => x.created_by_id, "users", "id", onDelete: ReferentialAction.SetNull);
        });
        migration.CreateIndex("ix_api_keys_key_hash", "api_keys", "key_hash", unique: true);
        migration.CreateIndex("ix_api_keys_tenant_id_created_at", "api_keys", ["tenant_id", "created_at"]);
        migration.CreateIndex("ix_api_keys_created_by_id", "api_keys", "created_by_id");

        migration.CreateTable("audit_logs", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            user_id = t.Column<long>(nullable: true),
            api_key_id = t.Column<long>(nullable: true),
            action = t.Text(),
            module = t.Text(),
            ip_address = t.Text(nullable: true),
            meta = t.Text(),
            logged_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_audit_logs", x => x.id);
            t.ForeignKey("fk_audit_logs_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_audit_logs_tenant_id_logged_at_id", "audit_logs", ["tenant_id", "logged_at", "id"]);
        migration.CreateIndex("ix_audit_logs_tenant_id_module_logged_at", "audit_logs", ["tenant_id", "module", "logged_at"]);
        migration.CreateIndex("ix_audit_logs_tenant_id_user_id_logged_at", "audit_logs", ["tenant_id", "user_id", "logged_at"]);

        migration.CreateTable("contacts", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            name = t.Text(),
            email = t.Text(nullable: true),
            phone = t.Text(nullable: true),
            extra_phones = t.Text(),
            wa_id = t.Text(nullable: true),
            whatsapp_opt_in = t.Column<bool>(nullable: true),
            whatsapp_opt_in_at = t.Timestamp(migration, nullable: true),
            whatsapp_opt_in_source = t.Text(nullable: true),
            sms_opt_in = t.Column<bool>(nullable: true),
            sms_opt_in_at = t.Timestamp(migration, nullable: true),
            sms_opt_in_source = t.Text(nullable: true),
            email_opt_in = t.Column<bool>(nullable: true),
            email_opt_in_at = t.Timestamp(migration, nullable: true),
            email_opt_in_source = t.Text(nullable: true),
            custom_attributes = t.Text(),
            banking_ciphertext = t.Text(nullable: true),
            assigned_to_id = t.Column<long>(nullable: true),
            search_text = t.Text(),
            created_at = t.Timestamp(migration),
            updated_at = t.Timestamp(migration),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_contacts", x => x.id);
            t.ForeignKey("fk_contacts_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_contacts_users_assigned_to_id", x => x.assigned_to_id, "users", "id", onDelete: ReferentialAction.SetNull);
        });
        migration.CreateIndex("ix_contacts_tenant_id_phone", "contacts", ["tenant_id", "phone"], unique: true);
        migration.CreateIndex("ix_contacts_tenant_id_email", "contacts", ["tenant_id", "email"], unique: true);
        migration.CreateIndex("ix_contacts_tenant_id_name_id", "contacts", ["tenant_id", "name", "id"]);
        migration.CreateIndex("ix_contacts_tenant_id_created_at_id", "contacts", ["tenant_id", "created_at", "id"]);
        migration.CreateIndex("ix_contacts_tenant_id_updated_at_id", "contacts", ["tenant_id", "updated_at", "id"]);
        migration.CreateIndex("ix_contacts_tenant_id_assigned_to_id", "contacts", ["tenant_id", "assigned_to_id"]);
        migration.CreateIndex("ix_contacts_tenant_id_wa_id", "contacts", ["tenant_id", "wa_id"]);
        migration.CreateIndex("ix_contacts_assigned_to_id", "contacts", "assigned_to_id");
        if (!migration.IsSqlite())
        {
            // Substring search over 100k+ contacts per tenant needs a trigram index; SQLite scans (single-node scale).
            migration.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migration.Sql("CREATE INDEX ix_contacts_search_text ON contacts USING gin (search_text gin_trgm_ops);");
        }

        migration.CreateTable("contact_tags", t => new
        {
            tenant_id = t.Column<long>(),
            contact_id = t.Column<long>(),
            tag = t.Text(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_contact_tags", x => new { x.contact_id, x.tag });
            t.ForeignKey("fk_contact_tags_contacts_contact_id", x => x.contact_id, "contacts", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_contact_tags_tenant_id_tag_contact_id", "contact_tags", ["tenant_id", "tag", "contact_id"]);

        migration.CreateTable("contact_departments", t => new
        {
            tenant_id = t.Column<long>(),
            contact_id = t.Column<long>(),
            department_id = t.Column<long>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_contact_departments", x => new { x.contact_id, x.department_id });
            t.ForeignKey("fk_contact_departments_contacts_contact_id", x => x.contact_id, "contacts", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_contact_departments_departments_department_id", x => x.department_id, "departments", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_contact_departments_tenant_id_department_id_contact_id", "contact_departments", ["tenant_id", "department_id", "contact_id"]);
        migration.CreateIndex("ix_contact_departments_department_id", "contact_departments", "department_id");

        migration.CreateTable("contact_imports", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(),
            file_name = t.Text(),
            storage_path = t.Text(),
            status = t.Text(),
            bytes_total = t.Column<long>(),
            bytes_processed = t.Column<long>(),
            rows_processed = t.Column<long>(),
            rows_created = t.Column<long>(),
            rows_updated = t.Column<long>(),
            rows_rejected = t.Column<long>(),
            errors = t.Text(),
            failure_reason = t.Text(nullable: true),
            created_by_id = t.Column<long>(nullable: true),
            created_at = t.Timestamp(migration),
            completed_at = t.Timestamp(migration, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_contact_imports", x => x.id);
            t.ForeignKey("fk_contact_imports_tenants_tenant_id", x => x.tenant_id, "tenants", "id", onDelete: ReferentialAction.Cascade);
        });
        migration.CreateIndex("ix_contact_imports_tenant_id_created_at", "contact_imports", ["tenant_id", "created_at"]);

        migration.CreateTable("jobs", t => new
        {
            id = t.Identity(),
            tenant_id = t.Column<long>(nullable: true),
            type = t.Text(),
            payload = t.Text(),
            status = t.Text(),
            attempts = t.Column<int>(),
            max_attempts = t.Column<int>(),
            run_at = t.Timestamp(migration),
            locked_until = t.Timestamp(migration, nullable: true),
            locked_by = t.Text(nullable: true),
            last_error = t.Text(nullable: true),
            created_at = t.Timestamp(migration),
            completed_at = t.Timestamp(migration, nullable: true),
        }, constraints: t => t.PrimaryKey("pk_jobs", x => x.id));
        migration.CreateIndex("ix_jobs_status_run_at", "jobs", ["status", "run_at"]);

        migration.CreateTable("data_protection_keys", t => new
        {
            id = t.Identity(),
            friendly_name = t.Text(),
            xml = t.Text(),
        }, constraints: t => t.PrimaryKey("pk_data_protection_keys", x => x.id));

        if (migration.IsSqlite())
        {
            migration.Sql("CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs BEGIN SELECT RAISE(ABORT, 'audit log is immutable'); END;");
        }
        else
        {
            migration.Sql("""
                CREATE FUNCTION audit_logs_immutable() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'audit log is immutable'; END $$;
                """);
            migration.Sql("CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_logs_immutable();");
        }
    }

    protected override void Down(MigrationBuilder migration)
    {
        foreach (var table in new[]
                 {
                     "data_protection_keys", "jobs", "contact_imports", "contact_departments", "contact_tags", "contacts",
                     "audit_logs", "api_keys", "department_members", "departments", "memberships", "users", "tenants",
                 })
            migration.DropTable(table);
        if (!migration.IsSqlite())
            migration.Sql("DROP FUNCTION IF EXISTS audit_logs_immutable();");
    }
}
