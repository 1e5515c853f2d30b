using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Switchboard.Simulator;

/// <summary>The demo's customers (configuration section <c>Simulator:Customers</c>, or <c>PUT /_simulator/customers</c>).</summary>
public sealed record CustomerSettings
{
    public bool Enabled { get; init; }

    /// <summary>How often a customer of each account writes in unprompted.</summary>
    public double IntervalSeconds { get; init; } = 8;

    /// <summary>Whether a customer answers an agent's message once it is read (delivered, for SMS).</summary>
    public bool ReplyToAgents { get; init; } = true;

    public double ReplyDelaySeconds { get; init; } = 3;
}

/// <summary>A fictional customer: a name and a number in the 555-01XX range reserved for fiction.</summary>
public sealed record SimulatedCustomer(string Name, string Phone)
{
    public string WaId => Addresses.Digits(Phone);
}

/// <summary>Plays customers for every account that has somewhere to post them: each WhatsApp number with a webhook URL
/// and each Twilio account with an inbound URL and a number. Every interval one customer of each account writes the next
/// line of their support story; when an agent's message to a customer is read, that customer answers with their next
/// line. A finished story leaves the customer quiet until their turn to start a new one comes round.</summary>
public sealed class SimulatedCustomers : BackgroundService
{
    private readonly ProviderAccounts accounts;
    private readonly CustomerMessages messages;
    private readonly BackgroundWork work;
    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly Lock gate = new();
    private readonly Dictionary<(SimulatedProvider, string), int> turns = [];
    private readonly Dictionary<(SimulatedProvider, string, string), (int Story, int Line)> progress = [];
    private CustomerSettings settings;

    public SimulatedCustomers(IOptions<CustomerSettings> options, ProviderAccounts accounts, CustomerMessages messages, StatusPlayer statuses, BackgroundWork work)
    {
        this.accounts = accounts;
        this.messages = messages;
        this.work = work;
        settings = options.Value;
        statuses.Seen += Answer;
    }

    public CustomerSettings Settings
    {
        get
        {
            lock (gate)
                return settings;
        }
    }

    public void Configure(CustomerSettings value)
    {
        lock (gate)
        {
            settings = value;
            // Start (or stop) at once rather than at the end of the current interval.
            if (wake.CurrentCount == 0)
                wake.Release();
        }
    }

    /// <summary>An account's cast, the same on every run: its id seeds the names and numbers.</summary>
    public static IReadOnlyList<SimulatedCustomer> Cast(string account)
    {
        var random = new Random(account.Aggregate(17, (hash, c) => unchecked(hash * 31 + c)));
        var lines = Enumerable.Range(0, 100).OrderBy(_ => random.Next()).Take(CustomerScript.CastSize).ToArray();
        return lines.Select(line => new SimulatedCustomer(
            $"{CustomerScript.FirstNames[random.Next(CustomerScript.FirstNames.Length)]} {CustomerScript.LastNames[random.Next(CustomerScript.LastNames.Length)]}",
            $"+1{CustomerScript.AreaCodes[random.Next(CustomerScript.AreaCodes.Length)]}55501{line:D2}")).ToArray();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? lastRound = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var current = Settings;
            var wait = Timeout.InfiniteTimeSpan;
            if (current.Enabled)
            {
                // Settings changes wake the loop early; a round still only starts once the interval has passed.
                var interval = TimeSpan.FromSeconds(current.IntervalSeconds);
                var since = lastRound is { } at ? TimeSpan.FromMilliseconds(Environment.TickCount64 - at) : interval;
                if (since >= interval)
                {
                    WriteInEverywhere();
                    (lastRound, since) = (Environment.TickCount64, TimeSpan.Zero);
                }
                wait = interval - since;
            }
            await wake.WaitAsync(wait, stoppingToken);
        }
    }

    private void WriteInEverywhere()
    {
        foreach (var number in accounts.PhoneNumbers.Values.Where(n => n.WebhookUrl is not null))
            WriteIn(SimulatedProvider.WhatsApp, number.PhoneNumberId, NextInTurn(SimulatedProvider.WhatsApp, number.PhoneNumberId), unprompted: true);
        foreach (var account in accounts.TwilioAccounts.Values.Where(a => a.InboundWebhookUrl is not null && a.Numbers.Count > 0))
            WriteIn(SimulatedProvider.Twilio, account.AccountSid, NextInTurn(SimulatedProvider.Twilio, account.AccountSid), unprompted: true);
    }

    private void Answer(SentMessage message)
    {
        var current = Settings;
        if (!current.Enabled || !current.ReplyToAgents || Cast(message.Account).FirstOrDefault(c => c.WaId == Addresses.Digits(message.To)) is not { } customer)
            return;
        work.After(TimeSpan.FromSeconds(current.ReplyDelaySeconds), () => WriteIn(message.Provider, message.Account, customer, unprompted: false, business: message.From));
    }

    /// <summary>Sends the customer's next line, if their story has one (an unprompted turn starts a new story); Twilio
    /// customers write to <paramref name="business"/> or the account's first number, on that number's channel.</summary>
    private void WriteIn(SimulatedProvider provider, string account, SimulatedCustomer customer, bool unprompted, string? business = null)
    {
        if (NextLine(provider, account, customer, unprompted) is not { } line)
            return;
        if (provider == SimulatedProvider.WhatsApp && accounts.PhoneNumbers.TryGetValue(account, out var number))
            messages.WhatsApp(number, customer.WaId, customer.Name, "text", new JsonObject { ["body"] = line });
        else if (provider == SimulatedProvider.Twilio && accounts.TwilioAccounts.TryGetValue(account, out var twilio) && (business ?? twilio.Numbers.FirstOrDefault()) is { } to)
            messages.Twilio(twilio, Ids.Twilio("SM"), Addresses.IsWhatsApp(to) ? Addresses.WhatsAppPrefix + customer.Phone : customer.Phone, to, line, [], null, customer.Name);
    }

    private SimulatedCustomer NextInTurn(SimulatedProvider provider, string account)
    {
        var cast = Cast(account);
        lock (gate)
        {
            var turn = turns.GetValueOrDefault((provider, account));
            turns[(provider, account)] = turn + 1;
            return cast[turn % cast.Count];
        }
    }

    private string? NextLine(SimulatedProvider provider, string account, SimulatedCustomer customer, bool unprompted)
    {
        lock (gate)
        {
            var key = (provider, account, customer.Phone);
            var (story, line) = progress.TryGetValue(key, out var found) ? found : (int.Parse(customer.Phone[^2..]) % CustomerScript.Stories.Length, 0);
            if (line == CustomerScript.Stories[story].Length)
            {
                if (!unprompted)
                    return null;
                (story, line) = ((story + 1) % CustomerScript.Stories.Length, 0);
            }
            progress[key] = (story, line + 1);
            return CustomerScript.Stories[story][line];
        }
    }
}
