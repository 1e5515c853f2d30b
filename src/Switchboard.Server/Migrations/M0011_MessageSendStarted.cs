using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>Outbound messages remember that a send was handed to the provider and not yet answered (see
/// <c>Message.SendStartedAt</c>), so a send interrupted by a crash is never repeated blindly.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000011_MessageSendStarted")]
public sealed class M0011_MessageSendStarted : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        if (migration.IsSqlite())
            migration.AddColumn<long>("send_started_at", "messages", nullable: true);
        else
            migration.AddColumn<DateTimeOffset>("send_started_at", "messages", nullable: true);
    }

    protected override void Down(MigrationBuilder migration) => migration.DropColumn("send_started_at", "messages");
}
