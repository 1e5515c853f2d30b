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
