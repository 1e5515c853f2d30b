using Switchboard.Identity;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>The one rule beyond a route's permission that several inbox routes share.</summary>
internal static class InboxAccess
{
    /// <summary>Supervisors and up (conversations.manage) may act on what belongs to someone else: another agent's note or
    /// conversation, shared canned responses.</summary>
    public static bool MayManage(this TenantContext scope) =>
        scope.Role is { } role && PermissionMatrix.Allows(role, Permission.ConversationsManage);
}
