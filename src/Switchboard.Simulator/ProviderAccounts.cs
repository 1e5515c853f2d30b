using System.Collections.Concurrent;

namespace Switchboard.Simulator;

public sealed record MetaPhoneNumber(string PhoneNumberId, string AccessToken, string DisplayPhoneNumber, string VerifiedName);

public sealed record TwilioAccount(string AccountSid, string AuthToken, string FriendlyName);

/// <summary>The provider accounts the simulator knows, as Meta and Twilio would: a phone number id with the token allowed to
/// use it, an account SID with its auth token.</summary>
public sealed class ProviderAccounts
{
    public ConcurrentDictionary<string, MetaPhoneNumber> PhoneNumbers { get; } = new();
    public ConcurrentDictionary<string, TwilioAccount> TwilioAccounts { get; } = new();

    public void Add(MetaPhoneNumber number) => PhoneNumbers[number.PhoneNumberId] = number;

    public void Add(TwilioAccount account) => TwilioAccounts[account.AccountSid] = account;
}
