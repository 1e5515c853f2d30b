using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Storage;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class EmailTests(Servers servers)
{
    internal const string SigningKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
    private const string Customer = "ada@customer.example";
    internal const string HelpDesk = "help@acme.example";

    /// <summary>A new tenant with a help desk whose mail comes in through Mailgun and goes out over SMTP to <paramref name="smtp"/>
    /// (or nowhere); <c>Mailgun</c> posts to the server as Mailgun's routes do.</summary>
    private async Task<(SwitchboardFactory Factory, TenantHandle Tenant, long ChannelId, HttpClient Mailgun)> MailgunDeskAsync(
        DatabaseProvider provider, FakeSmtpServer? smtp = null)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "email", name = $"Help desk {Guid.NewGuid():N}",
            settings = new { smtpHost = smtp?.Host ?? "127.0.0.1", smtpPort = smtp?.Port ?? 25, fromAddress = HelpDesk, inboundProvider = "mailgun", mailgunSigningKey = SigningKey },
        }, HttpStatusCode.Created);
        return (factory, tenant, channel.Id(), factory.CreateClient());
    }

    internal static string Id(string name) => $"<{name}-{Guid.NewGuid():N}@customer.example>";

    internal sealed record Mail(string MessageId, string Subject, string Text, string? InReplyTo = null, string? References = null,
        (string Name, string Type, byte[] Content)? Attachment = null);

    /// <summary>A Mailgun route's post (form, or multipart with files), signed with timestamp + token.</summary>
    internal static HttpRequestMessage Mailgun(long channelId, Mail mail, DateTimeOffset at, string? token = null, string key = SigningKey)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        token ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(25));
        var headers = new JsonArray(new JsonArray("Message-Id", mail.MessageId), new JsonArray("Subject", mail.Subject), new JsonArray("From", $"Ada Lovelace <{Customer}>"));
        if (mail.InReplyTo is not null)
            headers.Add(new JsonArray("In-Reply-To", mail.InReplyTo));
        if (mail.References is not null)
            headers.Add(new JsonArray("References", mail.References));
        var fields = new Dictionary<string, string>
        {
            ["sender"] = Customer, ["from"] = $"Ada Lovelace <{Customer}>", ["recipient"] = HelpDesk, ["subject"] = mail.Subject,
            ["body-plain"] = $"{mail.Text}\n\n> What we wrote before", ["stripped-text"] = mail.Text, ["body-html"] = $"<p>{mail.Text}</p>",
            ["message-headers"] = headers.ToJsonString(), ["attachment-count"] = mail.Attachment is null ? "0" : "1",
            ["timestamp"] = timestamp, ["token"] = token,
            ["signature"] = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(timestamp + token))),
        };
        HttpContent content = new FormUrlEncodedContent(fields);
        if (mail.Attachment is { } file)
        {
            var multipart = new MultipartFormDataContent();
            foreach (var (name, value) in fields)
                multipart.Add(new StringContent(value), name);
            var part = new ByteArrayContent(file.Content);
            part.Headers.ContentType = new MediaTypeHeaderValue(file.Type);
            multipart.Add(part, "attachment-1", file.Name);
            content = multipart;
        }
        return new HttpRequestMessage(HttpMethod.Post, $"/webhooks/email/{channelId}") { Content = content };
    }

    [Theory, Providers]
    public async Task Mailgun_AcceptsOnlyFreshSignedUnusedTokens_AndStoresAttachments(DatabaseProvider provider)
    {
        var (factory, tenant, channelId, mailgun) = await MailgunDeskAsync(provider);
        var now = factory.Clock.GetUtcNow();
        var invoice = RandomNumberGenerator.GetBytes(3000);
        var mail = new Mail(Id("first"), "Order 1", "Where is my order?", Attachment: ("invoice.pdf", "application/pdf", invoice));

        Assert.Equal(HttpStatusCode.Forbidden, (await mailgun.SendAsync(Mailgun(channelId, mail, now, key: "key-not-ours"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mailgun.SendAsync(Mailgun(channelId, mail, now - TimeSpan.FromMinutes(16)))).StatusCode);
        Assert.Equal(0, await factory.QueryAsync(tenant.Id, db => db.WebhookEvents.CountAsync()));

        const string token = "c2f3a1f0a2b94b4bbf9a0d2e3e4b5c6d7e8f9a0b1c2d3e4f50";
        Assert.Equal(HttpStatusCode.OK, (await mailgun.SendAsync(Mailgun(channelId, mail, now - TimeSpan.FromMinutes(14), token))).StatusCode);
        // The signature covers only timestamp and token: replayed with other content, it is refused.
        var replay = mail with { MessageId = Id("forged"), Text = "Please wire the refund to my new account", Attachment = null };
        Assert.Equal(HttpStatusCode.Forbidden, (await mailgun.SendAsync(Mailgun(channelId, replay, now - TimeSpan.FromMinutes(14), token))).StatusCode);
        Assert.Equal(1, await factory.QueryAsync(tenant.Id, db => db.WebhookEvents.CountAsync()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.MessageAttachments.AnyAsync(a => a.MediaFileId != null));

        var message = await factory.QueryAsync(tenant.Id, db => db.Messages.Include(m => m.Attachments).SingleAsync());
        Assert.Equal((mail.MessageId, MessageType.Text, "Order 1\n\nWhere is my order?"), (message.ProviderMessageId, message.Type, message.Text));
        Assert.Equal("<p>Where is my order?</p>", message.Metadata["html"]!.GetValue<string>());
        Assert.Equal(("Order 1", mail.MessageId), (message.Metadata["subject"]!.GetValue<string>(), message.Metadata["messageId"]!.GetValue<string>()));
        var attachment = Assert.Single(message.Attachments);
        Assert.Equal(("invoice.pdf", "application/pdf", MessageType.Document, 3000L), (attachment.Filename, attachment.MimeType, attachment.Type, attachment.FileSize));
        var file = await factory.QueryAsync(tenant.Id, db => db.MediaFiles.SingleAsync(f => f.Id == attachment.MediaFileId));
        await using (var stored = factory.Services.GetRequiredService<FileStore>().OpenRead(file.StorageUrl))
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(invoice)), Convert.ToHexStringLower(await SHA256.HashDataAsync(stored)));

        var contact = await factory.QueryAsync(tenant.Id, db => db.Contacts.SingleAsync());
        Assert.Equal(("Ada Lovelace", Customer), (contact.Name, contact.Email));
        var conversation = await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync());
        Assert.Equal((mail.MessageId, contact.Id), (conversation.PlatformConversationId, conversation.ContactId));
    }

    [Theory, Providers]
    public async Task Postmark_NeedsTheChannelsBasicAuth_AndStoresARedeliveryOnce(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "email", name = "Postmark desk",
            settings = new { smtpHost = "127.0.0.1", smtpPort = 25, fromAddress = HelpDesk, inboundProvider = "postmark", postmarkUser = "postmark", postmarkPassword = "inbound-secret" },
        }, HttpStatusCode.Created);
        var messageId = Id("pm");
        var photo = RandomNumberGenerator.GetBytes(512);
        var json = new JsonObject
        {
            ["FromName"] = "Ada Lovelace", ["From"] = Customer, ["FromFull"] = new JsonObject { ["Email"] = Customer, ["Name"] = "Ada Lovelace", ["MailboxHash"] = "" },
            ["To"] = HelpDesk, ["OriginalRecipient"] = HelpDesk, ["Subject"] = "Broken lid", ["MessageID"] = "73e6d360-66eb-11e1-8e72-a8904824019b",
            ["Date"] = "Fri, 1 Aug 2014 16:45:32 -04:00", ["MailboxHash"] = "", ["TextBody"] = "The lid arrived broken.", ["HtmlBody"] = "<p>The lid arrived broken.</p>",
            ["StrippedTextReply"] = "", ["MessageStream"] = "inbound",
            ["Headers"] = new JsonArray(new JsonObject { ["Name"] = "X-Spam-Status", ["Value"] = "No" }, new JsonObject { ["Name"] = "Message-ID", ["Value"] = messageId }),
            ["Attachments"] = new JsonArray(new JsonObject
            {
                ["Name"] = "lid.png", ["Content"] = Convert.ToBase64String(photo), ["ContentType"] = "image/png", ["ContentLength"] = photo.Length,
            }),
        }.ToJsonString();
        HttpRequestMessage Post(string? credentials) => new(HttpMethod.Post, $"/webhooks/email/{channel.Id()}")
        {
            Content = Http.RawJson(json),
            Headers = { Authorization = credentials is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))) },
        };
        var postmark = factory.CreateClient();

        var anonymous = await postmark.SendAsync(Post(null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await postmark.SendAsync(Post("postmark:guess"))).StatusCode);
        Assert.Equal(0, await factory.QueryAsync(tenant.Id, db => db.WebhookEvents.CountAsync()));
        Assert.Equal(HttpStatusCode.OK, (await postmark.SendAsync(Post("postmark:inbound-secret"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await postmark.SendAsync(Post("postmark:inbound-secret"))).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.MessageAttachments.AnyAsync(a => a.MediaFileId != null));

        Assert.Equal(1, await factory.QueryAsync(tenant.Id, db => db.WebhookEvents.CountAsync()));
        var message = await factory.QueryAsync(tenant.Id, db => db.Messages.Include(m => m.Attachments).SingleAsync());
        Assert.Equal((messageId, "Broken lid\n\nThe lid arrived broken."), (message.ProviderMessageId, message.Text));
        Assert.Equal(("lid.png", MessageType.Image, 512L), (message.Attachments[0].Filename, message.Attachments[0].Type, message.Attachments[0].FileSize));
        Assert.Equal("Ada Lovelace", (await factory.QueryAsync(tenant.Id, db => db.Contacts.SingleAsync())).Name);
    }

    [Theory, Providers]
    public async Task AReply_LandsInItsThreadsConversation_AndANewSubjectOpensAnother(DatabaseProvider provider)
    {
        var (factory, tenant, channelId, mailgun) = await MailgunDeskAsync(provider);
        var first = Id("first");
        await mailgun.SendAsync(Mailgun(channelId, new Mail(first, "Order 1", "Where is my order?"), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 1);
        var reply = Id("reply");
        await mailgun.SendAsync(Mailgun(channelId, new Mail(reply, "Re: Order 1", "Any news?", InReplyTo: first, References: first), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 2);
        await mailgun.SendAsync(Mailgun(channelId, new Mail(Id("other"), "Invoice address", "Please change it."), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 3);

        var conversations = await factory.QueryAsync(tenant.Id, db => db.Conversations.OrderBy(c => c.Id).ToListAsync());
        Assert.Equal(2, conversations.Count);
        Assert.Equal((first, 2), (conversations[0].PlatformConversationId, conversations[0].MessageCount));
        Assert.Equal(1, conversations[1].MessageCount);
        var answer = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.ProviderMessageId == reply));
        Assert.Equal(conversations[0].Id, answer.ConversationId);
        Assert.Equal([first], answer.Metadata["references"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(first, answer.Metadata["inReplyTo"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task AnAgentsReply_GoesOutOverSmtp_AsAReplyInTheThread(DatabaseProvider provider)
    {
        await using var smtp = new FakeSmtpServer();
        var (factory, tenant, channelId, mailgun) = await MailgunDeskAsync(provider, smtp);
        var first = Id("first");
        var reply = Id("reply");
        await mailgun.SendAsync(Mailgun(channelId, new Mail(first, "Order 1", "Where is my order?"), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 1);
        await mailgun.SendAsync(Mailgun(channelId, new Mail(reply, "Re: Order 1", "Any news?", InReplyTo: first, References: first), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 2);
        var conversationId = (await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync())).Id;

        var sent = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "It ships today." },
            HttpStatusCode.Accepted);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == sent.Id() && m.Status == MessageStatus.Sent));
        var ours = (await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == sent.Id()))).ProviderMessageId!;
        var headers = HeadersOf(Assert.Single(smtp.Messages));
        Assert.Equal(ours, headers["Message-ID"]);
        Assert.Matches("^<[0-9a-f]{32}@acme\\.example>$", ours);
        Assert.Equal("Re: Order 1", headers["Subject"]);
        Assert.Equal(reply, headers["In-Reply-To"]);
        Assert.Equal($"{first} {reply}", headers["References"]);
        Assert.Contains(HelpDesk, headers["From"]);
        Assert.Contains(Customer, headers["To"]);
        Assert.Contains("\r\n\r\nIt ships today.", Assert.Single(smtp.Messages));
        Assert.Contains("quoted-printable", headers["Content-Transfer-Encoding"]);

        // The customer answers ours with only In-Reply-To (no References): it still joins the thread.
        await mailgun.SendAsync(Mailgun(channelId, new Mail(Id("third"), "Re: Order 1", "Thanks!", InReplyTo: ours), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync(m => m.Direction == MessageDirection.Inbound) == 3);
        Assert.Equal(1, await factory.QueryAsync(tenant.Id, db => db.Conversations.CountAsync()));

        // A mailbox the server refuses (5xx) fails the message for good.
        smtp.RecipientReply = "550 5.1.1 No such user";
        var refused = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "Hello?" }, HttpStatusCode.Accepted);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == refused.Id() && m.Status == MessageStatus.Failed));
        Assert.Equal("550", (await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == refused.Id()))).ErrorCode);
    }

    [Theory, Providers]
    public async Task AnSmtpServerThatDropsTheLineAfterTheMessage_GetsItOnce_AndTheAgentIsTold(DatabaseProvider provider)
    {
        // The server took the whole message and the connection went before its 250: it may have delivered it, so sending
        // again could deliver it twice. The message fails as unconfirmed for the agent to check, and is not retried.
        await using var smtp = new FakeSmtpServer { DropAfterData = true };
        var (factory, tenant, channelId, mailgun) = await MailgunDeskAsync(provider, smtp);
        await mailgun.SendAsync(Mailgun(channelId, new Mail(Id("first"), "Order 9", "Where is my order?"), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 1);
        var conversationId = (await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync())).Id;

        var sent = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "It ships today." },
            HttpStatusCode.Accepted);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == sent.Id() && m.Status == MessageStatus.Failed));
        Assert.Equal("send_unconfirmed", (await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == sent.Id()))).ErrorCode);

        factory.Clock.Advance(TimeSpan.FromMinutes(5)); // past any retry's backoff
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(smtp.Messages);
    }

    [Theory, Providers]
    public async Task ABurstOfReplies_WaitsForTheChannelsRate_AndSendsEveryOne(DatabaseProvider provider)
    {
        // Waiting for a send token is not an attempt: 30 replies at once on a channel limited to 5/s all go out, none
        // gives up after its 8 attempts.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Messaging:RatePerSecond:Email"] = "5" });
        await using var smtp = new FakeSmtpServer();
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "email", name = "Help desk",
            settings = new { smtpHost = smtp.Host, smtpPort = smtp.Port, fromAddress = HelpDesk, inboundProvider = "mailgun", mailgunSigningKey = SigningKey },
        }, HttpStatusCode.Created);
        await factory.CreateClient().SendAsync(Mailgun(channel.Id(), new Mail(Id("first"), "Order 1", "Where is my order?"), factory.Clock.GetUtcNow()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 1);
        var conversationId = (await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync())).Id;

        // The test's clock is manual; jobs postponed for a token come due as it follows real time.
        await using var following = factory.Clock.FollowRealTime();
        const int replies = 30;
        await Task.WhenAll(Enumerable.Range(0, replies).Select(i => tenant.Owner.PostJsonAsync(
            $"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = $"Update {i}" }, HttpStatusCode.Accepted)));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id,
            async db => await db.Messages.CountAsync(m => m.Direction == MessageDirection.Outbound && m.Status != MessageStatus.Pending) == replies,
            TimeSpan.FromSeconds(30));

        Assert.Equal(replies, await factory.QueryAsync(tenant.Id, db => db.Messages.CountAsync(m => m.Status == MessageStatus.Sent)));
        Assert.Equal(replies, smtp.Messages.Count);
    }

    /// <summary>The header block of a message as sent, folded lines joined.</summary>
    private static Dictionary<string, string> HeadersOf(string data) =>
        data[..data.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal)
            .Split("\r\n").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
}
