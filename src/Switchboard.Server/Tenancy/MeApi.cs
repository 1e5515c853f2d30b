using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Tenancy;

public sealed record ProfileView(long Id, string Name, string Email, string? Username, IReadOnlyList<string> Phones, int InactivityTimeoutMinutes);

public sealed record UpdateProfileRequest(string? Name, string? Username, List<string>? Phones, int? InactivityTimeoutMinutes);

public sealed record InvitationView(long Id, SessionTenant Tenant, string? InvitedBy, DateTimeOffset CreatedAt);

/// <summary>The signed-in person's own account, across their tenants: the profile only they (and the operator) change, and
/// the invitations tenants sent them, which they accept or decline. Never an API key: a key has no person behind it.</summary>
public static class MeApi
{
    public static void MapMeApi(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("My account").RequirePerson();
        me.MapGet("/", GetProfile);
        me.MapPatch("/", UpdateProfile).Audited("identity.update_profile");
        me.MapGet("/invitations", ListInvitations);
        // The entry belongs to the inviting tenant, so the handler writes it there.
        me.MapPost("/invitations/{id:long}/accept", (long id, HttpContext http, IServiceScopeFactory scopes, CancellationToken ct) =>
            AnswerAsync(id, accept: true, http, scopes, ct)).Audited("tenancy.accept_invitation", handlerWritesEntry: true);
        me.MapPost("/invitations/{id:long}/decline", (long id, HttpContext http, IServiceScopeFactory scopes, CancellationToken ct) =>
            AnswerAsync(id, accept: false, http, scopes, ct)).Audited("tenancy.decline_invitation", handlerWritesEntry: true);
    }

    private static long PersonId(HttpContext http) => http.User.GetLong(SwitchboardClaims.UserId)!.Value;

    private static ProfileView View(User u) => new(u.Id, u.Name, u.Email, u.Username, u.Phones, u.InactivityTimeoutMinutes);

    private static async Task<Ok<ProfileView>> GetProfile(HttpContext http, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var id = PersonId(http);
        return TypedResults.Ok(View(await db.Users.AsNoTracking().FirstAsync(u => u.Id == id, cancellationToken)));
    }

    private static async Task<Results<Ok<ProfileView>, ValidationProblem, ProblemHttpResult>> UpdateProfile(
        UpdateProfileRequest request, HttpContext http, SwitchboardDbContext db, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (request.Name is not null)
            validation.Required("name", request.Name);
        validation.MaxLength("username", request.Username, 64);
        for (var i = 0; request.Phones is not null && i < request.Phones.Count; i++)
        {
            if (Formats.NormalizeE164(request.Phones[i]) is null)
                validation.Add($"phones[{i}]", "must be an E.164 number such as +15551234567.");
        }
        if (request.InactivityTimeoutMinutes is < 5 or > 10080)
            validation.Add("inactivityTimeoutMinutes", "must be between 5 and 10080 (one week).");
        if (!validation.IsValid)
            return validation.ToResult();

        var id = PersonId(http);
        var username = string.IsNullOrWhiteSpace(request.Username) ? null : request.Username.Trim();
        if (username is not null && await db.Users.AnyAsync(u => u.Username == username && u.Id != id, cancellationToken))
            return Problems.Conflict("That username is taken.");
        var user = await db.Users.FirstAsync(u => u.Id == id, cancellationToken);
        if (request.Name is not null)
            user.Name = request.Name.Trim();
        if (request.Username is not null)
            user.Username = username;
        if (request.Phones is not null)
            user.Phones = request.Phones.Select(p => Formats.NormalizeE164(p)!).Distinct().ToList();
        if (request.InactivityTimeoutMinutes is { } minutes)
            user.InactivityTimeoutMinutes = minutes;
        user.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["fields"] = string.Join(",", new[] { ("name", request.Name), ("username", request.Username) }
            .Where(f => f.Item2 is not null).Select(f => f.Item1)
            .Concat(request.Phones is null ? [] : ["phones"]).Concat(request.InactivityTimeoutMinutes is null ? [] : ["inactivityTimeoutMinutes"]));
        return TypedResults.Ok(View(user));
    }

    /// <summary>Pending invitations of active tenants, oldest first. Spans tenants by nature: it is the person's own list.</summary>
    private static async Task<Ok<ItemList<InvitationView>>> ListInvitations(HttpContext http, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var id = PersonId(http);
        var invitations = await db.Invitations.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.UserId == id)
            .Join(db.Tenants.Where(t => t.Status == TenantStatus.Active), i => i.TenantId, t => t.Id, (i, t) => new
            {
                i.Id,
                Tenant = new SessionTenant(t.Id, t.Name, t.Slug, i.Role),
                InvitedBy = db.Users.Where(u => u.Id == i.InvitedById).Select(u => u.Name).FirstOrDefault(),
                i.CreatedAt,
            })
            .OrderBy(i => i.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ItemList<InvitationView>(invitations.Select(i => new InvitationView(i.Id, i.Tenant, i.InvitedBy, i.CreatedAt)).ToList()));
    }

    /// <summary>Accepting makes the person a member with the invited role; declining just removes the invitation. Either is
    /// done, and audited, in the inviting tenant's own scope. Someone else's invitation is not found.</summary>
    private static async Task<Results<Ok<SessionTenant>, NoContent, ProblemHttpResult>> AnswerAsync(
        long id, bool accept, HttpContext http, IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        var personId = PersonId(http);
        var db = http.RequestServices.GetRequiredService<SwitchboardDbContext>();
        var tenant = await db.Invitations.IgnoreQueryFilters()
            .Where(i => i.Id == id && i.UserId == personId)
            .Join(db.Tenants.Where(t => t.Status == TenantStatus.Active), i => i.TenantId, t => t.Id, (i, t) => new SessionTenant(t.Id, t.Name, t.Slug, i.Role))
            .FirstOrDefaultAsync(cancellationToken);
        if (tenant is null)
            return Problems.NotFound("Invitation");

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenant.Id, personId);
        var tenantDb = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var invitation = await tenantDb.Invitations.FirstAsync(i => i.Id == id, cancellationToken);
        tenantDb.Invitations.Remove(invitation);
        if (accept)
        {
            tenantDb.Memberships.Add(new Membership
            {
                UserId = personId, Role = invitation.Role, IsProvider = invitation.IsProvider, IsTimeClockUser = invitation.IsTimeClockUser,
                CreatedAt = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(),
            });
        }
        scope.ServiceProvider.GetRequiredService<AuditWriter>().Add(accept ? "tenancy.accept_invitation" : "tenancy.decline_invitation",
            new JsonObject { ["invitationId"] = id, ["role"] = invitation.Role.ToString() });
        try
        {
            await tenantDb.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || e.IsUniqueViolation())
        {
            return Problems.Conflict("This invitation has already been answered.");
        }
        return accept ? TypedResults.Ok(tenant) : TypedResults.NoContent();
    }
}
