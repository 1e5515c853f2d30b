using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.Email;

/// <summary>Sends an agent's reply over SMTP (System.Net.Mail: STARTTLS when <c>smtpTls</c>, no implicit TLS on 465) as a
/// reply in the customer's thread: "Re:" their subject, In-Reply-To their last message, References the thread's chain, and
/// a Message-ID of our own, which becomes the provider id (their next reply names it). SMTP 5xx is permanent; 4xx, a
/// refused connection or a timeout is transient.</summary>
internal sealed class EmailSender(SwitchboardDbContext db) : IChannelSender
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public bool Handles(ChannelType type) => type == ChannelType.Email;

    public async Task<SendOutcome> SendAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        if (send.Contact.Email is not { } to)
            return new SendOutcome.Permanent("no_email", $"{send.Contact.Name} has no email address to send to.");
        var settings = send.Channel.Settings;
        var from = new MailAddress(settings["fromAddress"]!.GetValue<string>(), send.Channel.Name);
        // The customer's last message holds the thread: its subject and the ids to answer.
        var parent = await db.Messages.Where(m => m.ConversationId == send.Conversation.Id && m.Direction == MessageDirection.Inbound)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => m.Metadata).FirstOrDefaultAsync(cancellationToken);
        var subject = InboundEmail.StringOf(parent?["subject"]) is { } theirs
            ? theirs.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? theirs : $"Re: {theirs}"
            : send.Channel.Name;
        var messageId = $"<{Guid.NewGuid():N}@{from.Host}>";

        using var mail = new MailMessage(from, new MailAddress(to, send.Contact.Name == to ? null : send.Contact.Name))
        {
            Subject = subject,
            Body = send.Message.Text ?? "",
            SubjectEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
            // Quoted-printable keeps plain text readable in the raw message (the UTF-8 default would be base64).
            BodyTransferEncoding = TransferEncoding.QuotedPrintable,
            HeadersEncoding = Encoding.UTF8,
        };
        mail.Headers["Message-ID"] = messageId;
        if (InboundEmail.StringOf(parent?["messageId"]) is { } parentId)
        {
            // RFC 5322 3.6.4: the parent's References (else its In-Reply-To), then the parent itself.
            var chain = (parent!["references"] as JsonArray ?? []).Select(InboundEmail.StringOf).OfType<string>().ToList();
            if (chain.Count == 0 && InboundEmail.StringOf(parent["inReplyTo"]) is { } grandparent)
                chain.Add(grandparent);
            chain.Add(parentId);
            mail.Headers["In-Reply-To"] = parentId;
            mail.Headers["References"] = string.Join(' ', chain.Distinct());
        }
        if (send.File is { } file)
            mail.Attachments.Add(new Attachment(file.Open(), file.Filename, file.MimeType));

        using var smtp = new SmtpClient(settings["smtpHost"]!.GetValue<string>(), settings["smtpPort"]!.GetValue<int>())
        {
            EnableSsl = settings["smtpTls"]?.GetValue<bool>() ?? false,
            Credentials = InboundEmail.StringOf(settings["smtpUser"]) is { } user ? new NetworkCredential(user, InboundEmail.StringOf(send.Secrets["smtpPassword"])) : null,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await smtp.SendMailAsync(mail, timeout.Token);
        }
        catch (SmtpException e)
        {
            var status = (int)e.StatusCode;
            var detail = e.InnerException is null ? e.Message : $"{e.Message} {e.InnerException.Message}";
            return status is >= 500 and < 600
                ? new SendOutcome.Permanent(status.ToString(CultureInfo.InvariantCulture), detail)
                : new SendOutcome.Transient(status > 0 ? status.ToString(CultureInfo.InvariantCulture) : "smtp_unavailable", detail);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome.Transient("smtp_timeout", $"The SMTP server did not finish within {Timeout.TotalSeconds} seconds.");
        }
        return new SendOutcome.Accepted(messageId);
    }
}
