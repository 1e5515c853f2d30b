using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Identity;
using Switchboard.Platform.Csv;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Contacts;

/// <summary>The CSV format of contacts, read by the importer and written by the export, so the two round-trip.</summary>
public static class ContactCsv
{
    public static readonly string[] Columns =
    [
        "name", "email", "phone", "extra_phones", "wa_id", "tags", "assigned_to_email", "departments",
        "opt_in_whatsapp", "opt_in_sms", "opt_in_email", "custom_attributes",
        "bank_name", "account_holder", "account_number", "routing_number", "iban",
    ];

    public static readonly string[] BankingColumns = ["bank_name", "account_holder", "account_number", "routing_number", "iban"];

    /// <summary>Prefix of a column that sets one custom attribute (<c>attr.plan</c>).</summary>
    public const string AttributePrefix = "attr.";

    public const char ListSeparator = ';';

    public static CsvConfiguration ReaderConfiguration(BadDataFound? badData = null) => new(CultureInfo.InvariantCulture)
    {
        DetectDelimiter = true,
        DetectDelimiterValues = [",", ";", "\t"],
        TrimOptions = TrimOptions.Trim,
        MissingFieldFound = null,
        HeaderValidated = null,
        CountBytes = true,
        Encoding = Encoding.UTF8,
        BadDataFound = badData,
        PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
    };

    /// <summary>The header's problems: required columns missing, unknown columns. Empty when the header is usable.</summary>
    public static List<string> CheckHeader(IReadOnlyList<string> header)
    {
        var names = header.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var problems = new List<string>();
        if (!names.Contains("name"))
            problems.Add("the 'name' column is missing.");
        if (!names.Contains("phone") && !names.Contains("email"))
            problems.Add("a 'phone' or an 'email' column is needed to match contacts.");
        var unknown = names.Where(n => !Columns.Contains(n) && !(n.StartsWith(AttributePrefix, StringComparison.Ordinal) && n.Length > AttributePrefix.Length)).ToList();
        if (unknown.Count > 0)
            problems.Add($"unknown columns: {string.Join(", ", unknown)} (custom attributes are written attr.<key>).");
        if (names.Distinct().Count() != names.Count)
            problems.Add("a column name appears twice.");
        return problems;
    }

    public static string JoinList(IEnumerable<string> values) => string.Join(ListSeparator, values);

    public static List<string> SplitList(string? cell) =>
        string.IsNullOrWhiteSpace(cell) ? [] : cell.Split(ListSeparator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>Streams the filtered contacts as CSV, a page at a time, so an export of any size uses constant memory.</summary>
    internal static Results<PushStreamHttpResult, ValidationProblem> Export(
        SwitchboardDbContext db, ContactService contacts, TenantContext scope, string? q, string? tag, long? departmentId,
        string? assignedToId, string? optIn, string? optedOut)
    {
        var filter = new ContactFilter(q, tag, departmentId, assignedToId, optIn, optedOut, Sort: null);
        var validation = filter.Validate();
        if (!validation.IsValid)
            return validation.ToResult();
        var withBanking = scope.Role is { } role && PermissionMatrix.Allows(role, Permission.ContactsBanking);
        var columns = withBanking ? Columns : Columns.Except(BankingColumns).ToArray();
        return TypedResults.Stream(async body =>
        {
            var departments = await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Name);
            var owners = await db.Memberships.AsNoTracking().Select(m => new { m.UserId, m.User!.Email }).ToDictionaryAsync(m => m.UserId, m => m.Email);
            await using var writer = new StreamWriter(body, new UTF8Encoding(false));
            await using var csv = CsvExport.CreateWriter(writer);
            foreach (var column in columns)
                csv.WriteField(column);
            await csv.NextRecordAsync();
            long afterId = 0;
            while (true)
            {
                var ids = await filter.Apply(db.Contacts).Where(c => c.Id > afterId).OrderBy(c => c.Id).Select(c => c.Id).Take(1000).ToListAsync();
                var page = await ContactFilter.LoadAsync(db, ids, CancellationToken.None);
                if (page.Count == 0)
                    break;
                foreach (var contact in page)
                {
                    var banking = withBanking ? contacts.ReadBanking(contact) : null;
                    var values = new Dictionary<string, string?>
                    {
                        ["name"] = contact.Name,
                        ["email"] = contact.Email,
                        ["phone"] = contact.Phone,
                        ["extra_phones"] = JoinList(contact.ExtraPhones),
                        ["wa_id"] = contact.WaId,
                        ["tags"] = JoinList(contact.Tags.Select(t => t.Tag)),
                        ["assigned_to_email"] = contact.AssignedToId is { } owner ? owners.GetValueOrDefault(owner) : null,
                        ["departments"] = JoinList(contact.Departments.Select(d => departments.GetValueOrDefault(d.DepartmentId) ?? "")),
                        ["opt_in_whatsapp"] = YesNo(contact.WhatsAppOptIn),
                        ["opt_in_sms"] = YesNo(contact.SmsOptIn),
                        ["opt_in_email"] = YesNo(contact.EmailOptIn),
                        ["custom_attributes"] = contact.CustomAttributes.Count == 0 ? null : contact.CustomAttributes.ToJsonString(),
                        ["bank_name"] = banking?.BankName,
                        ["account_holder"] = banking?.AccountHolder,
                        ["account_number"] = banking?.AccountNumber,
                        ["routing_number"] = banking?.RoutingNumber,
                        ["iban"] = banking?.Iban,
                    };
                    foreach (var column in columns)
                        csv.WriteField(values[column]);
                    await csv.NextRecordAsync();
                }
                afterId = page[^1].Id;
                await writer.FlushAsync();
            }
        }, "text/csv; charset=utf-8", "contacts.csv");
    }

    private static string? YesNo(bool? value) => value switch { true => "yes", false => "no", null => null };

    /// <summary>Reads a yes/no cell: null for empty, an error message for anything else unrecognised.</summary>
    public static bool? ParseYesNo(string? cell, out string? error)
    {
        error = null;
        switch (cell?.Trim().ToLowerInvariant())
        {
            case null or "": return null;
            case "yes" or "y" or "true" or "1": return true;
            case "no" or "n" or "false" or "0": return false;
            default:
                error = "must be yes or no.";
                return null;
        }
    }

    public static JsonObject? ParseAttributes(string? cell, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(cell))
            return null;
        try
        {
            if (JsonNode.Parse(cell) is JsonObject attributes)
                return attributes;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        error = "must be a JSON object such as {\"plan\":\"gold\"}.";
        return null;
    }
}
