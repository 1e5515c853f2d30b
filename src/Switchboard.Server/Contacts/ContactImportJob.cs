using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Csv;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Jobs;

namespace Switchboard.Contacts;

/// <summary>Upserts the rows of an uploaded CSV in batches. Each batch commits together with the import's progress, so a
/// crash loses nothing and a restarted job skips the rows already committed instead of applying them twice.</summary>
internal sealed class ContactImportJob(SwitchboardDbContext db, ContactService contacts, TimeProvider clock, ILogger<ContactImportJob> logger) : IJobHandler
{
    public const string JobType = "contacts.import";
    public const int BatchSize = 500;

    public sealed record Payload(long ImportId);

    public string Type => JobType;

    private sealed record Row(long Number, ContactRequest Request);

    private sealed record References(Dictionary<string, long> DepartmentsByName, Dictionary<string, long> MembersByEmail);

    public async Task RunAsync(Job job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)!;
        var import = await db.ContactImports.FirstOrDefaultAsync(i => i.Id == payload.ImportId, cancellationToken);
        if (import is null || import.Status is ImportStatus.Completed or ImportStatus.Failed)
            return;
        if (!File.Exists(import.StoragePath))
        {
            import.Status = ImportStatus.Failed;
            import.FailureReason = "The uploaded file is no longer on this server's storage.";
            import.CompletedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        import.Status = ImportStatus.Running;
        await db.SaveChangesAsync(cancellationToken);

        var references = new References(
            await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Name.ToLowerInvariant(), d => d.Id, cancellationToken),
            await db.Memberships.Select(m => new { m.UserId, m.User!.Email }).ToDictionaryAsync(m => m.Email, m => m.UserId, cancellationToken));

        using var reader = new StreamReader(import.StoragePath, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        var malformedRows = new HashSet<long>();
        using var csv = new CsvReader(reader, ContactCsv.ReaderConfiguration(bad => malformedRows.Add(bad.Context.Parser!.Row)));
        await csv.ReadAsync();
        csv.ReadHeader();
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToList();

        // Rows committed by an earlier, interrupted run are skipped, not applied again.
        for (long skipped = 0; skipped < import.RowsProcessed && await csv.ReadAsync(); skipped++)
        {
        }

        var batch = new List<Row>(BatchSize);
        var errors = new List<ImportRowError>();
        while (await csv.ReadAsync())
        {
            var number = csv.Parser.Row;
            var request = ReadRow(csv, header, references, number, malformedRows, errors);
            if (request is not null)
                batch.Add(new Row(number, request));
            else
                import.RowsRejected++;
            import.RowsProcessed++;
            if (import.RowsProcessed % BatchSize == 0)
            {
                import = await CommitBatchAsync(import, batch, errors, csv.Parser.ByteCount, cancellationToken);
            }
        }
        import = await CommitBatchAsync(import, batch, errors, import.BytesTotal, cancellationToken);
        import.Status = ImportStatus.Completed;
        import.CompletedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Import {ImportId}: {Created} created, {Updated} updated, {Rejected} rejected",
            import.Id, import.RowsCreated, import.RowsUpdated, import.RowsRejected);
        // The file holds personal data and is not needed once every row is in the database.
        File.Delete(import.StoragePath);
    }

    /// <summary>The job gave up: say so on the import, so the console stops showing it as running.</summary>
    public async Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, JsonSerializerOptions.Web)!;
        var now = clock.GetUtcNow();
        await db.ContactImports.Where(i => i.Id == payload.ImportId && i.Status != ImportStatus.Completed)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImportStatus.Failed)
                .SetProperty(i => i.FailureReason, $"The import stopped after repeated errors: {error}")
                .SetProperty(i => i.CompletedAt, now), cancellationToken);
    }

    /// <summary>Turns one CSV record into a contact request holding only its non-empty cells (an empty cell leaves the
    /// existing value alone); null, with errors recorded, when the row is rejected.</summary>
    private static ContactRequest? ReadRow(CsvReader csv, List<string> header, References references, long number,
        HashSet<long> malformedRows, List<ImportRowError> errors)
    {
        var cells = new Dictionary<string, string>();
        for (var i = 0; i < header.Count; i++)
        {
            var value = csv.GetField(i);
            if (!string.IsNullOrWhiteSpace(value))
                cells[header[i]] = CsvExport.Unescape(value.Trim());
        }
        var rowErrors = new List<ImportRowError>();
        if (malformedRows.Contains(number))
            rowErrors.Add(new ImportRowError(number, null, "The row is not well-formed CSV (check its quotes)."));
        if (cells.Values.Any(v => v.Contains('\uFFFD')))
            rowErrors.Add(new ImportRowError(number, null, "The row contains bytes that are not valid UTF-8."));
        // PostgreSQL text cannot hold NUL; a file with them is usually binary data saved as .csv.
        if (cells.Values.Any(v => v.Contains('\0')))
            rowErrors.Add(new ImportRowError(number, null, "The row contains NUL characters."));
        if (!cells.ContainsKey("phone") && !cells.ContainsKey("email"))
            rowErrors.Add(new ImportRowError(number, null, "A row needs a phone or an email to be matched."));

        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? Cell(string column, string property)
        {
            if (!cells.TryGetValue(column, out var value))
                return null;
            present.Add(property);
            return value;
        }

        long? ownerId = null;
        if (Cell("assigned_to_email", "assignedToId") is { } ownerEmail)
        {
            if (references.MembersByEmail.TryGetValue(ownerEmail.ToLowerInvariant(), out var owner))
                ownerId = owner;
            else
                rowErrors.Add(new ImportRowError(number, "assigned_to_email", $"{ownerEmail} is not a member of this workspace."));
        }

        List<long>? departmentIds = null;
        if (Cell("departments", "departmentIds") is { } departmentNames)
        {
            departmentIds = [];
            foreach (var name in ContactCsv.SplitList(departmentNames))
            {
                if (references.DepartmentsByName.TryGetValue(name.ToLowerInvariant(), out var id))
                    departmentIds.Add(id);
                else
                    rowErrors.Add(new ImportRowError(number, "departments", $"there is no department named '{name}'."));
            }
        }

        var optIns = new Dictionary<string, OptIn?>();
        foreach (var channel in new[] { "whatsapp", "sms", "email" })
        {
            var value = ContactCsv.ParseYesNo(Cell($"opt_in_{channel}", $"optIns.{channel}"), out var error);
            if (error is not null)
                rowErrors.Add(new ImportRowError(number, $"opt_in_{channel}", error));
            if (value is not null)
                optIns[channel] = new OptIn(value.Value, null, "csv import");
            else
                present.Remove($"optIns.{channel}");
        }

        var attributes = ContactCsv.ParseAttributes(Cell("custom_attributes", "customAttributes"), out var attributesError);
        if (attributesError is not null)
            rowErrors.Add(new ImportRowError(number, "custom_attributes", attributesError));
        foreach (var (column, value) in cells.Where(c => c.Key.StartsWith(ContactCsv.AttributePrefix, StringComparison.Ordinal)))
        {
            attributes ??= [];
            attributes[column[ContactCsv.AttributePrefix.Length..]] = value;
            present.Add("customAttributes");
        }

        var bankingCells = ContactCsv.BankingColumns.Select(c => Cell(c, "banking")).ToArray();
        var request = new ContactRequest(
            Name: Cell("name", "name"),
            Email: Cell("email", "email"),
            Phone: Cell("phone", "phone"),
            ExtraPhones: Cell("extra_phones", "extraPhones") is { } extra ? ContactCsv.SplitList(extra) : null,
            WaId: Cell("wa_id", "waId"),
            Tags: Cell("tags", "tags") is { } tags ? ContactCsv.SplitList(tags) : null,
            OptIns: new OptIns(optIns.GetValueOrDefault("whatsapp"), optIns.GetValueOrDefault("sms"), optIns.GetValueOrDefault("email")),
            CustomAttributes: attributes,
            Banking: present.Contains("banking") ? new BankingDetails(bankingCells[0], bankingCells[1], bankingCells[2], bankingCells[3], bankingCells[4]) : null,
            AssignedToId: ownerId,
            DepartmentIds: departmentIds) { Present = present };

        foreach (var (field, messages) in ContactService.ValidateShape(request, creating: false).Errors)
            rowErrors.AddRange(messages.Select(m => new ImportRowError(number, field, m)));
        if (rowErrors.Count == 0)
            return request;
        errors.AddRange(rowErrors);
        return null;
    }

    /// <summary>Upserts a batch (matching by phone, then email) and checkpoints progress in the same transaction.</summary>
    private async Task<ContactImport> CommitBatchAsync(ContactImport import, List<Row> batch, List<ImportRowError> errors, long bytesProcessed,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var phones = batch.Select(r => Formats.NormalizeE164(r.Request.Phone)).OfType<string>().ToList();
        var emails = batch.Select(r => Formats.NormalizeEmail(r.Request.Email)).OfType<string>().ToList();
        var existing = await db.Contacts.Include(c => c.Tags).Include(c => c.Departments).AsSplitQuery()
            .Where(c => (c.Phone != null && phones.Contains(c.Phone)) || (c.Email != null && emails.Contains(c.Email)))
            .ToListAsync(cancellationToken);
        var byPhone = existing.Where(c => c.Phone is not null).ToDictionary(c => c.Phone!);
        var byEmail = existing.Where(c => c.Email is not null).ToDictionary(c => c.Email!);

        foreach (var row in batch)
        {
            var request = row.Request;
            var phone = Formats.NormalizeE164(request.Phone);
            var email = Formats.NormalizeEmail(request.Email);
            var matchedByPhone = phone is null ? null : byPhone.GetValueOrDefault(phone);
            var matchedByEmail = email is null ? null : byEmail.GetValueOrDefault(email);
            if (matchedByPhone is not null && matchedByEmail is not null && matchedByPhone != matchedByEmail)
            {
                import.RowsRejected++;
                errors.Add(new ImportRowError(row.Number, "email", $"the phone belongs to contact {matchedByPhone.Id} but the email to contact {matchedByEmail.Id}."));
                continue;
            }
            var contact = matchedByPhone ?? matchedByEmail;
            if (contact is null)
            {
                if (string.IsNullOrWhiteSpace(request.Name))
                {
                    import.RowsRejected++;
                    errors.Add(new ImportRowError(row.Number, "name", "is required for a new contact."));
                    continue;
                }
                contact = new Contact { Name = "" };
                db.Contacts.Add(contact);
                import.RowsCreated++;
            }
            else
            {
                import.RowsUpdated++;
                if (request.Has("tags"))
                    request = request with { Tags = [.. contact.Tags.Select(t => t.Tag), .. request.Tags!] }; // an import adds tags
            }
            contacts.Apply(contact, request);
            if (contact.Phone is not null)
                byPhone[contact.Phone] = contact;
            if (contact.Email is not null)
                byEmail[contact.Email] = contact;
        }

        import.BytesProcessed = bytesProcessed;
        var room = ContactImport.MaxStoredErrors - import.Errors.Count;
        if (room > 0 && errors.Count > 0)
            import.Errors = [.. import.Errors, .. errors.OrderBy(e => e.Row).Take(room)];
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        batch.Clear();
        errors.Clear();
        // A fresh change tracker per batch keeps memory flat however large the file is.
        db.ChangeTracker.Clear();
        return await db.ContactImports.FirstAsync(i => i.Id == import.Id, cancellationToken);
    }
}
