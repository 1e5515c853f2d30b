using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Claims read the oldest due job straight off the index: (status, run_at, id) instead of (status, run_at), which
/// left ties on run_at — a whole batch of webhooks shares one — to be sorted on every claim.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000006_JobClaimIndex")]
public sealed class M0006_JobClaimIndex : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.DropIndex("ix_jobs_status_run_at", "jobs");
        migration.CreateIndex("ix_jobs_status_run_at_id", "jobs", ["status", "run_at", "id"]);
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropIndex("ix_jobs_status_run_at_id", "jobs");
        migration.CreateIndex("ix_jobs_status_run_at", "jobs", ["status", "run_at"]);
    }
}
