using System.Collections.Frozen;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

/// <summary>Everything a role may be allowed to do. The wire name (e.g. <c>contacts.read</c>) is what the console and
/// <c>docs/permissions.md</c> use.</summary>
public enum Permission
{
    ContactsRead,
    ContactsWrite,
    ContactsDelete,
    ContactsImport,
    ContactsExport,
    ContactsBanking,
    UsersRead,
    UsersManage,
    DepartmentsRead,
    DepartmentsManage,
    ApiKeysManage,
    AuditRead,
    TenantRead,
    TenantManage,
    ChannelsRead,
    ChannelsManage,
    ConversationsRead,
    ConversationsReply,
    ConversationsManage,
    WebhooksManage,
}

/// <summary>The permission matrix: the one place that says which role may do what. <c>docs/permissions.md</c> mirrors it and a
/// test keeps the two equal.</summary>
public static class PermissionMatrix
{
    private static readonly FrozenDictionary<Role, FrozenSet<Permission>> Grants = new Dictionary<Role, FrozenSet<Permission>>
    {
        [Role.Owner] = Enum.GetValues<Permission>().ToFrozenSet(),
        [Role.Admin] = Enum.GetValues<Permission>().ToFrozenSet(),
        [Role.Supervisor] = new[]
        {
            Permission.ContactsRead, Permission.ContactsWrite, Permission.ContactsDelete, Permission.ContactsImport,
            Permission.ContactsExport, Permission.UsersRead, Permission.DepartmentsRead, Permission.AuditRead, Permission.TenantRead,
            Permission.ChannelsRead, Permission.ConversationsRead, Permission.ConversationsReply, Permission.ConversationsManage,
        }.ToFrozenSet(),
        [Role.Agent] = new[]
        {
            Permission.ContactsRead, Permission.ContactsWrite, Permission.UsersRead, Permission.DepartmentsRead, Permission.TenantRead,
            Permission.ChannelsRead, Permission.ConversationsRead, Permission.ConversationsReply,
        }.ToFrozenSet(),
        [Role.Viewer] = new[]
        {
            Permission.ContactsRead, Permission.UsersRead, Permission.DepartmentsRead, Permission.TenantRead, Permission.ConversationsRead,
        }.ToFrozenSet(),
    }.ToFrozenDictionary();

    public static bool Allows(Role role, Permission permission) => Grants[role].Contains(permission);

    public static IEnumerable<Permission> For(Role role) => Grants[role].Order();

    /// <summary><c>ContactsRead</c> → <c>contacts.read</c>, <c>ApiKeysManage</c> → <c>apikeys.manage</c>.</summary>
    public static string WireName(this Permission permission)
    {
        var name = permission.ToString();
        // Module names may have two words (ApiKeys): the verb is the last capitalised word.
        var verbStart = name.Length - 1;
        while (verbStart > 0 && !char.IsUpper(name[verbStart]))
            verbStart--;
        return $"{name[..verbStart].ToLowerInvariant()}.{name[verbStart..].ToLowerInvariant()}";
    }

    /// <summary>Owners and admins may only hand out roles no stronger than their own (an admin cannot mint an owner).</summary>
    public static bool CanGrant(Role granter, Role granted) => granter <= Role.Admin && granted >= granter;
}
