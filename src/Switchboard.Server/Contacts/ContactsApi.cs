using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Audit;
using Switchboard.Conversations;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Contacts;

public sealed record MergeContactsRequest(long PrimaryId, long SecondaryId);

public static class ContactsApi
{
    public static void MapContactsApi(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapGet("/", List).RequirePermission(Permission.ContactsRead);
        contacts.MapGet("/{id:long}", Get).RequirePermission(Permission.ContactsRead);
        contacts.MapPost("/", Create).RequirePermission(Permission.ContactsWrite).WithMetadata(new DocumentedBody(typeof(ContactRequest)))
            .Audited("contacts.create");
        contacts.MapPatch("/{id:long}", Update).RequirePermission(Permission.ContactsWrite).WithMetadata(new DocumentedBody(typeof(ContactRequest)))
            .Audited("contacts.update");
        contacts.MapDelete("/{id:long}", Delete).RequirePermission(Permission.ContactsDelete).Audited("contacts.delete");
        contacts.MapPost("/merge", Merge).RequirePermission(Permission.ContactsDelete).Audited("contacts.merge");
        contacts.MapGet("/export", ContactCsv.Export).RequirePermission(Permission.ContactsExport).Produces(200, contentType: "text/csv");
        contacts.MapContactImportsApi();
    }

    /// <summary>Full banking details are read, set or cleared only with <c>contacts.banking</c>; others see them masked and
    /// cannot overwrite what they may not read.</summary>
    internal static bool HasBankingAccess(TenantContext scope) =>
        scope.Role is { } role && PermissionMatrix.Allows(role, Permission.ContactsBanking);

    private static ProblemHttpResult? RefuseBankingWrite(ContactRequest request, TenantContext scope) =>
        request.Has("banking") && !HasBankingAccess(scope)
            ? Problems.Forbidden("Setting or clearing banking details needs the contacts.banking permission. Leave \"banking\" out of the request.")
            : null;

    /// <summary>Banking changes are audited as masked before/after (last four characters of the numbers), never in full.</summary>
    private static void AuditBanking(AuditDetails audit, BankingDetails? before, BankingDetails? after) =>
        audit.Meta["banking"] = new JsonObject
        {
            ["before"] = JsonSerializer.SerializeToNode(before?.Masked(), JsonSerializerOptions.Web),
            ["after"] = JsonSerializer.SerializeToNode(after?.Masked(), JsonSerializerOptions.Web),
        };

    private static async Task<Results<Ok<Page<ContactView>>, ValidationProblem>> List(
        SwitchboardDbContext db, ContactService contacts, string? q, string? tag, long? departmentId, string? assignedToId,
        string? optIn, string? optedOut, string? sort, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var filter = new ContactFilter(q, tag, departmentId, assignedToId, optIn, optedOut, sort);
        var validation = filter.Validate();
        if (!Paging.TryRead(limit, cursor, validation, out var take, out var position))
            return validation.ToResult();
        var rows = await filter.PageAsync(db, position, take + 1, cancellationToken);
        var page = rows.Take(take).ToList();
        var next = rows.Count > take ? filter.CursorAfter(page[^1]).Encode() : null;
        // Lists never show full banking numbers, whoever asks.
        return TypedResults.Ok(new Page<ContactView>(page.Select(c => contacts.View(c, revealBanking: false)).ToList(), next));
    }

    private static async Task<Results<Ok<ContactView>, ProblemHttpResult>> Get(
        long id, SwitchboardDbContext db, ContactService contacts, TenantContext scope, CancellationToken cancellationToken)
    {
        var contact = await ContactFilter.WithChildren(db).AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        return contact is null ? Problems.NotFound("Contact") : TypedResults.Ok(contacts.View(contact, HasBankingAccess(scope)));
    }

    private static async Task<Results<Created<ContactView>, ValidationProblem, ProblemHttpResult>> Create(
        JsonElement body, SwitchboardDbContext db, ContactService contacts, TenantContext scope, IOptions<JsonOptions> json,
        AuditDetails audit, CancellationToken cancellationToken)
    {
        var sent = ContactRequest.Read(body, json.Value.SerializerOptions, out var error);
        if (sent is null)
            return Problems.BadRequest(error!);
        if (RefuseBankingWrite(sent, scope) is { } refused)
            return refused;
        var request = sent.AllPresent();
        var validation = await contacts.ValidateAsync(request, creating: true, cancellationToken);
        if (!validation.IsValid)
            return validation.ToResult();
        var contact = new Contact { Name = "" };
        contacts.Apply(contact, request);
        db.Contacts.Add(contact);
        if (await SaveUniqueAsync(db, contacts, contact, cancellationToken) is { } conflict)
            return conflict;
        audit.Meta["contactId"] = contact.Id;
        audit.Meta["name"] = contact.Name;
        if (sent.Has("banking"))
            AuditBanking(audit, null, contacts.ReadBanking(contact));
        return TypedResults.Created($"/api/v1/contacts/{contact.Id}", contacts.View(contact, HasBankingAccess(scope)));
    }

    private static async Task<Results<Ok<ContactView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, JsonElement body, SwitchboardDbContext db, ContactService contacts, TenantContext scope, IOptions<JsonOptions> json,
        AuditDetails audit, CancellationToken cancellationToken)
    {
        var contact = await ContactFilter.WithChildren(db).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (contact is null)
            return Problems.NotFound("Contact");
        var request = ContactRequest.Read(body, json.Value.SerializerOptions, out var error);
        if (request is null)
            return Problems.BadRequest(error!);
        if (RefuseBankingWrite(request, scope) is { } refused)
            return refused;
        var validation = await contacts.ValidateAsync(request, creating: false, cancellationToken);
        if (!validation.IsValid)
            return validation.ToResult();
        var bankingBefore = contacts.ReadBanking(contact);
        contacts.Apply(contact, request);
        if (await SaveUniqueAsync(db, contacts, contact, cancellationToken) is { } conflict)
            return conflict;
        audit.Meta["fields"] = string.Join(",", request.Present.Order());
        if (request.Has("banking"))
            AuditBanking(audit, bankingBefore, contacts.ReadBanking(contact));
        return TypedResults.Ok(contacts.View(contact, HasBankingAccess(scope)));
    }

    /// <summary>Saves, answering 409 (naming the existing contact) when the phone or email is taken, whether the check
    /// finds it first or the unique index catches a concurrent writer.</summary>
    private static async Task<ProblemHttpResult?> SaveUniqueAsync(SwitchboardDbContext db, ContactService contacts, Contact contact, CancellationToken cancellationToken)
    {
        if (await contacts.FindConflictAsync(contact, cancellationToken) is { } found)
            return Problems.Conflict($"Another contact already has this {found.Field}.", found.ExistingId);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            var raced = await contacts.FindConflictAsync(contact, cancellationToken);
            return Problems.Conflict($"Another contact already has this {raced?.Field ?? "phone or email"}.", raced?.ExistingId);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (contact is null)
            return Problems.NotFound("Contact");
        db.Contacts.Remove(contact);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Folds the secondary contact into the primary: the primary keeps its values and takes the secondary's where
    /// it has none; tags, departments and phones are united; the secondary is deleted.</summary>
    private static async Task<Results<Ok<ContactView>, ProblemHttpResult>> Merge(
        MergeContactsRequest request, SwitchboardDbContext db, ContactService contacts, ConversationOwnership conversations, TenantContext scope,
        AuditDetails audit, CancellationToken cancellationToken)
    {
        if (request.PrimaryId == request.SecondaryId)
            return Problems.BadRequest("A contact cannot be merged with itself.");
        var pair = await ContactFilter.WithChildren(db).Where(c => c.Id == request.PrimaryId || c.Id == request.SecondaryId).ToListAsync(cancellationToken);
        var primary = pair.FirstOrDefault(c => c.Id == request.PrimaryId);
        var secondary = pair.FirstOrDefault(c => c.Id == request.SecondaryId);
        if (primary is null || secondary is null)
            return Problems.NotFound(primary is null ? "Primary contact" : "Secondary contact");

        var banking = contacts.ReadBanking(primary) ?? contacts.ReadBanking(secondary);
        var merged = new ContactRequest(
            Name: primary.Name,
            Email: primary.Email ?? secondary.Email,
            Phone: primary.Phone ?? secondary.Phone,
            ExtraPhones: primary.ExtraPhones.Concat(secondary.ExtraPhones).Append(secondary.Phone).OfType<string>().Distinct().ToList(),
            WaId: primary.WaId ?? secondary.WaId,
            Tags: primary.Tags.Concat(secondary.Tags).Select(t => t.Tag).ToList(),
            OptIns: null,
            CustomAttributes: MergeAttributes(primary, secondary),
            Banking: banking,
            AssignedToId: primary.AssignedToId ?? secondary.AssignedToId,
            DepartmentIds: primary.Departments.Concat(secondary.Departments).Select(d => d.DepartmentId).ToList()).AllPresent();
        primary.WhatsAppOptIn ??= secondary.WhatsAppOptIn;
        primary.WhatsAppOptInAt ??= secondary.WhatsAppOptInAt;
        primary.WhatsAppOptInSource ??= secondary.WhatsAppOptInSource;
        primary.SmsOptIn ??= secondary.SmsOptIn;
        primary.SmsOptInAt ??= secondary.SmsOptInAt;
        primary.SmsOptInSource ??= secondary.SmsOptInSource;
        primary.EmailOptIn ??= secondary.EmailOptIn;
        primary.EmailOptInAt ??= secondary.EmailOptInAt;
        primary.EmailOptInSource ??= secondary.EmailOptInSource;

        // The secondary goes first so its phone and email are free for the primary (unique per tenant); its conversations stay.
        await conversations.MoveAsync(secondary.Id, primary.Id, cancellationToken);
        db.Contacts.Remove(secondary);
        await db.SaveChangesAsync(cancellationToken);
        contacts.Apply(primary, merged with { Present = new HashSet<string>(merged.Present.Where(p => !p.StartsWith("optIns", StringComparison.Ordinal))) });
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["primaryId"] = primary.Id;
        audit.Meta["secondaryId"] = request.SecondaryId;
        return TypedResults.Ok(contacts.View(primary, HasBankingAccess(scope)));
    }

    private static System.Text.Json.Nodes.JsonObject MergeAttributes(Contact primary, Contact secondary)
    {
        var result = (System.Text.Json.Nodes.JsonObject)secondary.CustomAttributes.DeepClone();
        foreach (var (key, value) in primary.CustomAttributes)
            result[key] = value?.DeepClone();
        return result;
    }
}
