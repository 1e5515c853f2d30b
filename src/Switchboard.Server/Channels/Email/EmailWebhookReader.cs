using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.Email;

/// <summary>Reads a stored inbound email for <see cref="WebhookProcessor"/>: the sender, subject and reply text, the HTML and
/// threading headers in the message's metadata, and the attachments (stored by <see cref="MediaDownloadJob"/> through
/// <see cref="EmailAttachmentFetcher"/>). Replies land in their thread's conversation; a new subject opens a new one.</summary>
internal sealed class EmailWebhookReader(SwitchboardDbContext db) : IWebhookReader
{

    public bool Reads(ChannelType type) => type == ChannelType.Email;

    public async Task<ProviderUpdate> ReadAsync(Channel channel, WebhookEvent stored, CancellationToken cancellationToken)
    {
        var email = InboundEmail.Parse(stored.Payload);
        if (email.FromAddress is null)
            return ProviderUpdate.Empty;
        var attachments = email.Attachments.Select((a, i) =>
            new InboundAttachment(ConversationsApi.TypeOf(a.ContentType), InboundEmail.AttachmentReference(stored.Id, i), a.ContentType, a.Filename)).ToList();
        var text = string.Join("\n\n", new[] { email.Subject, email.Text?.Trim() }.Where(t => !string.IsNullOrEmpty(t)));
        var metadata = new JsonObject
        {
            ["subject"] = email.Subject, ["messageId"] = email.MessageId, ["inReplyTo"] = email.InReplyTo,
            ["references"] = new JsonArray(email.References.Select(r => (JsonNode?)r).ToArray()), ["html"] = email.Html,
        };
        var payload = new JsonObject { ["provider"] = email.Provider, ["webhookEventId"] = stored.Id, ["from"] = email.FromAddress, ["to"] = email.To };
        // Without a Message-ID (rare) the stored delivery names the message, so running the job again still files it once.
        var message = new InboundMessage(email.MessageId ?? $"<webhook-event-{stored.Id}@switchboard.invalid>", new InboundSender(email.FromAddress, email.FromName),
            text.Length == 0 && attachments.Count > 0 ? attachments[0].Type : MessageType.Text, text.Length > 0 ? text : null, payload, stored.ReceivedAt,
            attachments, Metadata: metadata, ThreadKey: await ThreadKeyAsync(channel, email, cancellationToken));
        return new ProviderUpdate([message], []);
    }

    /// <summary>The conversation key (its first message's Message-ID). A reply naming a message we already have joins that
    /// message's conversation, even when its client trimmed References; otherwise the email's own root decides.</summary>
    private async Task<string?> ThreadKeyAsync(Channel channel, InboundEmail email, CancellationToken cancellationToken)
    {
        var ancestors = email.References.Append(email.InReplyTo).OfType<string>().Distinct().ToList();
        var known = ancestors.Count == 0 ? null : await db.Messages.Where(m => m.ChannelId == channel.Id && ancestors.Contains(m.ProviderMessageId!))
            .Join(db.Conversations, m => m.ConversationId, c => c.Id, (_, c) => c.PlatformConversationId)
            .FirstOrDefaultAsync(key => key != null, cancellationToken);
        return known ?? email.RootMessageId;
    }
}

/// <summary>An email's attachments arrive inside its webhook, so "fetching" one reads the stored delivery; the download job
/// then stores it like any provider's file (type and size rules, <c>MediaFile</c>).</summary>
internal sealed class EmailAttachmentFetcher(SwitchboardDbContext db) : IMediaFetcher
{
    public bool Handles(ChannelType type) => type == ChannelType.Email;

    public async Task<FetchedMedia> FetchAsync(Channel channel, JsonObject secrets, string platformUrl, CancellationToken cancellationToken)
    {
        var (eventId, index) = InboundEmail.ReadAttachmentReference(platformUrl)
            ?? throw new InvalidOperationException($"{platformUrl} does not name an email attachment.");
        var payload = await db.WebhookEvents.Where(e => e.Id == eventId && e.ChannelId == channel.Id).Select(e => e.Payload).FirstAsync(cancellationToken);
        var attachment = InboundEmail.Parse(payload).Attachments[index];
        var content = Convert.FromBase64String(attachment.Base64Content);
        return new FetchedMedia(new MemoryStream(content), attachment.ContentType, content.Length, attachment.Filename);
    }
}
