using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Jobs;
using Switchboard.Tenancy;

namespace Switchboard.Contacts;

public sealed record ImportView(long Id, string FileName, ImportStatus Status, long BytesTotal, long BytesProcessed, long RowsProcessed,
    long RowsCreated, long RowsUpdated, long RowsRejected, IReadOnlyList<ImportRowError> Errors, string? FailureReason,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>CSV upload: the file is streamed to disk (never held in memory), its header checked at once, and the rows are
/// processed by a <see cref="ContactImportJob"/> whose progress the console polls.</summary>
public static class ContactImportsApi
{
    public const long MaxUploadBytes = 100L * 1024 * 1024;

    public static void MapContactImportsApi(this RouteGroupBuilder contacts)
    {
        var imports = contacts.MapGroup("/imports").RequirePermission(Permission.ContactsImport);
        imports.MapPost("/", Upload).Audited("contacts.import", handlerWritesEntry: true)
            .WithMetadata(new BodySizeLimit(MaxUploadBytes))
            .WithDescription("Upload a CSV as multipart/form-data (a part named 'file') or as a raw text/csv body. Answers 202 with the import to poll.");
        imports.MapGet("/", List);
        imports.MapGet("/{id:long}", Get);
    }

    public static ImportView View(ContactImport i) => new(i.Id, i.FileName, i.Status, i.BytesTotal, i.BytesProcessed, i.RowsProcessed,
        i.RowsCreated, i.RowsUpdated, i.RowsRejected, i.Errors, i.FailureReason, i.CreatedAt, i.CompletedAt);

    private static async Task<Ok<ItemList<ImportView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<ImportView>((await db.ContactImports.AsNoTracking().OrderByDescending(i => i.Id).Take(50)
            .ToListAsync(cancellationToken)).Select(View).ToList()));

    private static async Task<Results<Ok<ImportView>, ProblemHttpResult>> Get(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var import = await db.ContactImports.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        return import is null ? Problems.NotFound("Import") : TypedResults.Ok(View(import));
    }

    private static async Task<Results<Accepted<ImportView>, ProblemHttpResult>> Upload(
        HttpContext http, SwitchboardDbContext db, TenantContext scope, JobQueue jobs, AuditWriter audit, IConfiguration configuration,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetFullPath(configuration["Storage:DataDirectory"] ?? "data"), "imports", scope.RequiredTenantId.ToString());
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{Guid.NewGuid():N}.csv");
        Received received;
        try
        {
            received = await ReceiveAsync(http.Request, path, cancellationToken);
        }
        catch
        {
            File.Delete(path); // an aborted or oversized upload leaves no partial file behind
            throw;
        }
        if (received.Problem is not null)
        {
            File.Delete(path);
            return received.Problem;
        }
        var headerProblem = await CheckHeaderAsync(path, ContactsApi.HasBankingAccess(scope), cancellationToken);
        if (headerProblem is not null)
        {
            File.Delete(path);
            return headerProblem;
        }

        // The import, its job and its audit entry commit together: no import is ever left without the job that runs it.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var import = new ContactImport
        {
            FileName = received.FileName,
            StoragePath = path,
            BytesTotal = received.Bytes,
            CreatedById = scope.UserId,
            CreatedAt = clock.GetUtcNow(),
        };
        db.ContactImports.Add(import);
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue(ContactImportJob.JobType, new ContactImportJob.Payload(import.Id));
        audit.Add("contacts.import", new JsonObject { ["importId"] = import.Id, ["fileName"] = import.FileName, ["bytes"] = import.BytesTotal });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/contacts/imports/{import.Id}", View(import));
    }

    private sealed record Received(string FileName, long Bytes, ProblemHttpResult? Problem);

    /// <summary>Copies the CSV (a multipart <c>file</c> part or a raw <c>text/csv</c> body) to <paramref name="path"/>.</summary>
    private static async Task<Received> ReceiveAsync(HttpRequest request, string path, CancellationToken cancellationToken)
    {
        var contentType = request.ContentType ?? "";
        Stream? source = null;
        var fileName = request.Query["fileName"].FirstOrDefault() ?? "upload.csv";
        if (contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(contentType).Boundary).Value;
            if (string.IsNullOrEmpty(boundary))
                return new Received(fileName, 0, Problems.BadRequest("The multipart body has no boundary."));
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
                {
                    fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? fileName);
                    source = section.Body;
                    break;
                }
            }
            if (source is null)
                return new Received(fileName, 0, Problems.BadRequest("Send the CSV as a multipart part named 'file'."));
        }
        else if (contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            source = request.Body;
        }
        else
        {
            return new Received(fileName, 0, TypedResults.Problem(title: "Unsupported media type",
                detail: "Upload the CSV as multipart/form-data (field 'file') or as a text/csv body.", statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        await using (var file = File.Create(path))
            await source.CopyToAsync(file, cancellationToken);
        var bytes = new FileInfo(path).Length;
        return bytes == 0
            ? new Received(fileName, 0, Problems.BadRequest("The file is empty."))
            : new Received(fileName, bytes, null);
    }

    /// <summary>Reads only the header row, so a wrong file is refused at once rather than after queueing. Banking columns
    /// write banking details, which needs <c>contacts.banking</c> (<paramref name="mayWriteBanking"/>).</summary>
    private static async Task<ProblemHttpResult?> CheckHeaderAsync(string path, bool mayWriteBanking, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, ContactCsv.ReaderConfiguration());
        if (!await csv.ReadAsync() || !csv.ReadHeader() || csv.HeaderRecord is null)
            return Problems.BadRequest("The file has no header row.");
        if (csv.HeaderRecord.Any(h => h.Contains('\uFFFD')))
            return Problems.BadRequest("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.");
        var problems = ContactCsv.CheckHeader(csv.HeaderRecord);
        cancellationToken.ThrowIfCancellationRequested();
        if (problems.Count > 0)
            return Problems.BadRequest("The header is not usable: " + string.Join(" ", problems));
        var banking = csv.HeaderRecord.Select(h => h.Trim()).Intersect(ContactCsv.BankingColumns, StringComparer.OrdinalIgnoreCase).ToList();
        return banking.Count > 0 && !mayWriteBanking
            ? Problems.Forbidden($"The columns {string.Join(", ", banking)} write banking details, which needs the contacts.banking permission. Remove them and upload again.")
            : null;
    }
}
