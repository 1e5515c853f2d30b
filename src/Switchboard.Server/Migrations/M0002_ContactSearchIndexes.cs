using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Contact search at 100k+ contacts per tenant (measured in bench/): the name index also carries search_text so
/// a search reads only the index, and on PostgreSQL the trigram index leads with tenant_id so it skips other tenants' rows.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261121000002_ContactSearchIndexes")]
public sealed class M0002_ContactSearchIndexes : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.DropIndex("ix_contacts_tenant_id_name_id", "contacts");
        migration.CreateIndex("ix_contacts_tenant_id_name_id_search_text", "contacts", ["tenant_id", "name", "id", "search_text"]);
        if (!migration.IsSqlite())
        {
            migration.Sql("CREATE EXTENSION IF NOT EXISTS btree_gin;");
            migration.Sql("DROP INDEX ix_contacts_search_text;");
            migration.Sql("CREATE INDEX ix_contacts_tenant_id_search_text ON contacts USING gin (tenant_id int8_ops, search_text gin_trgm_ops);");
        }
    }

    protected override void Down(MigrationBuilder migration)
    {
        if (!migration.IsSqlite())
        {
            migration.Sql("DROP INDEX ix_contacts_tenant_id_search_text;");
            migration.Sql("CREATE INDEX ix_contacts_search_text ON contacts USING gin (search_text gin_trgm_ops);");
        }
        migration.DropIndex("ix_contacts_tenant_id_name_id_search_text", "contacts");
        migration.CreateIndex("ix_contacts_tenant_id_name_id", "contacts", ["tenant_id", "name", "id"]);
    }
}
