namespace Switchboard.Tenancy;

/// <summary>A member's role inside one tenant, strongest first. Permissions per role: <see cref="Identity.PermissionMatrix"/>.</summary>
public enum Role
{
    Owner,
    Admin,
    Supervisor,
    Agent,
    Viewer,
}

/// <summary>The rank rule: roles are ordered strongest first, and a member may manage only what ranks no higher than themselves
/// (people, and the API keys they stand behind).</summary>
public static class RoleRank
{
    /// <summary>Whether <paramref name="role"/> is strictly stronger than <paramref name="other"/>.</summary>
    public static bool Outranks(Role role, Role other) => role < other;

    /// <summary>Whether someone acting as <paramref name="actor"/> may change or remove what ranks at <paramref name="subject"/>.</summary>
    public static bool MayManage(Role actor, Role subject) => !Outranks(subject, actor);
}
