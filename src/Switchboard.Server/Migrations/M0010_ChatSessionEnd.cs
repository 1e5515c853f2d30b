using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Platform.Database;

namespace Switchboard.Migrations;

/// <summary>A web-chat visitor can end their chat: the session keeps when it ended.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122000010_ChatSessionEnd")]
public sealed class M0010_ChatSessionEnd : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddNullableTimestamp("ended_at", "chat_sessions");
    }

    protected override void Down(MigrationBuilder migration) => migration.DropColumn("ended_at", "chat_sessions");
}
