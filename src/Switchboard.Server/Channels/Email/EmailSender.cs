using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using MimeKit.Text;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;
using Switchboard.Platform.Database;
using Switchboard.Platform.Network;

namespace Switchboard.Channels.Email;

/// <summary>Sends an agent's reply over SMTP as a reply in the customer's thread: "Re:" their subject, In-Reply-To their last
/// message, References the thread's chain, and a Message-ID of our own, which becomes the provider id (their next reply names
/// it). The connection is the <see cref="OutboundGuard"/>'s (MailKit speaks SMTP over it, and validates TLS against the host
/// name): implicit TLS on 465, STARTTLS when <c>smtpTls</c>. SMTP 5xx and a refused destination are permanent; 4xx, a
/// failed connection or a timeout is transient.</summary>
internal sealed class EmailSender(SwitchboardDbContext db, OutboundGuard guard) : IChannelSender
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public bool Handles(ChannelType type) => type == ChannelType.Email;

    public async Task<SendOutcome> SendAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        if (send.Contact.Email is not { } to)
            return new SendOutcome.Permanent("no_email", $"{send.Contact.Name} has no email address to send to.");
        var settings = send.Channel.Settings;
        var from = new MailboxAddress(send.Channel.Name, settings["fromAddress"]!.GetValue<string>());
        // The customer's last message holds the thread: its subject and the ids to answer.
        var parent = await db.Messages.Where(m => m.ConversationId == send.Conversation.Id && m.Direction == MessageDirection.Inbound)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => m.Metadata).FirstOrDefaultAsync(cancellationToken);
        var subject = InboundEmail.StringOf(parent?["subject"]) is { } theirs
            ? theirs.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? theirs : $"Re: {theirs}"
            : send.Channel.Name;
        var messageId = $"<{Guid.NewGuid():N}@{from.Domain}>";

        var mail = new MimeMessage { Subject = subject };
        mail.From.Add(from);
        mail.To.Add(new MailboxAddress(send.Contact.Name == to ? null : send.Contact.Name, to));
        mail.Headers[HeaderId.MessageId] = messageId;
        if (InboundEmail.StringOf(parent?["messageId"]) is { } parentId)
        {
            // RFC 5322 3.6.4: the parent's References (else its In-Reply-To), then the parent itself.
            var chain = (parent!["references"] as JsonArray ?? []).Select(InboundEmail.StringOf).OfType<string>().ToList();
            if (chain.Count == 0 && InboundEmail.StringOf(parent["inReplyTo"]) is { } grandparent)
                chain.Add(grandparent);
            chain.Add(parentId);
            mail.Headers[HeaderId.InReplyTo] = parentId;
            mail.Headers[HeaderId.References] = string.Join(' ', chain.Distinct());
        }
        // Quoted-printable keeps plain text readable in the raw message.
        var text = new TextPart(TextFormat.Plain) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        text.SetText(Encoding.UTF8, send.Message.Text ?? "");
        await using var attachment = send.File?.Open();
        mail.Body = send.File is { } file
            ? new Multipart("mixed")
            {
                text,
                new MimePart(ContentType.Parse(file.MimeType))
                {
                    Content = new MimeContent(attachment!), ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    ContentTransferEncoding = ContentEncoding.Base64, FileName = file.Filename,
                },
            }
            : text;

        var host = settings["smtpHost"]!.GetValue<string>();
        var port = settings["smtpPort"]!.GetValue<int>();
        var security = port == 465 ? SecureSocketOptions.SslOnConnect
            : settings["smtpTls"]?.GetValue<bool>() == true ? SecureSocketOptions.StartTls : SecureSocketOptions.None;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        // No online revocation check: it would fetch the URLs the server's certificate names, past the guard (HttpClient skips it too).
        using var smtp = new SmtpClient { CheckCertificateRevocation = false };
        try
        {
            await smtp.ConnectAsync(await guard.ConnectSmtpAsync(host, port, timeout.Token), host, port, security, timeout.Token);
            if (InboundEmail.StringOf(settings["smtpUser"]) is { } user)
                await smtp.AuthenticateAsync(user, InboundEmail.StringOf(send.Secrets["smtpPassword"]) ?? "", timeout.Token);
        }
        catch (Exception e) when (e is DestinationNotAllowedException or SmtpCommandException or AuthenticationException or SmtpProtocolException
            or SslHandshakeException or ServiceNotConnectedException or SocketException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Refused(e);
        }
        try
        {
            await smtp.SendAsync(mail, timeout.Token);
        }
        catch (SmtpCommandException e)
        {
            // The server answered MAIL FROM, RCPT TO or the message's data with a refusal: it did not take the message.
            return Refused(e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Anything else once the transfer has begun (the connection dropped, no answer in time) may come after the server
            // took the whole message: sending again could deliver it twice.
            return new SendOutcome.Unconfirmed(e is OperationCanceledException
                ? $"The SMTP server did not answer within {Timeout.TotalSeconds} seconds."
                : $"The connection to the SMTP server ended before it confirmed the message: {e.Message}");
        }
        try
        {
            await smtp.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (Exception e) when (e is SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException or OperationCanceledException)
        {
            // The message was accepted; how the goodbye went does not matter.
        }
        return new SendOutcome.Accepted(messageId);
    }

    /// <summary>A failure before the message was handed over: nothing was sent, so it is safe to try again unless the server
    /// refused for good (5xx, bad credentials, a destination the guard refuses).</summary>
    private static SendOutcome Refused(Exception e) => e switch
    {
        DestinationNotAllowedException => new SendOutcome.Permanent("destination_not_allowed", DestinationNotAllowedException.Text),
        SmtpCommandException { StatusCode: var status } when (int)status is >= 500 and < 600 =>
            new SendOutcome.Permanent(((int)status).ToString(CultureInfo.InvariantCulture), e.Message),
        SmtpCommandException { StatusCode: var status } => new SendOutcome.Transient(((int)status).ToString(CultureInfo.InvariantCulture), e.Message),
        AuthenticationException => new SendOutcome.Permanent("smtp_authentication", e.Message),
        OperationCanceledException => new SendOutcome.Transient("smtp_timeout", $"The SMTP server did not answer within {Timeout.TotalSeconds} seconds."),
        _ => new SendOutcome.Transient("smtp_unavailable", e.Message),
    };
}
