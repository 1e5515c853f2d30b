using System.Collections.Concurrent;

namespace Switchboard.Simulator;

/// <summary>A WhatsApp Cloud API phone number: the token allowed to use it, the app secret that signs its webhooks, the
/// WhatsApp Business Account (WABA) that owns its templates, and where Meta posts its webhooks.</summary>
public sealed record MetaPhoneNumber(string PhoneNumberId, string AccessToken, string DisplayPhoneNumber, string VerifiedName)
{
    public string AppSecret { get; init; } = "";
    public string BusinessAccountId { get; init; } = "";
    public string? WebhookUrl { get; init; }

    /// <summary>Webhooks carry the display number as digits only ("15550783881"), the Graph read formats it.</summary>
    public string DisplayDigits => Addresses.Digits(DisplayPhoneNumber);
}

/// <summary>A Twilio account: its auth token (basic auth and webhook signatures), its sender numbers (E.164 or
/// <c>whatsapp:+…</c>; empty accepts any sender), an optional messaging service, and where customers' messages go.</summary>
public sealed record TwilioAccount(string AccountSid, string AuthToken, string FriendlyName)
{
    public IReadOnlyList<string> Numbers { get; init; } = [];
    public string? MessagingServiceSid { get; init; }
    public string? InboundWebhookUrl { get; init; }
}

/// <summary>The provider accounts the simulator knows, as Meta and Twilio would.</summary>
public sealed class ProviderAccounts
{
    public ConcurrentDictionary<string, MetaPhoneNumber> PhoneNumbers { get; } = new();
    public ConcurrentDictionary<string, TwilioAccount> TwilioAccounts { get; } = new();

    public void Add(MetaPhoneNumber number) => PhoneNumbers[number.PhoneNumberId] = number;

    public void Add(TwilioAccount account) => TwilioAccounts[account.AccountSid] = account;

    public IEnumerable<MetaPhoneNumber> InBusinessAccount(string businessAccountId) =>
        PhoneNumbers.Values.Where(n => n.BusinessAccountId.Length > 0 && n.BusinessAccountId == businessAccountId);
}

/// <summary>Phone-number and address forms the providers use.</summary>
public static class Addresses
{
    public const string WhatsAppPrefix = "whatsapp:";

    public static string Digits(string value) => new(value.Where(char.IsAsciiDigit).ToArray());

    public static bool IsWhatsApp(string address) => address.StartsWith(WhatsAppPrefix, StringComparison.Ordinal);

    /// <summary>E.164: a plus, then 2 to 15 digits not starting with 0.</summary>
    public static bool IsE164(string value) =>
        value.Length is >= 3 and <= 16 && value[0] == '+' && value[1] != '0' && value.Skip(1).All(char.IsAsciiDigit);

    /// <summary>What Twilio accepts as To/From: E.164, optionally behind the <c>whatsapp:</c> channel prefix.</summary>
    public static bool IsTwilioAddress(string value) => IsE164(IsWhatsApp(value) ? value[WhatsAppPrefix.Length..] : value);
}
