using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Switchboard.Contacts;

public enum ContactChannel
{
    WhatsApp,
    Sms,
    Email,
}

public sealed record OptIn(bool OptedIn, DateTimeOffset? At, string? Source);

public sealed record OptIns([property: JsonPropertyName("whatsapp")] OptIn? WhatsApp, OptIn? Sms, OptIn? Email);

/// <summary>The banking fields, kept encrypted at rest as one document.</summary>
public sealed record BankingDetails(string? BankName, string? AccountHolder, string? AccountNumber, string? RoutingNumber, string? Iban)
{
    [JsonIgnore]
    public bool IsEmpty => new[] { BankName, AccountHolder, AccountNumber, RoutingNumber, Iban }.All(string.IsNullOrWhiteSpace);

    /// <summary>Numbers reduced to their last four characters, for lists and for roles without banking access.</summary>
    public BankingDetails Masked() => this with { AccountNumber = Mask(AccountNumber), RoutingNumber = Mask(RoutingNumber), Iban = Mask(Iban) };

    private static string? Mask(string? value) =>
        string.IsNullOrEmpty(value) ? value : "••••" + (value.Length > 4 ? value[^4..] : "");
}

public sealed record ContactView(
    long Id,
    string Name,
    string? Email,
    string? Phone,
    IReadOnlyList<string> ExtraPhones,
    string? WaId,
    IReadOnlyList<string> Tags,
    OptIns OptIns,
    JsonObject CustomAttributes,
    BankingDetails? Banking,
    long? AssignedToId,
    IReadOnlyList<long> DepartmentIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The writable contact fields. On PATCH only the properties present in the JSON body are applied (a present null
/// clears); <see cref="Present"/> records which were there.</summary>
public sealed record ContactRequest(
    string? Name,
    string? Email,
    string? Phone,
    List<string>? ExtraPhones,
    string? WaId,
    List<string>? Tags,
    OptIns? OptIns,
    JsonObject? CustomAttributes,
    BankingDetails? Banking,
    long? AssignedToId,
    List<long>? DepartmentIds)
{
    public IReadOnlySet<string> Present { get; init; } = new HashSet<string>();

    public bool Has(string property) => Present.Contains(property);

    /// <summary>Reads a JSON body, remembering which properties it named. Type errors become a message, not an exception.</summary>
    public static ContactRequest? Read(JsonElement body, JsonSerializerOptions options, out string? error)
    {
        error = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = "The body must be a JSON object.";
            return null;
        }
        try
        {
            var request = body.Deserialize<ContactRequest>(options)!;
            var present = body.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var optInChannels = body.TryGetProperty("optIns", out var optIns) && optIns.ValueKind == JsonValueKind.Object
                ? optIns.EnumerateObject().Select(p => "optIns." + p.Name)
                : [];
            present.UnionWith(optInChannels);
            return request with { Present = present };
        }
        catch (JsonException e)
        {
            error = $"Invalid JSON at {e.Path}: {e.Message.Split(". Path:")[0]}.";
            return null;
        }
    }

    /// <summary>A request in which every property counts as present (creation, CSV rows).</summary>
    public ContactRequest AllPresent() => this with
    {
        Present = new HashSet<string>(
            ["name", "email", "phone", "extraPhones", "waId", "tags", "optIns", "optIns.whatsapp", "optIns.sms", "optIns.email",
             "customAttributes", "banking", "assignedToId", "departmentIds"], StringComparer.OrdinalIgnoreCase),
    };
}
