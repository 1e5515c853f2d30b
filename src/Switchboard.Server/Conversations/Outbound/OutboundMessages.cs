using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Contacts;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Platform.Network;
using Switchboard.Platform.Storage;

namespace Switchboard.Conversations.Outbound;

/// <summary>What an agent asked to send.</summary>
public sealed record OutboundRequest(MessageType Type, string? Text, OutboundTemplate? Template, MediaFile? File, string? IdempotencyKey);

/// <summary>Why a send was refused before anything was queued; <see cref="Code"/> is the problem's machine-readable code.</summary>
public sealed record SendRefusal(string Code, string Detail);

/// <summary>Accepts agents' messages: checks the channel's rules (WhatsApp's 24-hour window and templates, the customer's
/// consent), stores the message as pending with its send job in one transaction, and raises the events.
/// <see cref="MessageSendJob"/> sends it.</summary>
public sealed class OutboundMessages(SwitchboardDbContext db, JobQueue jobs, InboxEvents events, TimeProvider clock)
{
    public async Task<(Message? Message, SendRefusal? Refusal)> SendAsync(Conversation conversation, OutboundRequest request, long? agentId,
        CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is { } key
            && await db.Messages.FirstOrDefaultAsync(m => m.ConversationId == conversation.Id && m.IdempotencyKey == key, cancellationToken) is { } earlier)
            return (earlier, null);
        var channel = await db.Channels.AsNoTracking().FirstAsync(c => c.Id == conversation.ChannelId, cancellationToken);
        var contact = await db.Contacts.AsNoTracking().FirstAsync(c => c.Id == conversation.ContactId, cancellationToken);
        var now = clock.GetUtcNow();
        if (channel.Status != ChannelStatus.Active)
            return (null, new SendRefusal("channel_disabled", $"The channel “{channel.Name}” is disabled."));
        if (!ContactService.Reachable(contact, channel.Type))
            return (null, new SendRefusal("opted_out", $"{contact.Name} has opted out of messages on this channel."));
        if (channel.Type is ChannelType.WhatsApp or ChannelType.TwilioWhatsApp && request.Template is null
            && (conversation.WindowExpiresAt is null || conversation.WindowExpiresAt <= now))
            return (null, new SendRefusal("window_closed",
                "More than 24 hours have passed since the customer last wrote, so WhatsApp only allows an approved template."));
        var template = request.Template;
        if (template is not null)
        {
            var (resolved, templateRefusal) = await ResolveAsync(channel, template, cancellationToken);
            if (templateRefusal is not null)
                return (null, templateRefusal);
            template = resolved;
        }

        var message = new Message
        {
            ConversationId = conversation.Id,
            ChannelId = channel.Id,
            Direction = MessageDirection.Outbound,
            Type = request.Type,
            Text = request.Text,
            IsTemplate = template is not null,
            Payload = template?.ToPayload() ?? [],
            SenderType = SenderType.Agent,
            AgentId = agentId,
            Status = MessageStatus.Pending,
            IdempotencyKey = request.IdempotencyKey,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (request.File is { } file)
            message.Attachments.Add(new MessageAttachment
            {
                MediaFileId = file.Id, Type = request.Type, MimeType = file.MimeType, Filename = file.OriginalFilename, FileSize = file.FileSize, CreatedAt = now,
            });

        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        db.Messages.Add(message);
        conversation.MessageCount++;
        conversation.LastMessageAt = now;
        conversation.LastMessagePreview = InboundMessages.Preview(message.Type, message.Text ?? template?.Name);
        conversation.FirstResponseAt ??= now;
        SlaRules.Check(conversation);
        conversation.UnreadCount = 0;
        if (conversation.Status is ConversationStatus.New)
            conversation.Status = ConversationStatus.Open;
        conversation.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue(MessageSendJob.JobType, new MessageSendJob.Payload(message.Id));
        await events.MessageCreatedAsync(message.Id, cancellationToken);
        await events.ConversationUpdatedAsync(conversation.Id, created: false, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (message, null);
    }

    /// <summary>The template as the channel's provider sends it (with its provider id when known), or why it cannot be sent:
    /// only WhatsApp channels send templates; a known template must be approved and given one value per placeholder. A
    /// Cloud API template not synced yet is left to Meta (132001 fails the message with Meta's words); Twilio sends a
    /// template only by its Content SID, so there it must be known.</summary>
    private async Task<(OutboundTemplate? Template, SendRefusal? Refusal)> ResolveAsync(Channel channel, OutboundTemplate template,
        CancellationToken cancellationToken)
    {
        if (channel.Type is not (ChannelType.WhatsApp or ChannelType.TwilioWhatsApp))
            return (null, new SendRefusal("templates_unsupported",
                "Templates can only be sent on WhatsApp channels (WhatsApp Cloud API or Twilio WhatsApp)."));
        var known = await db.MessageTemplates.AsNoTracking()
            .FirstOrDefaultAsync(t => t.ChannelId == channel.Id && t.Name == template.Name && t.Language == template.Language, cancellationToken);
        if (known is null)
            return channel.Type == ChannelType.WhatsApp
                ? (template, null)
                : (null, new SendRefusal("template_unknown",
                    $"The channel has no Content template {template.Name} ({template.Language}): register its Content SID or sync the channel's templates from Twilio."));
        if (known.Status != MessageTemplate.Approved)
            return (null, new SendRefusal("template_not_approved", $"The template {known.Name} is {known.Status}, not approved."));
        if (known.ParameterCount != template.Parameters.Count)
            return (null, new SendRefusal("template_parameters",
                $"The template {known.Name} takes {known.ParameterCount} parameters; {template.Parameters.Count} were given."));
        return (template with { ProviderTemplateId = known.ProviderTemplateId }, null);
    }

    /// <summary>Queues a failed outbound message again (the agent's "Retry").</summary>
    public async Task RetryAsync(Message message, CancellationToken cancellationToken)
    {
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        message.Status = MessageStatus.Pending;
        message.SendStartedAt = null;
        message.ErrorCode = null;
        message.ErrorMessage = null;
        message.FailedAt = null;
        message.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue(MessageSendJob.JobType, new MessageSendJob.Payload(message.Id));
        await events.MessageStatusAsync(message, clock.GetUtcNow(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>Sends one pending message through its channel's adapter. Safe to run again: a message that is no longer
/// pending is left alone, and one whose earlier attempt never got the provider's answer is not sent again (at most once:
/// see <see cref="Message.SendStartedAt"/>). Throttling and provider outages are retried with backoff; permanent refusals
/// fail the message with the provider's code and text; a job that runs out of attempts fails its message too.</summary>
internal sealed class MessageSendJob(
    SwitchboardDbContext db, IEnumerable<IChannelSender> senders, ChannelRateLimiter limiter, MessageStatuses statuses, ContactService contacts,
    Platform.Security.SecretProtector secrets, FileStore files, ChannelWebhookUrls urls, TimeProvider clock) : IJobHandler
{
    public const string JobType = "message.send";
    public const string UnconfirmedCode = "send_unconfirmed";
    private const string UnconfirmedText = "Sending was interrupted before the provider confirmed it (the server stopped or the provider did not answer), " +
        "so it may or may not have reached the customer. It was not sent again automatically: check with the customer, then retry if needed.";

    public sealed record Payload(long MessageId);

    public string Type => JobType;

    public async Task RunAsync(Job job, CancellationToken cancellationToken)
    {
        var messageId = System.Text.Json.JsonSerializer.Deserialize<Payload>(job.Payload, System.Text.Json.JsonSerializerOptions.Web)!.MessageId;
        var message = await db.Messages.Include(m => m.Attachments).FirstOrDefaultAsync(m => m.Id == messageId, cancellationToken);
        if (message is not { Status: MessageStatus.Pending })
            return;
        var conversation = await db.Conversations.AsNoTracking().FirstAsync(c => c.Id == message.ConversationId, cancellationToken);
        var channel = await db.Channels.AsNoTracking().FirstAsync(c => c.Id == message.ChannelId, cancellationToken);
        var contact = await db.Contacts.FirstAsync(c => c.Id == conversation.ContactId, cancellationToken);
        if (limiter.TryAcquire(channel) is { } wait)
            throw new JobPostponedException(wait, $"Channel {channel.Id} is at its rate limit.");

        var sender = senders.FirstOrDefault(s => s.Handles(channel.Type))
            ?? throw new InvalidOperationException($"No sender for {channel.Type} channels.");
        if (message.SendStartedAt is not null)
        {
            // An earlier attempt may have reached the customer: sending again could deliver the message twice, so it fails
            // with a reason the agent can act on (check with the customer, then retry).
            message.SendStartedAt = null;
            await using var unconfirmed = await UnitOfWork.BeginAsync(db, cancellationToken);
            await FailAsync(message, null, null, UnconfirmedCode, UnconfirmedText, optOut: false, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await unconfirmed.CommitAsync(cancellationToken);
            return;
        }
        // The marker is set only if nobody set it since this run read the message: of two runners racing for one send (a
        // claim taken over after a pause), one sends.
        var now = clock.GetUtcNow();
        var started = now.AddTicks(-(now.Ticks % 10)); // whole microseconds, as PostgreSQL keeps it: compared again below
        if (await db.Messages.Where(m => m.Id == message.Id && m.Status == MessageStatus.Pending && m.SendStartedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.SendStartedAt, started), cancellationToken) == 0)
            return;
        db.Entry(message).Property(m => m.SendStartedAt).OriginalValue = started;
        message.SendStartedAt = started;

        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(new OutboundSend(channel, Channels.ChannelSecrets.Read(channel, secrets), contact, conversation, message,
                await FileOfAsync(message, cancellationToken), OutboundTemplate.From(message.Payload), urls.StatusCallback(channel, message)), cancellationToken);
        }
        catch (DestinationNotAllowedException e)
        {
            // The outbound guard refused the channel's address before anything was sent: no retry can change that.
            outcome = new SendOutcome.Permanent("destination_not_allowed", e.Message);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError)
        {
            // The request never reached the provider, so trying again cannot send it twice.
            message.SendStartedAt = null;
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
        // The provider answered: whatever it said is known. Recorded on the row as it stands now, locked: another runner may
        // have settled the message meanwhile (failed it as unconfirmed after this one went quiet).
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        if (!db.IsSqlite)
            await db.Database.ExecuteSqlAsync($"SELECT id FROM messages WHERE id = {message.Id} FOR UPDATE", cancellationToken);
        await db.Entry(message).ReloadAsync(cancellationToken);
        if (message.SendStartedAt != started && outcome is not SendOutcome.Accepted)
            return;
        message.SendStartedAt = null;
        switch (outcome)
        {
            case SendOutcome.Accepted accepted:
                // On a message another runner failed as unconfirmed, the acceptance settles it (MessageStatuses).
                message.ProviderMessageId = accepted.ProviderMessageId;
                await statuses.RecordAsync(message, new ProviderStatus(accepted.ProviderMessageId, MessageStatus.Sent, clock.GetUtcNow()), cancellationToken);
                break;
            case SendOutcome.Transient transient:
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                // Meta's pair rate limit (131056) wants 4^n seconds between tries; otherwise the provider's hint or the worker's backoff.
                var delay = transient.RetryAfter ?? (transient.Code == "131056" ? TimeSpan.FromSeconds(Math.Pow(4, job.Attempts)) : (TimeSpan?)null);
                var text = $"({transient.Code}) {transient.Message}";
                if (delay is { } d)
                    throw new RetryLaterException(d, text);
                throw new InvalidOperationException(text);
            case SendOutcome.Permanent permanent:
                await FailAsync(message, channel, contact, permanent.Code, permanent.Message, permanent.OptOut, cancellationToken);
                break;
            case SendOutcome.Unconfirmed unconfirmed:
                await FailAsync(message, null, null, UnconfirmedCode, $"{UnconfirmedText} ({unconfirmed.Reason})", optOut: false, cancellationToken);
                break;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken)
    {
        var messageId = System.Text.Json.JsonSerializer.Deserialize<Payload>(job.Payload, System.Text.Json.JsonSerializerOptions.Web)!.MessageId;
        var message = await db.Messages.FirstOrDefaultAsync(m => m.Id == messageId && m.Status == MessageStatus.Pending, cancellationToken);
        if (message is null)
            return;
        var code = error.StartsWith('(') && error.IndexOf(')') is > 1 and var end ? error[1..end] : "send_failed";
        var text = error.StartsWith('(') && error.IndexOf(')') is > 1 and var close ? error[(close + 1)..].Trim() : error;
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        await FailAsync(message, null, null, code, $"Gave up after {job.Attempts} attempts: {text}", optOut: false, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task FailAsync(Message message, Channel? channel, Contact? contact, string code, string text, bool optOut, CancellationToken cancellationToken)
    {
        await statuses.RecordAsync(message, new ProviderStatus(message.ProviderMessageId ?? "", MessageStatus.Failed, clock.GetUtcNow(), code, text), cancellationToken);
        if (optOut && channel is not null && contact is not null)
            contacts.SetConsent(contact, channel.Type, optedIn: false, source: $"provider:{code}");
    }

    private async Task<OutboundFile?> FileOfAsync(Message message, CancellationToken cancellationToken)
    {
        if (message.Attachments.FirstOrDefault(a => a.MediaFileId is not null) is not { } attachment)
            return null;
        var file = await db.MediaFiles.AsNoTracking().FirstAsync(f => f.Id == attachment.MediaFileId, cancellationToken);
        return new OutboundFile(() => files.OpenRead(file.StorageUrl), file.MimeType, file.OriginalFilename ?? $"file-{file.Id}", file.FileSize,
            urls.PublicMediaUrl(file));
    }
}
