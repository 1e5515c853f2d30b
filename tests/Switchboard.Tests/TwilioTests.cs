using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Twilio;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Platform.Storage;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class TwilioTests(Servers servers)
{
    internal const string FromNumber = "+15550001111";
    internal const string Customer = "+14155550100";

    // Twilio's public test vectors (the SDKs' request-validator tests).
    private const string VectorUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private const string VectorBody = "{\"property\": \"value\", \"boolean\": true}";
    private const string VectorBodyHash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
    private static readonly KeyValuePair<string, string>[] VectorParameters =
    [
        new("CallSid", "CA1234567890ABCDE"), new("Caller", "+14158675309"), new("Digits", "1234"), new("From", "+14158675309"), new("To", "+18005551212"),
    ];

    internal static object Channel(string apiBaseUrl, string type = "twilio_sms") => new
    {
        type,
        name = $"{type} {Guid.NewGuid():N}",
        settings = new { accountSid = FakeTwilio.AccountSid, authToken = FakeTwilio.AuthToken, fromNumber = FromNumber, apiBaseUrl },
    };

    /// <summary>A webhook as Twilio posts it: a form signed over the URL Twilio was given (by default the test server's own).</summary>
    internal static HttpRequestMessage Signed(long channelId, IEnumerable<(string Key, string Value)> fields, string? signedUrl = null,
        string authToken = FakeTwilio.AuthToken, string query = "")
    {
        var path = $"/webhooks/twilio/{channelId}{query}";
        var pairs = fields.Select(f => KeyValuePair.Create(f.Key, f.Value)).ToList();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(pairs) };
        request.Headers.Add(TwilioSignature.Header, TwilioSignature.Compute(authToken, signedUrl ?? "http://localhost" + path, pairs));
        return request;
    }

    internal static (string, string)[] InboundSms(string sid, string body, params (string, string)[] extra) =>
    [
        ("ToCountry", "US"), ("SmsMessageSid", sid), ("NumMedia", "0"), ("SmsSid", sid), ("SmsStatus", "received"), ("Body", body), ("To", FromNumber),
        ("NumSegments", "1"), ("MessageSid", sid), ("AccountSid", FakeTwilio.AccountSid), ("From", Customer), ("ApiVersion", "2010-04-01"), .. extra,
    ];

    private static (string, string)[] StatusCallback(string sid, string status, params (string, string)[] extra) =>
    [
        ("SmsSid", sid), ("SmsStatus", status), ("MessageStatus", status), ("To", Customer), ("MessageSid", sid), ("AccountSid", FakeTwilio.AccountSid),
        ("From", FromNumber), ("ApiVersion", "2010-04-01"), .. extra,
    ];

    /// <summary>A new tenant with an SMS channel that sends through <paramref name="fake"/>, and the conversation a customer's
    /// text opened on it; <c>Twilio</c> posts to the server as Twilio does.</summary>
    private async Task<(SwitchboardFactory Factory, TenantHandle Tenant, long ChannelId, HttpClient Twilio, long ConversationId)> CustomerWroteAsync(
        DatabaseProvider provider, FakeTwilio fake)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel(fake.BaseUrl), HttpStatusCode.Created);
        var twilio = factory.CreateClient();
        await twilio.SendAsync(Signed(channel.Id(), InboundSms("SM" + Guid.NewGuid().ToString("N"), "Hello?")));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Conversations.AnyAsync());
        return (factory, tenant, channel.Id(), twilio, (await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync())).Id);
    }

    [Fact]
    public void TheSignature_MatchesTwiliosPublicVectors_WithDefaultPortVariants_AndBodyHashes()
    {
        Assert.Equal("RSOYDt4T1cUTdK1PDd93/VVr8B8=", TwilioSignature.Compute("12345", VectorUrl, VectorParameters));
        Assert.True(TwilioSignature.IsValid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345", VectorUrl, VectorParameters.Reverse().ToList()));
        Assert.False(TwilioSignature.IsValid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "54321", VectorUrl, VectorParameters));
        Assert.False(TwilioSignature.IsValid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345", VectorUrl, [.. VectorParameters[..4], new("To", "+18005551213")]));
        Assert.False(TwilioSignature.IsValid("", "12345", VectorUrl, VectorParameters));

        // Signed with the default port that the configured URL leaves out, and the other way round; http's :80 too.
        Assert.True(TwilioSignature.IsValid("kvajT1Ptam85bY51eRf/AJRuM3w=", "12345", VectorUrl, VectorParameters));
        Assert.True(TwilioSignature.IsValid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", VectorParameters));
        Assert.True(TwilioSignature.IsValid("0ZXoZLH/DfblKGATFgpif+LLRf4=", "12345", "http://mycompany.com/myapp.php?foo=1&bar=2", VectorParameters));
        // Only default ports: another port is a different URL. The host keeps its case.
        Assert.False(TwilioSignature.IsValid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", VectorParameters));
        Assert.True(TwilioSignature.IsValid("g9IN/x4Cft2g517EjYvEvM/W7LU=", "12345", "https://MyCompany.com/myapp.php?foo=1&bar=2", VectorParameters));
        Assert.False(TwilioSignature.IsValid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345", "https://MyCompany.com/myapp.php?foo=1&bar=2", VectorParameters));
        Assert.Equal(["https://[::1]:8443/x", ], TwilioSignature.UrlVariants("https://[::1]:8443/x"));
        Assert.Equal(["http://u:p@h/x?a=1", "http://u:p@h:80/x?a=1"], TwilioSignature.UrlVariants("http://u:p@h/x?a=1"));

        // JSON bodies: the URL carries bodySHA256 and is signed alone.
        Assert.Equal(VectorBodyHash, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(VectorBody))));
        var withHash = $"{VectorUrl}&bodySHA256={VectorBodyHash}";
        Assert.True(TwilioSignature.IsValidWithBody("a9nBmqA0ju/hNViExpshrM61xv4=", "12345", withHash, Encoding.UTF8.GetBytes(VectorBody)));
        Assert.True(TwilioSignature.IsValidWithBody("y77kIzt2vzLz71DgmJGsen2scGs=", "12345", $"https://mycompany.com/myapp.php?bodySHA256={VectorBodyHash}",
            Encoding.UTF8.GetBytes(VectorBody)));
        Assert.False(TwilioSignature.IsValidWithBody("a9nBmqA0ju/hNViExpshrM61xv4=", "12345", withHash, Encoding.UTF8.GetBytes(VectorBody + " ")));
        Assert.False(TwilioSignature.IsValidWithBody("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345", VectorUrl, Encoding.UTF8.GetBytes(VectorBody)));
    }

    [Theory, Providers]
    public async Task AnInboundSms_IsVerified_AndLandsOnceHoweverOftenItIsDelivered(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel("http://127.0.0.1:9"), HttpStatusCode.Created);
        Assert.Equal($"http://localhost/webhooks/twilio/{channel.Id()}", channel["webhookUrls"]!["inbound"]!.GetValue<string>());
        var twilio = factory.CreateClient();
        var sid = "SM" + Guid.NewGuid().ToString("N");

        Assert.Equal(HttpStatusCode.Forbidden, (await twilio.SendAsync(Signed(channel.Id(), InboundSms(sid, "Hi"), authToken: "guessed"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await twilio.SendAsync(Signed(channel.Id(), InboundSms(sid, "Hi"), signedUrl: "https://elsewhere.example/x"))).StatusCode);
        var unsigned = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/twilio/{channel.Id()}") { Content = new FormUrlEncodedContent(InboundSms(sid, "Hi").Select(f => KeyValuePair.Create(f.Item1, f.Item2))) };
        Assert.Equal(HttpStatusCode.Forbidden, (await twilio.SendAsync(unsigned)).StatusCode);
        var tampered = Signed(channel.Id(), InboundSms(sid, "Hi"));
        tampered.Content = new FormUrlEncodedContent(InboundSms(sid, "Hi, send me your password").Select(f => KeyValuePair.Create(f.Item1, f.Item2)));
        Assert.Equal(HttpStatusCode.Forbidden, (await twilio.SendAsync(tampered)).StatusCode);
        Assert.Equal(0, await factory.QueryAsync(tenant.Id, db => db.WebhookEvents.CountAsync()));

        var accepted = await twilio.SendAsync(Signed(channel.Id(), InboundSms(sid, "Hi, is my order on its way?")));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("text/xml", accepted.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<Response></Response>", await accepted.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(Signed(channel.Id(), InboundSms(sid, "Hi, is my order on its way?")))).StatusCode); // re-delivered
        // The same message signed over the URL with the default port: another envelope, still one message.
        var withPort = Signed(channel.Id(), InboundSms(sid, "Hi, is my order on its way?", ("AddOns", "{}")), signedUrl: $"http://localhost:80/webhooks/twilio/{channel.Id()}");
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(withPort)).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.WebhookEvents.CountAsync(e => e.ProcessedAt != null) == 2);

        var message = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync());
        Assert.Equal((sid, "Hi, is my order on its way?", MessageDirection.Inbound, MessageType.Text), (message.ProviderMessageId, message.Text, message.Direction, message.Type));
        Assert.Equal(FromNumber, message.Payload["To"]!.GetValue<string>());
        var conversation = await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync());
        Assert.Equal((1, channel.Id()), (conversation.MessageCount, conversation.ChannelId));
        Assert.Null(conversation.WindowExpiresAt); // SMS has no customer-service window
        var contact = await factory.QueryAsync(tenant.Id, db => db.Contacts.SingleAsync());
        Assert.Equal((Customer, conversation.ContactId), (contact.Phone, contact.Id));

        // A JSON body is bound by bodySHA256 in the signed URL.
        const string json = "{\"MessageSid\":\"SMjson\",\"From\":\"+14155550100\",\"To\":\"+15550001111\",\"Body\":\"Sent as JSON\"}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        var url = $"/webhooks/twilio/{channel.Id()}?bodySHA256={hash}";
        HttpRequestMessage Json(string body) => new(HttpMethod.Post, url)
        {
            Content = Http.RawJson(body), Headers = { { TwilioSignature.Header, TwilioSignature.Compute(FakeTwilio.AuthToken, "http://localhost" + url, []) } },
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await twilio.SendAsync(Json(json.Replace("JSON", "json", StringComparison.Ordinal)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(Json(json))).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.ProviderMessageId == "SMjson" && m.Text == "Sent as JSON"));
    }

    [Fact]
    public async Task TheSignedUrl_IsTheConfiguredPublicOne_WithOrWithoutItsDefaultPort()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Webhooks:PublicBaseUrl"] = "https://Inbox.example.com" });
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel("http://127.0.0.1:9"), HttpStatusCode.Created);
        var publicUrl = $"https://Inbox.example.com/webhooks/twilio/{channel.Id()}";
        Assert.Equal(publicUrl, channel["webhookUrls"]!["inbound"]!.GetValue<string>());
        var twilio = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await twilio.SendAsync(Signed(channel.Id(), InboundSms("SM1", "Hi")))).StatusCode); // the internal URL
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(Signed(channel.Id(), InboundSms("SM1", "Hi"), signedUrl: publicUrl))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(Signed(channel.Id(), InboundSms("SM2", "Hi"),
            signedUrl: $"https://Inbox.example.com:443/webhooks/twilio/{channel.Id()}"))).StatusCode);
    }

    [Theory, Providers]
    public async Task Stop_OptsTheContactOut_AndSendingIsThenRefused(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel("http://127.0.0.1:9"), HttpStatusCode.Created);
        var twilio = factory.CreateClient();
        await twilio.SendAsync(Signed(channel.Id(), InboundSms("SMstop" + Guid.NewGuid().ToString("N"), "Stop", ("OptOutType", "STOP"))));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync());

        var contact = await factory.QueryAsync(tenant.Id, db => db.Contacts.SingleAsync());
        Assert.False(contact.SmsOptIn);
        Assert.Equal("provider", contact.SmsOptInSource);
        var conversation = await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync());
        var refused = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation.Id}/messages", new { type = "text", text = "Are you sure?" },
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal("opted_out", refused["code"]!.GetValue<string>());

        await twilio.SendAsync(Signed(channel.Id(), InboundSms("SMstart" + Guid.NewGuid().ToString("N"), "Start", ("OptOutType", "START"))));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Contacts.AnyAsync(c => c.SmsOptIn == true));
    }

    [Theory, Providers]
    public async Task ASend_GoesToTwilio_AndCallbacksOutOfOrder_EndAtDelivered(DatabaseProvider provider)
    {
        await using var fake = await FakeTwilio.StartAsync();
        var (factory, tenant, channelId, twilio, conversationId) = await CustomerWroteAsync(provider, fake);

        var sent = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "Yes, it ships today." },
            HttpStatusCode.Accepted);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == sent.Id() && m.ProviderMessageId != null));
        var form = Assert.Single(fake.Sent);
        Assert.Equal(Customer, form["To"]);
        Assert.Equal(FromNumber, form["From"]);
        Assert.Equal("Yes, it ships today.", form["Body"]);
        Assert.Equal($"/webhooks/twilio/{channelId}", new Uri(form["StatusCallback"]).AbsolutePath);
        var message = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == sent.Id()));
        Assert.StartsWith("SM", message.ProviderMessageId);
        Assert.Equal(MessageStatus.Sent, message.Status);

        // Twilio's callbacks overtake each other: delivered first, then sent.
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(Signed(channelId, StatusCallback(message.ProviderMessageId!, "delivered")))).StatusCode);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(Signed(channelId, StatusCallback(message.ProviderMessageId!, "sent")))).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.WebhookEvents.CountAsync(e => e.ProcessedAt != null) == 3);
        message = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == sent.Id()));
        Assert.Equal(MessageStatus.Delivered, message.Status);
        Assert.NotNull(message.DeliveredAt);
        var history = await factory.QueryAsync(tenant.Id, db => db.MessageStatusUpdates.Where(u => u.MessageId == message.Id).Select(u => u.Status).ToListAsync());
        Assert.Equal([MessageStatus.Sent, MessageStatus.Sent, MessageStatus.Delivered], history.Order());
    }

    [Theory, Providers]
    public async Task AReportOnASendThatWasNeverConfirmed_FindsTheMessageByOurId_AndSettlesIt(DatabaseProvider provider)
    {
        // Each send gives Twilio a status callback naming our message; a report can then find a message whose send never
        // recorded Twilio's id (the answer was lost), and its delivery settles the "unconfirmed" failure.
        await using var fake = await FakeTwilio.StartAsync();
        var (factory, tenant, channelId, twilio, conversationId) = await CustomerWroteAsync(provider, fake);
        var sent = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "On its way." },
            HttpStatusCode.Accepted);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == sent.Id() && m.ProviderMessageId != null));
        var callback = new Uri(Assert.Single(fake.Sent)["StatusCallback"]);
        Assert.Equal($"?sbMessage={sent.Id()}", callback.Query);
        await factory.QueryAsync(tenant.Id, db => db.Messages.Where(m => m.Id == sent.Id()).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, MessageStatus.Failed).SetProperty(m => m.ErrorCode, MessageSendJob.UnconfirmedCode)
            .SetProperty(m => m.ProviderMessageId, (string?)null)));

        var sid = "SM" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await twilio.SendAsync(Signed(channelId, StatusCallback(sid, "delivered"), query: callback.Query))).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == sent.Id() && m.Status == MessageStatus.Delivered));
        var message = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == sent.Id()));
        Assert.Equal(sid, message.ProviderMessageId);
        Assert.Null(message.ErrorCode);
        Assert.Null(message.FailedAt);
    }

    [Theory, Providers]
    public async Task SendFailures_AreRetriedOrFinal_AsTwiliosCodesSay(DatabaseProvider provider)
    {
        await using var fake = await FakeTwilio.StartAsync();
        var (factory, tenant, channelId, twilio, conversationId) = await CustomerWroteAsync(provider, fake);
        var messages = $"/api/v1/conversations/{conversationId}/messages";

        // Throttled: tried again later, then accepted.
        fake.Errors.Enqueue((429, 20429, "Too Many Requests"));
        var throttled = await tenant.Owner.PostJsonAsync(messages, new { type = "text", text = "One moment." }, HttpStatusCode.Accepted);
        var job = $"{{\"messageId\":{throttled.Id()}}}";
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Jobs.AnyAsync(j => j.Payload == job && j.Status == JobStatus.Queued && j.LastError != null));
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == throttled.Id() && m.Status == MessageStatus.Sent));
        Assert.Equal(2, fake.Sent.Count);

        // Then it fails on the handset: the callback's code is kept, with what it means.
        var sid = (await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == throttled.Id()))).ProviderMessageId!;
        await twilio.SendAsync(Signed(channelId, StatusCallback(sid, "undelivered", ("ErrorCode", "30003"))));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == throttled.Id() && m.Status == MessageStatus.Failed));
        var failed = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == throttled.Id()));
        Assert.Equal("30003", failed.ErrorCode);
        Assert.Contains("Unreachable", failed.ErrorMessage);

        // Refused because the customer unsubscribed: final, and the contact is opted out.
        fake.Errors.Enqueue((400, 21610, "Attempt to send to unsubscribed recipient"));
        var refused = await tenant.Owner.PostJsonAsync(messages, new { type = "text", text = "Are you there?" }, HttpStatusCode.Accepted);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == refused.Id() && m.Status == MessageStatus.Failed));
        var optedOut = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == refused.Id()));
        Assert.Equal(("21610", "Attempt to send to unsubscribed recipient"), (optedOut.ErrorCode, optedOut.ErrorMessage));
        Assert.False((await factory.QueryAsync(tenant.Id, db => db.Contacts.SingleAsync())).SmsOptIn);
        await tenant.Owner.PostJsonAsync(messages, new { type = "text", text = "Hello?" }, HttpStatusCode.UnprocessableEntity);
    }

    [Theory, Providers]
    public async Task InboundWhatsAppMedia_IsFetchedWithTheAccountsCredentials_IntoStorage(DatabaseProvider provider)
    {
        await using var fake = await FakeTwilio.StartAsync();
        var photo = RandomNumberGenerator.GetBytes(2048);
        fake.Media["ME0001"] = (photo, "image/jpeg");
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel(fake.BaseUrl, "twilio_whatsapp"), HttpStatusCode.Created);
        var sid = "MM" + Guid.NewGuid().ToString("N");
        (string, string)[] fields =
        [
            ("MessageSid", sid), ("SmsMessageSid", sid), ("AccountSid", FakeTwilio.AccountSid), ("From", "whatsapp:" + Customer), ("To", "whatsapp:" + FromNumber),
            ("Body", "The parcel arrived like this"), ("NumMedia", "1"), ("MediaUrl0", fake.MediaUrl("ME0001")), ("MediaContentType0", "image/jpeg"),
            ("ProfileName", "Sheena Nelson"), ("WaId", Customer.TrimStart('+')), ("MessageType", "image"), ("SmsStatus", "received"),
        ];
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().SendAsync(Signed(channel.Id(), fields))).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.MessageAttachments.AnyAsync(a => a.MediaFileId != null));

        var message = await factory.QueryAsync(tenant.Id, db => db.Messages.Include(m => m.Attachments).SingleAsync());
        Assert.Equal((MessageType.Image, "The parcel arrived like this"), (message.Type, message.Text));
        var attachment = Assert.Single(message.Attachments);
        Assert.Equal((fake.MediaUrl("ME0001"), "image/jpeg", 2048L), (attachment.PlatformUrl, attachment.MimeType, attachment.FileSize));
        var file = await factory.QueryAsync(tenant.Id, db => db.MediaFiles.SingleAsync(f => f.Id == attachment.MediaFileId));
        await using (var stored = factory.Services.GetRequiredService<FileStore>().OpenRead(file.StorageUrl))
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(photo)), Convert.ToHexStringLower(await SHA256.HashDataAsync(stored)));
        Assert.False(fake.StorageSawCredentials);

        var contact = await factory.QueryAsync(tenant.Id, db => db.Contacts.SingleAsync());
        Assert.Equal(("Sheena Nelson", Customer.TrimStart('+'), Customer), (contact.Name, contact.WaId, contact.Phone));
        var conversation = await factory.QueryAsync(tenant.Id, db => db.Conversations.SingleAsync());
        Assert.NotNull(conversation.WindowExpiresAt);
    }
}
