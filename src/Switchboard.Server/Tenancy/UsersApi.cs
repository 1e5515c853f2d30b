using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Security;

namespace Switchboard.Tenancy;

/// <summary>A person as this tenant sees them: a member, or someone invited who has not answered yet.</summary>
public enum MemberStatus
{
    Active,
    Disabled,
    Invited,
}

/// <summary>What a tenant may know of a person: their membership here. The account's profile (phones, inactivity timeout,
/// other tenants, sign-ins elsewhere) is the person's own and never shown; an invitation shows only what the admin typed.</summary>
public sealed record UserView(long Id, string Name, string Email, Role Role, MemberStatus Status, bool IsProvider, bool IsTimeClockUser,
    IReadOnlyList<long> DepartmentIds, DateTimeOffset? LastSignInAt, DateTimeOffset CreatedAt);

public sealed record CreatedUser(UserView User, string? TemporaryPassword);

/// <summary><see cref="Username"/>, <see cref="Phones"/> and <see cref="InactivityTimeoutMinutes"/> are read only to be
/// refused: they belong to the person (<c>PATCH /api/v1/me</c>).</summary>
public sealed record CreateUserRequest(string? Name, string? Email, string? Password, Role? Role, bool? IsProvider, bool? IsTimeClockUser,
    string? Username, List<string>? Phones, int? InactivityTimeoutMinutes);

/// <summary>Membership fields only; <see cref="Name"/>, <see cref="Username"/>, <see cref="Phones"/> and
/// <see cref="InactivityTimeoutMinutes"/> are read only to be refused (they belong to the person).</summary>
public sealed record UpdateUserRequest(Role? Role, MembershipStatus? Status, bool? IsProvider, bool? IsTimeClockUser,
    string? Name, string? Username, List<string>? Phones, int? InactivityTimeoutMinutes);

/// <summary>The members of the caller's tenant: add or invite, list, change role or status, remove. A tenant changes only
/// the membership; a person who already has an account is invited and joins only by accepting (<see cref="MeApi"/>).</summary>
public static class UsersApi
{
    public static void MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("/", List).RequirePermission(Permission.UsersRead);
        users.MapGet("/{id:long}", Get).RequirePermission(Permission.UsersRead);
        users.MapPost("/", Create).RequirePermission(Permission.UsersManage).Audited("tenancy.create_user");
        users.MapPatch("/{id:long}", Update).RequirePermission(Permission.UsersManage).Audited("tenancy.update_user");
        users.MapDelete("/{id:long}", Remove).RequirePermission(Permission.UsersManage).Audited("tenancy.remove_user");
    }

    /// <summary>Members and pending invitations, optionally narrowed to one person.</summary>
    private static async Task<List<UserView>> QueryAsync(SwitchboardDbContext db, long? userId, CancellationToken cancellationToken)
    {
        var members = await db.Memberships.AsNoTracking().Where(m => userId == null || m.UserId == userId)
            .Select(m => new { m.UserId, m.User!.Name, m.User.Email, m.Role, m.Status, m.IsProvider, m.IsTimeClockUser, m.LastSignInAt, m.CreatedAt })
            .ToListAsync(cancellationToken);
        var invited = await db.Invitations.AsNoTracking().Where(i => userId == null || i.UserId == userId)
            .Select(i => new { i.UserId, i.Name, i.User!.Email, i.Role, i.IsProvider, i.IsTimeClockUser, i.CreatedAt })
            .ToListAsync(cancellationToken);
        var departments = (await db.DepartmentMembers.AsNoTracking().Where(d => userId == null || d.UserId == userId).ToListAsync(cancellationToken))
            .ToLookup(d => d.UserId, d => d.DepartmentId);
        return members
            .Select(m => new UserView(m.UserId, m.Name, m.Email, m.Role, m.Status == MembershipStatus.Active ? MemberStatus.Active : MemberStatus.Disabled,
                m.IsProvider, m.IsTimeClockUser, departments[m.UserId].Order().ToList(), m.LastSignInAt, m.CreatedAt))
            .Concat(invited.Select(i => new UserView(i.UserId, i.Name, i.Email, i.Role, MemberStatus.Invited, i.IsProvider, i.IsTimeClockUser,
                [], null, i.CreatedAt)))
            .OrderBy(u => u.Name, StringComparer.OrdinalIgnoreCase).ThenBy(u => u.Id)
            .ToList();
    }

    private static async Task<Results<Ok<ItemList<UserView>>, ValidationProblem>> List(
        SwitchboardDbContext db, string? q, string? role, string? status, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var roleFilter = ParseFilter<Role>(role, "role", validation);
        var statusFilter = ParseFilter<MemberStatus>(status, "status", validation);
        if (!validation.IsValid)
            return validation.ToResult();
        var text = q?.Trim();
        var users = (await QueryAsync(db, null, cancellationToken))
            .Where(u => string.IsNullOrEmpty(text) || u.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || u.Email.Contains(text, StringComparison.OrdinalIgnoreCase))
            .Where(u => roleFilter is null || u.Role == roleFilter)
            .Where(u => statusFilter is null || u.Status == statusFilter)
            .ToList();
        return TypedResults.Ok(new ItemList<UserView>(users));
    }

    /// <summary>A query-string enum filter, by name and ignoring case (numbers are refused).</summary>
    internal static T? ParseFilter<T>(string? text, string field, Validation validation) where T : struct, Enum
    {
        if (string.IsNullOrEmpty(text))
            return null;
        if (!int.TryParse(text, out _) && Enum.TryParse<T>(text, ignoreCase: true, out var value))
            return value;
        validation.Add(field, $"must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
        return null;
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> Get(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var view = (await QueryAsync(db, id, cancellationToken)).FirstOrDefault();
        return view is null ? Problems.NotFound("User") : TypedResults.Ok(view);
    }

    /// <summary>Profile fields are the person's: a tenant that sends them is told where they live, and nothing changes.</summary>
    private static void RefuseProfileFields(Validation validation, string? name, string? username, List<string>? phones, int? inactivityTimeoutMinutes)
    {
        const string Message = "belongs to the person's own profile; they change it themselves (PATCH /api/v1/me).";
        if (name is not null)
            validation.Add("name", Message);
        if (username is not null)
            validation.Add("username", Message);
        if (phones is not null)
            validation.Add("phones", Message);
        if (inactivityTimeoutMinutes is not null)
            validation.Add("inactivityTimeoutMinutes", Message);
    }

    /// <summary>A new email gets an account and a membership at once (with the given or a temporary password). An email that
    /// already has an account gets an invitation: it grants nothing and shows nothing of that account until the person
    /// accepts it.</summary>
    private static async Task<Results<Created<CreatedUser>, ValidationProblem, ProblemHttpResult>> Create(
        CreateUserRequest request, SwitchboardDbContext db, TenantContext scope, TenantProvisioning provisioning, TimeProvider clock,
        AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("name", request.Name);
        var email = Formats.NormalizeEmail(request.Email);
        if (email is null)
            validation.Add("email", "must be a valid email address.");
        if (request.Password is not null)
            TenantProvisioning.ValidatePassword(validation, "password", request.Password);
        RefuseProfileFields(validation, null, request.Username, request.Phones, request.InactivityTimeoutMinutes);
        if (request.Role is null)
            validation.Add("role", "is required.");
        if (!validation.IsValid)
            return validation.ToResult();
        var role = request.Role!.Value;
        if (!PermissionMatrix.CanGrant(scope.Role!.Value, role))
            return Problems.Forbidden($"A {scope.Role} cannot give the {role} role.");

        var now = clock.GetUtcNow();
        var existing = await db.Users.FirstOrDefaultAsync(u => u.Email == email, cancellationToken);
        audit.Meta["email"] = email;
        audit.Meta["role"] = role.ToString();
        if (existing is not null)
        {
            if (await db.Memberships.AnyAsync(m => m.UserId == existing.Id, cancellationToken))
                return Problems.Conflict("This person is already a member of this workspace.", existing.Id);
            if (await db.Invitations.AnyAsync(i => i.UserId == existing.Id, cancellationToken))
                return Problems.Conflict("This person has already been invited to this workspace.", existing.Id);
            if (request.Password is not null)
                return new Validation().Add("password", "this person already has an account and keeps its password; they join by accepting the invitation.").ToResult();
            db.Invitations.Add(new Invitation
            {
                UserId = existing.Id, Name = request.Name!.Trim(), Role = role, IsProvider = request.IsProvider ?? false,
                IsTimeClockUser = request.IsTimeClockUser ?? false, InvitedById = scope.UserId, CreatedAt = now,
            });
            await db.SaveChangesAsync(cancellationToken);
            audit.Meta["userId"] = existing.Id;
            audit.Meta["invited"] = true;
            return TypedResults.Created($"/api/v1/users/{existing.Id}", new CreatedUser((await QueryAsync(db, existing.Id, cancellationToken)).Single(), null));
        }

        var temporaryPassword = request.Password is null ? SecretProtector.NewSecret(12) : null;
        var user = await provisioning.FindOrCreateUserAsync(request.Name!, email!, request.Password ?? temporaryPassword, cancellationToken);
        db.Memberships.Add(new Membership
        {
            UserId = user.Id, Role = role, IsProvider = request.IsProvider ?? false, IsTimeClockUser = request.IsTimeClockUser ?? false, CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["userId"] = user.Id;
        return TypedResults.Created($"/api/v1/users/{user.Id}", new CreatedUser((await QueryAsync(db, user.Id, cancellationToken)).Single(), temporaryPassword));
    }

    private static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, UpdateUserRequest request, SwitchboardDbContext db, TenantContext scope, AuditDetails audit, CancellationToken cancellationToken)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == id, cancellationToken);
        if (membership is null)
        {
            return await db.Invitations.AnyAsync(i => i.UserId == id, cancellationToken)
                ? Problems.Conflict("This person has not accepted the invitation yet. Cancel it (DELETE) and invite again to change it.")
                : Problems.NotFound("User");
        }
        var validation = new Validation();
        RefuseProfileFields(validation, request.Name, request.Username, request.Phones, request.InactivityTimeoutMinutes);
        if (!validation.IsValid)
            return validation.ToResult();

        var actor = scope.Role!.Value;
        if (!RoleRank.MayManage(actor, membership.Role))
            return Problems.Forbidden($"A {actor} cannot change a {membership.Role}.");
        if (request.Role is { } role && role != membership.Role)
        {
            if (!PermissionMatrix.CanGrant(actor, role))
                return Problems.Forbidden($"A {actor} cannot give the {role} role.");
            if (membership.Role == Role.Owner && !await AnotherActiveOwnerAsync(db, id, cancellationToken))
                return Problems.Conflict("A workspace needs at least one owner.");
            audit.Meta["role"] = $"{membership.Role} -> {role}";
            membership.Role = role;
        }
        if (request.Status is { } status && status != membership.Status)
        {
            if (status == MembershipStatus.Disabled && membership.Role == Role.Owner && !await AnotherActiveOwnerAsync(db, id, cancellationToken))
                return Problems.Conflict("The last owner cannot be disabled.");
            audit.Meta["status"] = status.ToString();
            membership.Status = status;
        }
        membership.IsProvider = request.IsProvider ?? membership.IsProvider;
        membership.IsTimeClockUser = request.IsTimeClockUser ?? membership.IsTimeClockUser;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok((await QueryAsync(db, id, cancellationToken)).Single());
    }

    private static Task<bool> AnotherActiveOwnerAsync(SwitchboardDbContext db, long exceptUserId, CancellationToken cancellationToken) =>
        db.Memberships.AnyAsync(m => m.Role == Role.Owner && m.Status == MembershipStatus.Active && m.UserId != exceptUserId, cancellationToken);

    /// <summary>Removes a member from this tenant (their account and other tenants are untouched), or cancels an invitation.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        long id, SwitchboardDbContext db, TenantContext scope, AuditDetails audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == id, cancellationToken);
        var invitation = membership is null ? await db.Invitations.FirstOrDefaultAsync(i => i.UserId == id, cancellationToken) : null;
        if ((membership?.Role ?? invitation?.Role) is not { } role)
            return Problems.NotFound("User");
        if (!RoleRank.MayManage(scope.Role!.Value, role))
            return Problems.Forbidden($"A {scope.Role} cannot remove a {role}.");
        if (invitation is not null)
        {
            db.Invitations.Remove(invitation);
            audit.Meta["invitation"] = true;
        }
        else
        {
            if (role == Role.Owner && !await AnotherActiveOwnerAsync(db, id, cancellationToken))
                return Problems.Conflict("The last owner cannot be removed.");
            db.Memberships.Remove(membership!);
            await db.DepartmentMembers.Where(d => d.UserId == id).ExecuteDeleteAsync(cancellationToken);
            // A removal is final for the keys they made: being added again later must not bring old (perhaps leaked) keys back.
            var now = clock.GetUtcNow();
            await db.ApiKeys.Where(k => k.CreatedById == id && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
