using System.Text.Json;

namespace Switchboard.Bench;

/// <summary>One tenant's inbox as the seeder lays it out: who works there, where its ids start and how big it is.</summary>
public sealed record InboxTenant(
    int Index, long TenantId, string ApiKey, IReadOnlyList<long> AgentIds, IReadOnlyList<long> DepartmentIds, IReadOnlyList<long> ChannelIds,
    IReadOnlyList<long> TagIds, long FirstContactId, int Contacts, long FirstConversationId, int Conversations, long FirstMessageId, int MeanMessages);

/// <summary>One conversation's columns, plus what its messages need to be generated consistently with it.</summary>
public readonly record struct SeedConversation(
    long Id, long ContactId, long ChannelId, string Status, string Priority, long? AssignedToId, long? DepartmentId, DateTimeOffset LastMessageAt,
    DateTimeOffset CreatedAt, DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt, int MessageCount, int UnreadCount,
    DateTimeOffset WindowExpiresAt, DateTimeOffset? SnoozedUntil, string LastMessagePreview, TimeSpan Gap);

/// <summary>One message's columns.</summary>
public readonly record struct SeedMessage(
    long Id, long ConversationId, long ChannelId, string ProviderMessageId, bool Inbound, bool Image, string? Text, string Payload, string SenderType,
    long? AgentId, string Status, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? DeliveredAt, DateTimeOffset? ReadAt,
    DateTimeOffset? FailedAt, string? ErrorCode, string? ErrorMessage);

/// <summary>Realistic inbox contents, computed from a hash of (tenant, conversation, message) rather than a random stream, so
/// any range of conversations or messages can be generated on its own (the seeder loads ranges in parallel) and the same
/// arguments always give the same rows.
/// Distributions: 88% resolved, 5% archived, ~5% new/open (1% new, 4% open), 1.5% pending, 0.5% snoozed; 20 agents with
/// Zipf-like skew (the busiest has ~5× the median agent's share), 5% unassigned (70% of new ones); five departments of uneven
/// size, 10% without; three channels 70/20/10; last activity spread over a year, the active ones within the last week;
/// 15% of conversations carry one tag and 5% two (of eight, uneven);
/// messages per conversation log-normal around the mean (σ 0.9: most are short, ~5% run past 3× the mean); text from one
/// sentence to long complaints, 4% images.</summary>
public sealed class InboxData
{
    private const double Sigma = 0.9;
    private static readonly string[] Texts = MessageTexts.Pool(65_536, seed: 11);
    private static readonly string[] EncodedTexts = Texts.Select(t => JsonEncodedText.Encode(t).ToString()).ToArray();

    private readonly InboxTenant tenant;
    private readonly DateTimeOffset now;
    private readonly ulong seed;
    private readonly double[] agentWeights;
    private readonly int[] counts;
    private readonly long[] firstMessage;

    public InboxData(InboxTenant tenant, DateTimeOffset now)
    {
        this.tenant = tenant;
        this.now = now;
        seed = Mix(0x5EED_0000UL + (ulong)tenant.Index);
        agentWeights = Cumulative(Enumerable.Range(0, tenant.AgentIds.Count).Select(k => 1 / Math.Pow(k + 1, 0.8)).ToArray());
        counts = new int[tenant.Conversations];
        firstMessage = new long[tenant.Conversations + 1];
        firstMessage[0] = tenant.FirstMessageId;
        for (var c = 0; c < counts.Length; c++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - Unit(c, 2))) * Math.Cos(2 * Math.PI * Unit(c, 3));
            counts[c] = (int)Math.Clamp(Math.Round(tenant.MeanMessages * Math.Exp(Sigma * z - Sigma * Sigma / 2)), 1, 40.0 * tenant.MeanMessages);
            firstMessage[c + 1] = firstMessage[c] + counts[c];
        }
    }

    public long MessageCount => firstMessage[^1] - tenant.FirstMessageId;

    public long LastMessageId => firstMessage[^1] - 1;

    /// <summary>Conversation index (0-based within the tenant) of a conversation with more than <paramref name="messages"/>
    /// messages, picked from a hash, or null if none was found in a few hundred tries.</summary>
    public int? WithMoreThan(int messages, int salt)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var c = (int)(Mix(seed ^ (ulong)(salt * 7919 + attempt)) % (ulong)counts.Length);
            if (counts[c] > messages)
                return c;
        }
        return null;
    }

    public SeedConversation Conversation(int c)
    {
        var roll = Unit(c, 1);
        var status = roll < 0.01 ? "New" : roll < 0.05 ? "Open" : roll < 0.065 ? "Pending" : roll < 0.07 ? "Snoozed" : roll < 0.95 ? "Resolved" : "Archived";
        var active = status is "New" or "Open" or "Pending" or "Snoozed";
        var count = counts[c];
        var lastAt = active ? now - TimeSpan.FromDays(7) * Math.Pow(Unit(c, 4), 2) : now - TimeSpan.FromDays(365) * Unit(c, 4);
        lastAt = new DateTimeOffset(lastAt.UtcTicks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        var gap = TimeSpan.FromMinutes(1 + 179 * Unit(c, 5));
        var createdAt = lastAt - gap * (count - 1) - TimeSpan.FromSeconds(30);
        var unassigned = Unit(c, 6) < (status == "New" ? 0.7 : 0.05);
        long? agent = unassigned || tenant.AgentIds.Count == 0 ? null : tenant.AgentIds[Pick(agentWeights, Unit(c, 7))];
        long? department = tenant.DepartmentIds.Count == 0 || Unit(c, 8) < 0.1 ? null
            : tenant.DepartmentIds[Pick(Cumulative([35, 25, 18, 12, 10], tenant.DepartmentIds.Count), Unit(c, 9))];
        var channel = tenant.ChannelIds[Pick(Cumulative([70, 20, 10], tenant.ChannelIds.Count), Unit(c, 10))];
        var priorityRoll = Unit(c, 11);
        var priority = priorityRoll < 0.85 ? "Normal" : priorityRoll < 0.92 ? "High" : priorityRoll < 0.98 ? "Low" : "Urgent";
        var unread = Unread(c, status, count);
        var last = Message(c, count - 1, status, count, unread, lastAt, gap, channel, agent);
        return new SeedConversation(tenant.FirstConversationId + c, tenant.FirstContactId + c % tenant.Contacts, channel, status, priority, agent, department,
            lastAt, createdAt, status == "New" ? null : createdAt + gap / 2, status == "Resolved" ? lastAt.AddMinutes(5) : null, count, unread,
            lastAt.AddHours(24), status == "Snoozed" ? now.AddHours(1 + 47 * Unit(c, 12)) : null,
            last.Image ? "[image]" : last.Text!.Length > 200 ? last.Text[..200] : last.Text, gap);
    }

    /// <summary>The tags of conversation <paramref name="c"/> (none for most).</summary>
    public IEnumerable<long> TagsOf(int c)
    {
        var roll = Unit(c, 15);
        if (tenant.TagIds.Count == 0 || roll >= 0.20)
            yield break;
        var weights = Cumulative([30, 20, 15, 10, 10, 7, 5, 3], tenant.TagIds.Count);
        var first = Pick(weights, Unit(c, 16));
        yield return tenant.TagIds[first];
        var second = Pick(weights, Unit(c, 17));
        if (roll < 0.05 && second != first)
            yield return tenant.TagIds[second];
    }

    /// <summary>The messages of conversation <paramref name="c"/>, oldest first.</summary>
    public IEnumerable<SeedMessage> Messages(int c)
    {
        var conversation = Conversation(c);
        for (var j = 0; j < conversation.MessageCount; j++)
        {
            var at = conversation.LastMessageAt - conversation.Gap * (conversation.MessageCount - 1 - j);
            yield return Message(c, j, conversation.Status, conversation.MessageCount, conversation.UnreadCount, at, conversation.Gap,
                conversation.ChannelId, conversation.AssignedToId);
        }
    }

    private SeedMessage Message(int c, int j, string status, int count, int unread, DateTimeOffset at, TimeSpan gap, long channel, long? agent)
    {
        var id = firstMessage[c] + j;
        var h = Mix(seed ^ Mix((ulong)id * 0x9E37_79B9_7F4A_7C15UL));
        double U(int salt) => (Mix(h + (ulong)salt) >> 11) * (1.0 / (1UL << 53));
        var trailingUnread = j >= count - unread;
        var inbound = j == 0 || trailingUnread || U(1) < 0.55;
        var image = U(2) < 0.04;
        var textIndex = (int)(Mix(h + 3) % (ulong)Texts.Length);
        var text = image ? null : Texts[textIndex];
        var wamid = $"wamid.HBgL{id:x12}";
        if (inbound)
        {
            var payload = image
                ? $$$"""{"from":"{{{15_550_000_000L + c}}}","id":"{{{wamid}}}","timestamp":"{{{at.ToUnixTimeSeconds()}}}","type":"image","image":{"id":"{{{id}}}","mime_type":"image/jpeg"}}"""
                : $$$"""{"from":"{{{15_550_000_000L + c}}}","id":"{{{wamid}}}","timestamp":"{{{at.ToUnixTimeSeconds()}}}","type":"text","text":{"body":"{{{EncodedTexts[textIndex]}}}"}}""";
            return new SeedMessage(id, tenant.FirstConversationId + c, channel, wamid, true, image, text, payload, "Customer", null,
                trailingUnread ? "Delivered" : "Read", at, null, at, trailingUnread ? null : at + gap / 3, null, null, null);
        }
        var outcome = U(4);
        var (messageStatus, failed) = outcome < 0.80 ? ("Read", false) : outcome < 0.94 ? ("Delivered", false) : outcome < 0.98 ? ("Sent", false) : ("Failed", true);
        return new SeedMessage(id, tenant.FirstConversationId + c, channel, wamid, false, image, text, "{}", agent is null ? "Bot" : "Agent", agent,
            messageStatus, at, at.AddSeconds(1), failed || messageStatus == "Sent" ? null : at.AddSeconds(3),
            messageStatus == "Read" ? at + gap / 4 : null, failed ? at.AddSeconds(2) : null, failed ? "131026" : null,
            failed ? "Message undeliverable" : null);
    }

    private int Unread(int c, string status, int count) => status switch
    {
        "New" => Math.Min(count, 1 + (int)(3 * Unit(c, 13))),
        "Open" => Unit(c, 14) < 0.5 ? Math.Min(count, 1 + (int)(5 * Unit(c, 13))) : 0,
        "Pending" or "Snoozed" => Unit(c, 14) < 0.1 ? 1 : 0,
        _ => 0,
    };

    private double Unit(int c, int salt) => (Mix(seed ^ Mix(((ulong)c << 8) + (ulong)salt)) >> 11) * (1.0 / (1UL << 53));

    private static int Pick(double[] cumulative, double u)
    {
        var i = Array.BinarySearch(cumulative, u);
        return Math.Min(i < 0 ? ~i : i, cumulative.Length - 1);
    }

    private static double[] Cumulative(double[] weights, int take = int.MaxValue)
    {
        var used = weights.Take(take).ToArray();
        var total = used.Sum();
        var sum = 0.0;
        return used.Select(w => (sum += w) / total).ToArray();
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E37_79B9_7F4A_7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return x ^ (x >> 31);
    }
}
