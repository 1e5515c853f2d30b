using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Security;

namespace Switchboard.Tenancy;

public sealed record UserView(long Id, string Name, string Email, string? Username, Role Role, MembershipStatus Status,
    IReadOnlyList<string> Phones, int InactivityTimeoutMinutes, bool IsProvider, bool IsTimeClockUser,
    IReadOnlyList<long> DepartmentIds, DateTimeOffset? LastSignInAt, DateTimeOffset CreatedAt);

public sealed record CreatedUser(UserView User, string? TemporaryPassword);

public sealed record CreateUserRequest(string? Name, string? Email, string? Username, string? Password, Role? Role,
    List<string>? Phones, int? InactivityTimeoutMinutes, bool? IsProvider, bool? IsTimeClockUser);

public sealed record UpdateUserRequest(string? Name, string? Username, Role? Role, MembershipStatus? Status, List<string>? Phones,
    int? InactivityTimeoutMinutes, bool? IsProvider, bool? IsTimeClockUser);

/// <summary>The members of the caller's tenant: invite, list, change role or status, remove.</summary>
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

    private static async Task<List<UserView>> QueryAsync(SwitchboardDbContext db, IQueryable<Membership> memberships, CancellationToken cancellationToken)
    {
        var rows = await memberships.AsNoTracking().Include(m => m.User).OrderBy(m => m.User!.Name).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        var userIds = rows.Select(r => r.UserId).ToList();
        var departments = (await db.DepartmentMembers.AsNoTracking().Where(d => userIds.Contains(d.UserId)).ToListAsync(cancellationToken))
            .ToLookup(d => d.UserId, d => d.DepartmentId);
        return rows.Select(m => new UserView(m.UserId, m.User!.Name, m.User.Email, m.User.Username, m.Role, m.Status, m.User.Phones,
                m.User.InactivityTimeoutMinutes, m.User.IsProvider, m.User.IsTimeClockUser, departments[m.UserId].Order().ToList(),
                m.User.LastSignInAt, m.CreatedAt))
            .ToList();
    }

    private static async Task<Results<Ok<ItemList<UserView>>, ValidationProblem>> List(
        SwitchboardDbContext db, string? q, string? role, string? status, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var roleFilter = ParseFilter<Role>(role, "role", validation);
        var statusFilter = ParseFilter<MembershipStatus>(status, "status", validation);
        if (!validation.IsValid)
            return validation.ToResult();
        var query = db.Memberships.AsQueryable();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = $"%{q.Trim().ToLowerInvariant()}%";
            query = query.Where(m => EF.Functions.Like(m.User!.Name.ToLower(), pattern) || EF.Functions.Like(m.User.Email, pattern));
        }
        if (roleFilter is not null)
            query = query.Where(m => m.Role == roleFilter);
        if (statusFilter is not null)
            query = query.Where(m => m.Status == statusFilter);
        return TypedResults.Ok(new ItemList<UserView>(await QueryAsync(db, query, cancellationToken)));
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
        var view = (await QueryAsync(db, db.Memberships.Where(m => m.UserId == id), cancellationToken)).FirstOrDefault();
        return view is null ? Problems.NotFound("User") : TypedResults.Ok(view);
    }

    private static void ValidateProfile(Validation validation, string? username, List<string>? phones, int? inactivityTimeoutMinutes)
    {
        validation.MaxLength("username", username, 64);
        for (var i = 0; phones is not null && i < phones.Count; i++)
        {
            if (Formats.NormalizeE164(phones[i]) is null)
                validation.Add($"phones[{i}]", "must be an E.164 number such as +15551234567.");
        }
        if (inactivityTimeoutMinutes is < 5 or > 10080)
            validation.Add("inactivityTimeoutMinutes", "must be between 5 and 10080 (one week).");
    }

    private static async Task<bool> UsernameTakenAsync(SwitchboardDbContext db, string? username, long exceptUserId, CancellationToken cancellationToken) =>
        !string.IsNullOrWhiteSpace(username) && await db.Users.AnyAsync(u => u.Username == username.Trim() && u.Id != exceptUserId, cancellationToken);

    private static void ApplyProfile(User user, string? name, string? username, List<string>? phones, int? inactivityTimeoutMinutes,
        bool? isProvider, bool? isTimeClockUser)
    {
        if (name is not null)
            user.Name = name.Trim();
        if (username is not null)
            user.Username = string.IsNullOrWhiteSpace(username) ? null : username.Trim();
        if (phones is not null)
            user.Phones = phones.Select(p => Formats.NormalizeE164(p)!).Distinct().ToList();
        if (inactivityTimeoutMinutes is not null)
            user.InactivityTimeoutMinutes = inactivityTimeoutMinutes.Value;
        if (isProvider is not null)
            user.IsProvider = isProvider.Value;
        if (isTimeClockUser is not null)
            user.IsTimeClockUser = isTimeClockUser.Value;
    }

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
        ValidateProfile(validation, request.Username, request.Phones, request.InactivityTimeoutMinutes);
        if (request.Role is null)
            validation.Add("role", "is required.");
        if (!validation.IsValid)
            return validation.ToResult();
        var role = request.Role!.Value;
        if (!PermissionMatrix.CanGrant(scope.Role!.Value, role))
            return Problems.Forbidden($"A {scope.Role} cannot give the {role} role.");

        var existing = await db.Users.FirstOrDefaultAsync(u => u.Email == email, cancellationToken);
        if (existing is not null && await db.Memberships.AnyAsync(m => m.UserId == existing.Id, cancellationToken))
            return Problems.Conflict("This person is already a member of this workspace.", existing.Id);
        if (await UsernameTakenAsync(db, request.Username, existing?.Id ?? 0, cancellationToken))
            return Problems.Conflict("That username is taken.");

        var temporaryPassword = existing is null && request.Password is null ? SecretProtector.NewSecret(12) : null;
        var user = existing ?? await provisioning.FindOrCreateUserAsync(request.Name!, email!, request.Password ?? temporaryPassword, cancellationToken);
        if (existing is null)
        {
            ApplyProfile(user, null, request.Username, request.Phones, request.InactivityTimeoutMinutes, request.IsProvider, request.IsTimeClockUser);
            user.UpdatedAt = clock.GetUtcNow();
        }
        db.Memberships.Add(new Membership { UserId = user.Id, Role = role, CreatedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["userId"] = user.Id;
        audit.Meta["email"] = user.Email;
        audit.Meta["role"] = role.ToString();
        var view = (await QueryAsync(db, db.Memberships.Where(m => m.UserId == user.Id), cancellationToken)).Single();
        return TypedResults.Created($"/api/v1/users/{user.Id}", new CreatedUser(view, temporaryPassword));
    }

    private static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, UpdateUserRequest request, SwitchboardDbContext db, TenantContext scope, TimeProvider clock,
        AuditDetails audit, CancellationToken cancellationToken)
    {
        var membership = await db.Memberships.Include(m => m.User).FirstOrDefaultAsync(m => m.UserId == id, cancellationToken);
        if (membership is null)
            return Problems.NotFound("User");
        var validation = new Validation();
        if (request.Name is not null)
            validation.Required("name", request.Name);
        ValidateProfile(validation, request.Username, request.Phones, request.InactivityTimeoutMinutes);
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
        if (await UsernameTakenAsync(db, request.Username, id, cancellationToken))
            return Problems.Conflict("That username is taken.");
        ApplyProfile(membership.User!, request.Name, request.Username, request.Phones, request.InactivityTimeoutMinutes,
            request.IsProvider, request.IsTimeClockUser);
        membership.User!.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok((await QueryAsync(db, db.Memberships.Where(m => m.UserId == id), cancellationToken)).Single());
    }

    private static Task<bool> AnotherActiveOwnerAsync(SwitchboardDbContext db, long exceptUserId, CancellationToken cancellationToken) =>
        db.Memberships.AnyAsync(m => m.Role == Role.Owner && m.Status == MembershipStatus.Active && m.UserId != exceptUserId, cancellationToken);

    private static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        long id, SwitchboardDbContext db, TenantContext scope, TimeProvider clock, CancellationToken cancellationToken)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == id, cancellationToken);
        if (membership is null)
            return Problems.NotFound("User");
        if (!RoleRank.MayManage(scope.Role!.Value, membership.Role))
            return Problems.Forbidden($"A {scope.Role} cannot remove a {membership.Role}.");
        if (membership.Role == Role.Owner && !await AnotherActiveOwnerAsync(db, id, cancellationToken))
            return Problems.Conflict("The last owner cannot be removed.");
        db.Memberships.Remove(membership);
        await db.DepartmentMembers.Where(d => d.UserId == id).ExecuteDeleteAsync(cancellationToken);
        // A removal is final for the keys they made: being added again later must not bring old (perhaps leaked) keys back.
        var now = clock.GetUtcNow();
        await db.ApiKeys.Where(k => k.CreatedById == id && k.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
