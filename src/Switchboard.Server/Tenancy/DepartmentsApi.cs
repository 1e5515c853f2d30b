using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Tenancy;

public sealed record DepartmentView(long Id, string Name, string? Description, [property: JsonPropertyName("whatsappNumbers")] IReadOnlyList<string> WhatsAppNumbers,
    IReadOnlyList<long> MemberIds, DateTimeOffset CreatedAt);

public sealed record DepartmentRequest(string? Name, string? Description, [property: JsonPropertyName("whatsappNumbers")] List<string>? WhatsAppNumbers, List<long>? MemberIds);

public static class DepartmentsApi
{
    public static void MapDepartmentsApi(this RouteGroupBuilder api)
    {
        var departments = api.MapGroup("/departments").WithTags("Departments");
        departments.MapGet("/", List).RequirePermission(Permission.DepartmentsRead);
        departments.MapGet("/{id:long}", Get).RequirePermission(Permission.DepartmentsRead);
        departments.MapPost("/", Create).RequirePermission(Permission.DepartmentsManage).Audited("tenancy.create_department");
        departments.MapPatch("/{id:long}", Update).RequirePermission(Permission.DepartmentsManage).Audited("tenancy.update_department");
        departments.MapDelete("/{id:long}", Delete).RequirePermission(Permission.DepartmentsManage).Audited("tenancy.delete_department");
    }

    private static DepartmentView View(Department d) =>
        new(d.Id, d.Name, d.Description, d.WhatsAppNumbers, d.Members.Select(m => m.UserId).Order().ToList(), d.CreatedAt);

    private static async Task<Ok<ItemList<DepartmentView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<DepartmentView>((await db.Departments.AsNoTracking().Include(d => d.Members)
            .OrderBy(d => d.Name).ToListAsync(cancellationToken)).Select(View).ToList()));

    private static async Task<Results<Ok<DepartmentView>, ProblemHttpResult>> Get(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var department = await db.Departments.AsNoTracking().Include(d => d.Members).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        return department is null ? Problems.NotFound("Department") : TypedResults.Ok(View(department));
    }

    /// <summary>Checks the request; <paramref name="creating"/> makes the name required.</summary>
    private static async Task<Validation> ValidateAsync(DepartmentRequest request, bool creating, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (creating || request.Name is not null)
            validation.Required("name", request.Name, 100);
        validation.MaxLength("description", request.Description, 2000);
        for (var i = 0; request.WhatsAppNumbers is not null && i < request.WhatsAppNumbers.Count; i++)
        {
            if (Formats.NormalizeE164(request.WhatsAppNumbers[i]) is null)
                validation.Add($"whatsappNumbers[{i}]", "must be an E.164 number such as +15551234567.");
        }
        if (request.MemberIds is { Count: > 0 } memberIds)
        {
            var known = await db.Memberships.Where(m => memberIds.Contains(m.UserId)).Select(m => m.UserId).ToListAsync(cancellationToken);
            foreach (var unknown in memberIds.Except(known))
                validation.Add("memberIds", $"user {unknown} is not a member of this workspace.");
        }
        return validation;
    }

    private static void Apply(Department department, DepartmentRequest request)
    {
        if (request.Name is not null)
            department.Name = request.Name.Trim();
        if (request.Description is not null)
            department.Description = request.Description.Length == 0 ? null : request.Description;
        if (request.WhatsAppNumbers is not null)
            department.WhatsAppNumbers = request.WhatsAppNumbers.Select(n => Formats.NormalizeE164(n)!).Distinct().ToList();
        if (request.MemberIds is not null)
        {
            department.Members.RemoveAll(m => !request.MemberIds.Contains(m.UserId));
            foreach (var userId in request.MemberIds.Distinct().Where(id => department.Members.All(m => m.UserId != id)))
                department.Members.Add(new DepartmentMember { UserId = userId });
        }
    }

    private static Task<bool> NameTakenAsync(SwitchboardDbContext db, string? name, long exceptId, CancellationToken cancellationToken) =>
        name is null ? Task.FromResult(false) : db.Departments.AnyAsync(d => d.Name == name.Trim() && d.Id != exceptId, cancellationToken);

    private static async Task<Results<Created<DepartmentView>, ValidationProblem, ProblemHttpResult>> Create(
        DepartmentRequest request, SwitchboardDbContext db, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = await ValidateAsync(request, creating: true, db, cancellationToken);
        if (!validation.IsValid)
            return validation.ToResult();
        if (await NameTakenAsync(db, request.Name, 0, cancellationToken))
            return Problems.Conflict("A department with that name exists.");
        var now = clock.GetUtcNow();
        var department = new Department { Name = "", CreatedAt = now, UpdatedAt = now };
        Apply(department, request);
        db.Departments.Add(department);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["departmentId"] = department.Id;
        audit.Meta["name"] = department.Name;
        return TypedResults.Created($"/api/v1/departments/{department.Id}", View(department));
    }

    private static async Task<Results<Ok<DepartmentView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, DepartmentRequest request, SwitchboardDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var department = await db.Departments.Include(d => d.Members).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (department is null)
            return Problems.NotFound("Department");
        var validation = await ValidateAsync(request, creating: false, db, cancellationToken);
        if (!validation.IsValid)
            return validation.ToResult();
        if (await NameTakenAsync(db, request.Name, id, cancellationToken))
            return Problems.Conflict("A department with that name exists.");
        Apply(department, request);
        department.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(department));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var department = await db.Departments.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (department is null)
            return Problems.NotFound("Department");
        db.Departments.Remove(department);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
