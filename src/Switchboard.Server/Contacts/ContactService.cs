using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Security;

namespace Switchboard.Contacts;

/// <summary>The rules of a contact, shared by the API and the CSV importer: validation, applying changes, uniqueness,
/// search text, banking encryption and the API view.</summary>
public sealed partial class ContactService(SwitchboardDbContext db, SecretProtector secrets, TimeProvider clock)
{
    public const int MaxTags = 50;
    public const int MaxCustomAttributesBytes = 16 * 1024;

    /// <summary>Checks what can be checked without the database.</summary>
    public static Validation ValidateShape(ContactRequest request, bool creating)
    {
        var validation = new Validation();
        if (creating || request.Has("name"))
            validation.Required("name", request.Name);
        if (request.Has("email") && request.Email is not null && Formats.NormalizeEmail(request.Email) is null)
            validation.Add("email", "must be a valid email address.");
        if (request.Has("phone") && request.Phone is not null && Formats.NormalizeE164(request.Phone) is null)
            validation.Add("phone", "must be an E.164 number such as +15551234567.");
        for (var i = 0; request.Has("extraPhones") && request.ExtraPhones is not null && i < request.ExtraPhones.Count; i++)
        {
            if (Formats.NormalizeE164(request.ExtraPhones[i]) is null)
                validation.Add($"extraPhones[{i}]", "must be an E.164 number such as +15551234567.");
        }
        if (request.Has("waId") && request.WaId is not null && !WaIdPattern().IsMatch(request.WaId))
            validation.Add("waId", "must be the WhatsApp ID: the number's digits without '+'.");
        if (request.Has("tags") && request.Tags is not null)
        {
            if (request.Tags.Count > MaxTags)
                validation.Add("tags", $"at most {MaxTags} tags.");
            if (request.Tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Trim().Length > 50))
                validation.Add("tags", "each tag must be 1-50 characters.");
        }
        if (request.Has("customAttributes") && request.CustomAttributes is not null
            && Encoding.UTF8.GetByteCount(request.CustomAttributes.ToJsonString()) > MaxCustomAttributesBytes)
            validation.Add("customAttributes", $"must be at most {MaxCustomAttributesBytes / 1024} KiB of JSON.");
        foreach (var (channel, optIn) in OptInsOf(request))
            validation.MaxLength($"optIns.{channel}.source", optIn?.Source, 200);
        if (request.Has("banking") && request.Banking is { } banking)
        {
            validation.MaxLength("banking.bankName", banking.BankName, 100).MaxLength("banking.accountHolder", banking.AccountHolder, 100)
                .MaxLength("banking.accountNumber", banking.AccountNumber, 34).MaxLength("banking.routingNumber", banking.RoutingNumber, 34);
            if (!string.IsNullOrWhiteSpace(banking.Iban) && !IbanPattern().IsMatch(banking.Iban.Replace(" ", "").ToUpperInvariant()))
                validation.Add("banking.iban", "must be an IBAN: two letters, two check digits, up to 30 letters or digits.");
        }
        return validation;
    }

    /// <summary>Shape, plus the references (owner, departments) that must exist in this tenant.</summary>
    public async Task<Validation> ValidateAsync(ContactRequest request, bool creating, CancellationToken cancellationToken)
    {
        var validation = ValidateShape(request, creating);
        if (request.Has("assignedToId") && request.AssignedToId is { } ownerId
            && !await db.Memberships.AnyAsync(m => m.UserId == ownerId, cancellationToken))
            validation.Add("assignedToId", $"user {ownerId} is not a member of this workspace.");
        if (request.Has("departmentIds") && request.DepartmentIds is { Count: > 0 } departmentIds)
        {
            var known = await db.Departments.Where(d => departmentIds.Contains(d.Id)).Select(d => d.Id).ToListAsync(cancellationToken);
            foreach (var unknown in departmentIds.Except(known))
                validation.Add("departmentIds", $"department {unknown} does not exist.");
        }
        return validation;
    }

    private static IEnumerable<(string Channel, OptIn? OptIn)> OptInsOf(ContactRequest request)
    {
        if (request.OptIns is null)
            yield break;
        if (request.Has("optIns.whatsapp")) yield return ("whatsapp", request.OptIns.WhatsApp);
        if (request.Has("optIns.sms")) yield return ("sms", request.OptIns.Sms);
        if (request.Has("optIns.email")) yield return ("email", request.OptIns.Email);
    }

    /// <summary>Applies a validated request: present properties replace, absent ones are kept.</summary>
    public void Apply(Contact contact, ContactRequest request)
    {
        var now = clock.GetUtcNow();
        if (request.Has("name") && request.Name is not null)
            contact.Name = request.Name.Trim();
        if (request.Has("email"))
            contact.Email = Formats.NormalizeEmail(request.Email);
        if (request.Has("phone"))
            contact.Phone = Formats.NormalizeE164(request.Phone);
        if (request.Has("extraPhones"))
            contact.ExtraPhones = (request.ExtraPhones ?? []).Select(p => Formats.NormalizeE164(p)!).Distinct().Where(p => p != contact.Phone).ToList();
        if (request.Has("waId"))
            contact.WaId = request.WaId;
        if (contact.WaId is null && contact.Phone is not null)
            contact.WaId = contact.Phone[1..]; // WhatsApp identifies a person by their number's digits.
        if (request.Has("tags"))
        {
            var tags = (request.Tags ?? []).Select(t => t.Trim()).DistinctBy(t => t.ToLowerInvariant()).ToList();
            contact.Tags.RemoveAll(t => !tags.Contains(t.Tag));
            contact.Tags.AddRange(tags.Where(t => contact.Tags.All(existing => existing.Tag != t)).Select(t => new ContactTag { Tag = t }));
        }
        foreach (var (channel, optIn) in OptInsOf(request))
            SetOptIn(contact, channel, optIn is null ? null : optIn with { At = optIn.At ?? now });
        if (request.Has("customAttributes"))
            contact.CustomAttributes = request.CustomAttributes ?? new JsonObject();
        if (request.Has("banking"))
            contact.BankingCiphertext = request.Banking is null || request.Banking.IsEmpty
                ? null
                : secrets.Protect(JsonSerializer.Serialize(request.Banking with { Iban = request.Banking.Iban?.Replace(" ", "").ToUpperInvariant() }));
        if (request.Has("assignedToId"))
            contact.AssignedToId = request.AssignedToId;
        if (request.Has("departmentIds"))
        {
            var ids = request.DepartmentIds ?? [];
            contact.Departments.RemoveAll(d => !ids.Contains(d.DepartmentId));
            contact.Departments.AddRange(ids.Distinct().Where(id => contact.Departments.All(d => d.DepartmentId != id))
                .Select(id => new ContactDepartment { DepartmentId = id }));
        }
        contact.SearchText = SearchTextOf(contact);
        contact.UpdatedAt = now;
        if (contact.Id == 0)
            contact.CreatedAt = now;
    }

    private static void SetOptIn(Contact contact, string channel, OptIn? optIn)
    {
        switch (channel)
        {
            case "whatsapp":
                (contact.WhatsAppOptIn, contact.WhatsAppOptInAt, contact.WhatsAppOptInSource) = (optIn?.OptedIn, optIn?.At, optIn?.Source);
                break;
            case "sms":
                (contact.SmsOptIn, contact.SmsOptInAt, contact.SmsOptInSource) = (optIn?.OptedIn, optIn?.At, optIn?.Source);
                break;
            default:
                (contact.EmailOptIn, contact.EmailOptInAt, contact.EmailOptInSource) = (optIn?.OptedIn, optIn?.At, optIn?.Source);
                break;
        }
    }

    /// <summary>The other contact already holding this contact's phone or email, if any.</summary>
    public async Task<(string Field, long ExistingId)?> FindConflictAsync(Contact contact, CancellationToken cancellationToken)
    {
        if (contact.Phone is { } phone)
        {
            var id = await db.Contacts.Where(c => c.Phone == phone && c.Id != contact.Id).Select(c => c.Id).FirstOrDefaultAsync(cancellationToken);
            if (id != 0)
                return ("phone", id);
        }
        if (contact.Email is { } email)
        {
            var id = await db.Contacts.Where(c => c.Email == email && c.Id != contact.Id).Select(c => c.Id).FirstOrDefaultAsync(cancellationToken);
            if (id != 0)
                return ("email", id);
        }
        return null;
    }

    /// <summary>The contacts that messages come from, one query for all of them: WhatsApp senders by <c>wa_id</c> then phone,
    /// SMS senders by phone, email senders by address (case-insensitive); the oldest match wins. Senders not found are created
    /// (named by the given name, else the address) and added to the unit of work, not saved. Keyed by the addresses as given;
    /// two spellings of one address share a contact.</summary>
    public async Task<Dictionary<string, Contact>> FindOrCreateSendersAsync(SenderKind kind, IReadOnlyCollection<(string Address, string? Name)> senders,
        CancellationToken cancellationToken)
    {
        var wanted = senders.Select(s => (s.Address, s.Name, Key: SenderKey(kind, s.Address))).ToList();
        var keys = wanted.Select(w => w.Key).Distinct().ToList();
        var query = kind switch
        {
            SenderKind.WhatsApp when keys.Select(k => Formats.NormalizeE164("+" + k)).OfType<string>().ToList() is var phones =>
                db.Contacts.Where(c => keys.Contains(c.WaId!) || phones.Contains(c.Phone!)),
            SenderKind.Phone => db.Contacts.Where(c => keys.Contains(c.Phone!)),
            _ => db.Contacts.Where(c => keys.Contains(c.Email!)),
        };
        var candidates = await query.OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var byKey = new Dictionary<string, Contact>();
        var found = new Dictionary<string, Contact>();
        foreach (var (address, name, key) in wanted)
        {
            if (!byKey.TryGetValue(key, out var contact))
                byKey[key] = contact = candidates.FirstOrDefault(c => Matches(kind, c, key)) ?? NewSender(kind, key, name);
            found[address] = contact;
        }
        return found;
    }

    /// <summary>The contact an email comes from, created and saved if new (the web chat's visitor form).</summary>
    public async Task<Contact> FindOrCreateByEmailAsync(string email, string? name, CancellationToken cancellationToken)
    {
        var contact = (await FindOrCreateSendersAsync(SenderKind.Email, [(email, name)], cancellationToken))[email];
        await db.SaveChangesAsync(cancellationToken);
        return contact;
    }

    private static string SenderKey(SenderKind kind, string address) => kind switch
    {
        SenderKind.WhatsApp => address.TrimStart('+'),
        SenderKind.Phone => Formats.NormalizeE164(address) ?? address,
        _ => address.Trim().ToLowerInvariant(),
    };

    private static bool Matches(SenderKind kind, Contact contact, string key) => kind switch
    {
        SenderKind.WhatsApp => contact.WaId == key || contact.Phone is not null && contact.Phone == Formats.NormalizeE164("+" + key),
        SenderKind.Phone => contact.Phone == key,
        _ => contact.Email == key,
    };

    private Contact NewSender(SenderKind kind, string key, string? name)
    {
        var contact = new Contact { Name = "" };
        var phone = kind switch { SenderKind.WhatsApp => Formats.NormalizeE164("+" + key), SenderKind.Phone => key, _ => null };
        var fallbackName = kind == SenderKind.WhatsApp ? "+" + key : key;
        Apply(contact, new ContactRequest(string.IsNullOrWhiteSpace(name) ? fallbackName : name.Trim(), kind == SenderKind.Email ? key : null, phone, null,
            kind == SenderKind.WhatsApp ? key : null, null, new OptIns(null, null, null), null, null, null, null).AllPresent());
        db.Contacts.Add(contact);
        return contact;
    }

    /// <summary>Records the customer's consent for one kind of channel (STOP/START keywords, Twilio's OptOutType, WhatsApp's
    /// 131050); saved with the caller's unit of work.</summary>
    /// <summary>Records the customer's consent on this kind of channel as of <paramref name="at"/> (the time of their message;
    /// now by default). A change older than the one recorded is ignored: a STOP filed after a later START does not undo it.</summary>
    public void SetConsent(Contact contact, ChannelType channelType, bool optedIn, string source, DateTimeOffset? at = null)
    {
        var now = clock.GetUtcNow();
        var when = at < now ? at.Value : now; // a provider's clock ahead of ours must not outlast later changes
        var recorded = channelType switch
        {
            ChannelType.WhatsApp or ChannelType.TwilioWhatsApp => contact.WhatsAppOptInAt,
            ChannelType.TwilioSms => contact.SmsOptInAt,
            ChannelType.Email => contact.EmailOptInAt,
            _ => null,
        };
        if (recorded > when)
            return;
        switch (channelType)
        {
            case ChannelType.WhatsApp or ChannelType.TwilioWhatsApp:
                (contact.WhatsAppOptIn, contact.WhatsAppOptInAt, contact.WhatsAppOptInSource) = (optedIn, when, source);
                break;
            case ChannelType.TwilioSms:
                (contact.SmsOptIn, contact.SmsOptInAt, contact.SmsOptInSource) = (optedIn, when, source);
                break;
            case ChannelType.Email:
                (contact.EmailOptIn, contact.EmailOptInAt, contact.EmailOptInSource) = (optedIn, when, source);
                break;
        }
        contact.UpdatedAt = now;
    }

    /// <summary>False when the customer has opted out of this kind of channel (web chat has no consent to give).</summary>
    public static bool Reachable(Contact contact, ChannelType channelType) => channelType switch
    {
        ChannelType.WhatsApp or ChannelType.TwilioWhatsApp => contact.WhatsAppOptIn != false,
        ChannelType.TwilioSms => contact.SmsOptIn != false,
        ChannelType.Email => contact.EmailOptIn != false,
        _ => true,
    };

    public BankingDetails? ReadBanking(Contact contact) =>
        contact.BankingCiphertext is null ? null : JsonSerializer.Deserialize<BankingDetails>(secrets.Unprotect(contact.BankingCiphertext));

    public ContactView View(Contact contact, bool revealBanking)
    {
        var banking = ReadBanking(contact);
        return new ContactView(contact.Id, contact.Name, contact.Email, contact.Phone, contact.ExtraPhones, contact.WaId,
            contact.Tags.Select(t => t.Tag).Order(StringComparer.OrdinalIgnoreCase).ToList(),
            new OptIns(OptInOf(contact.WhatsAppOptIn, contact.WhatsAppOptInAt, contact.WhatsAppOptInSource),
                OptInOf(contact.SmsOptIn, contact.SmsOptInAt, contact.SmsOptInSource),
                OptInOf(contact.EmailOptIn, contact.EmailOptInAt, contact.EmailOptInSource)),
            contact.CustomAttributes, revealBanking ? banking : banking?.Masked(), contact.AssignedToId,
            contact.Departments.Select(d => d.DepartmentId).Order().ToList(), contact.CreatedAt, contact.UpdatedAt);
    }

    private static OptIn? OptInOf(bool? optedIn, DateTimeOffset? at, string? source) => optedIn is null ? null : new OptIn(optedIn.Value, at, source);

    /// <summary>Lower-cased name, email and phone numbers, so one substring match covers them all.</summary>
    public static string SearchTextOf(Contact contact) =>
        string.Join(' ', new[] { contact.Name.ToLowerInvariant(), contact.Email, contact.Phone }.Concat(contact.ExtraPhones).Where(s => !string.IsNullOrEmpty(s)));

    /// <summary>Turns what a person typed into the LIKE pattern for <see cref="Contact.SearchText"/>: lower-cased; a phone
    /// number loses its separators; LIKE wildcards are escaped with backslash.</summary>
    public static string SearchPattern(string query)
    {
        var text = query.Trim().ToLowerInvariant();
        if (PhoneLike().IsMatch(text))
            text = new string(text.Where(c => char.IsDigit(c) || c == '+').ToArray());
        return "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
    }

    [GeneratedRegex("^[0-9]{7,15}$")]
    private static partial Regex WaIdPattern();

    [GeneratedRegex("^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$")]
    private static partial Regex IbanPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9\s().\-]{3,}$")]
    private static partial Regex PhoneLike();
}

/// <summary>How a channel names who wrote: a WhatsApp id, a phone number or an email address.</summary>
public enum SenderKind
{
    WhatsApp,
    Phone,
    Email,
}
