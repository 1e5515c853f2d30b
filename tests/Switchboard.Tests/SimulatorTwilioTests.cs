using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Switchboard.Simulator;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.SimulatorTestbed;

namespace Switchboard.Tests;

public sealed partial class SimulatorTwilioTests
{
    private const string Messages = $"2010-04-01/Accounts/{AccountSid}/Messages.json";

    [Fact]
    public void TheSigner_MatchesTwiliosPublicTestVector()
    {
        var parameters = new Dictionary<string, string>
        {
            ["CallSid"] = "CA1234567890ABCDE", ["Caller"] = "+14158675309", ["Digits"] = "1234", ["From"] = "+14158675309", ["To"] = "+18005551212",
        };
        Assert.Equal("RSOYDt4T1cUTdK1PDd93/VVr8B8=", WebhookSignatures.Twilio("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", parameters));
    }

    [Fact]
    public void TheMetaSigner_MatchesTheSdksPublicTestVector() =>
        Assert.Equal("sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221", WebhookSignatures.Meta("TEST_APP_SECRET", "test"u8.ToArray()));

    [Fact]
    public async Task ASend_IsAnswered201InTwiliosShape_AndSignedCallbacksFollow()
    {
        await using var bed = await StartAsync();
        var callback = bed.Receiver.Url("/twilio/status?channel=7");

        var message = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created,
            ("To", "+15551230001"), ("From", SmsNumber), ("Body", "Your order has shipped"), ("StatusCallback", callback));

        var sid = message["sid"]!.GetValue<string>();
        Assert.Matches(Sid(), sid);
        Assert.Equal(("queued", AccountSid, "+15551230001", SmsNumber, "Your order has shipped", "0", "outbound-api"),
            (message["status"]!.GetValue<string>(), message["account_sid"]!.GetValue<string>(), message["to"]!.GetValue<string>(), message["from"]!.GetValue<string>(),
                message["body"]!.GetValue<string>(), message["num_media"]!.GetValue<string>(), message["direction"]!.GetValue<string>()));
        Assert.Equal($"/2010-04-01/Accounts/{AccountSid}/Messages/{sid}.json", message["uri"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParseExact(message["date_created"]!.GetValue<string>(), "ddd, dd MMM yyyy HH:mm:ss zzz", null, System.Globalization.DateTimeStyles.None, out _));
        Assert.Null(message["error_code"]);
        Assert.True(message.ContainsKey("error_code"));

        var callbacks = await bed.Receiver.WaitForAsync("/twilio/status", 3);
        Assert.Equal(["queued", "sent", "delivered"], callbacks.Select(c => c.Form["MessageStatus"]));
        foreach (var received in callbacks)
        {
            AssertTwilioSignature(received);
            Assert.Equal(callback, received.Url);
            Assert.Equal((sid, sid, AccountSid, SmsNumber, "+15551230001", "2010-04-01"),
                (received.Form["MessageSid"], received.Form["SmsSid"], received.Form["AccountSid"], received.Form["From"], received.Form["To"], received.Form["ApiVersion"]));
            Assert.Equal(received.Form["MessageStatus"], received.Form["SmsStatus"]);
            Assert.False(received.Form.ContainsKey("ErrorCode"));
        }
        Assert.Equal("Your order has shipped", Assert.Single(bed.Simulator.Sent.For(SimulatedProvider.Twilio, AccountSid)).Text);
    }

    [Fact]
    public async Task AWhatsAppSend_IsReadToo_AndAMessagingServiceSendIsAccepted()
    {
        await using var bed = await StartAsync();
        bed.Simulator.Accounts.Add(bed.Simulator.Accounts.TwilioAccounts[AccountSid] with { MessagingServiceSid = "MG" + new string('b', 32) });
        await bed.Control.PostJsonAsync($"_simulator/twilio/{AccountSid}/inbound", new { from = "whatsapp:+15551230002", body = "Hi", profileName = "Sheena" }, HttpStatusCode.OK);

        var message = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created,
            ("To", "whatsapp:+15551230002"), ("MessagingServiceSid", "MG" + new string('b', 32)), ("Body", "Hello"), ("StatusCallback", bed.Receiver.Url("/twilio/status")));

        Assert.Equal("accepted", message["status"]!.GetValue<string>());
        Assert.Null(message["from"]);
        var callbacks = await bed.Receiver.WaitForAsync("/twilio/status", 4);
        Assert.Equal(["queued", "sent", "delivered", "read"], callbacks.Select(c => c.Form["MessageStatus"]));
        Assert.All(callbacks, c => Assert.Equal(WhatsAppNumber, c.Form["From"]));
    }

    [Fact]
    public async Task AFailingRecipient_EndsUndeliveredWithTheErrorCode()
    {
        await using var bed = await StartAsync();
        await bed.Control.PutJsonAsync($"_simulator/twilio/{AccountSid}/behaviour", new { statusDelayMs = 10, failingRecipients = new Dictionary<string, int> { ["+15550001111"] = 30003 } });

        await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, ("To", "+15550001111"), ("From", SmsNumber), ("Body", "Hi"), ("StatusCallback", bed.Receiver.Url("/twilio/status")));

        var callbacks = await bed.Receiver.WaitForAsync("/twilio/status", 3);
        Assert.Equal(["queued", "sent", "undelivered"], callbacks.Select(c => c.Form["MessageStatus"]));
        Assert.Equal("30003", callbacks[2].Form["ErrorCode"]);
        AssertTwilioSignature(callbacks[2]);
    }

    [Fact]
    public async Task AWhatsAppFreeFormOutsideTheWindow_Fails63016()
    {
        await using var bed = await StartAsync();

        await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, ("To", "whatsapp:+15551230003"), ("From", WhatsAppNumber), ("Body", "Hi"), ("StatusCallback", bed.Receiver.Url("/twilio/status")));

        var callbacks = await bed.Receiver.WaitForAsync("/twilio/status", 2);
        Assert.Equal(("failed", "63016"), (callbacks[1].Form["MessageStatus"], callbacks[1].Form["ErrorCode"]));
    }

    [Fact]
    public async Task OutOfOrderAndDuplicateKnobs_ApplyToCallbacks()
    {
        await using var bed = await StartAsync();
        bed.Behave(SimulatedProvider.Twilio, b => b with { OutOfOrder = true, DuplicateStatuses = true });

        await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, ("To", "+15551230004"), ("From", SmsNumber), ("Body", "Hi"), ("StatusCallback", bed.Receiver.Url("/twilio/status")));

        var callbacks = await bed.Receiver.WaitForAsync("/twilio/status", 6);
        Assert.Equal(["delivered", "delivered", "sent", "sent", "queued", "queued"], callbacks.Select(c => c.Form["MessageStatus"]));
    }

    [Theory]
    [InlineData("To=5551234&From=%2B15550001000&Body=Hi", 21211)]
    [InlineData("To=%2B15551230005&From=%2B15550001000", 21602)]
    [InlineData("To=%2B15551230005&From=%2B15559999999&Body=Hi", 21606)]
    [InlineData("To=%2B15551230005&Body=Hi", 21603)]
    public async Task InvalidSends_GetTwiliosErrorShape(string form, int code)
    {
        await using var bed = await StartAsync();

        var error = await (await bed.Twilio.PostAsync(Messages, new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"))).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["code", "message", "more_info", "status"], error.Select(p => p.Key));
        Assert.Equal((code, 400, $"https://www.twilio.com/docs/errors/{code}"), (error["code"]!.GetValue<int>(), error["status"]!.GetValue<int>(), error["more_info"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ABodyOver1600Characters_IsRefused()
    {
        await using var bed = await StartAsync();

        var error = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.BadRequest, ("To", "+15551230005"), ("From", SmsNumber), ("Body", new string('x', 1601)));

        Assert.Equal(21617, error["code"]!.GetValue<int>());
        await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, ("To", "+15551230005"), ("From", SmsNumber), ("Body", new string('x', 1600)));
    }

    [Fact]
    public async Task WrongCredentials_Get20003()
    {
        await using var bed = await StartAsync();
        using var stranger = bed.Simulator.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:wrong"u8.ToArray()));

        var error = await stranger.PostFormAsync(Messages, HttpStatusCode.Unauthorized, ("To", "+15551230006"), ("From", SmsNumber), ("Body", "Hi"));

        Assert.Equal((20003, "Authenticate"), (error["code"]!.GetValue<int>(), error["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task QueuedErrors_AndTheAccountRate_Answer429()
    {
        await using var bed = await StartAsync();
        bed.Behave(SimulatedProvider.Twilio, b => b with { Errors = [new SyncError(500, 20500)] });

        var internalError = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.InternalServerError, ("To", "+15551230007"), ("From", SmsNumber), ("Body", "Hi"));
        Assert.Equal(20500, internalError["code"]!.GetValue<int>());

        bed.Behave(SimulatedProvider.Twilio, b => b with { MessagesPerSecond = 1 });
        await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, ("To", "+15551230007"), ("From", SmsNumber), ("Body", "Hi"));
        var limited = await bed.Twilio.PostFormAsync(Messages, (HttpStatusCode)429, ("To", "+15551230007"), ("From", SmsNumber), ("Body", "Hi"));
        Assert.Equal((20429, 429), (limited["code"]!.GetValue<int>(), limited["status"]!.GetValue<int>()));
    }

    [Fact]
    public async Task ACustomersStop_IsPostedWithOptOutType_AndLaterSendsGet21610UntilStart()
    {
        await using var bed = await StartAsync();

        await bed.Control.PostJsonAsync($"_simulator/twilio/{AccountSid}/inbound", new { from = "+15551230008", body = "stop" }, HttpStatusCode.OK);

        var stop = Assert.Single(await bed.Receiver.WaitForAsync("/twilio/inbound"));
        AssertTwilioSignature(stop);
        Assert.Equal(("STOP", "stop", SmsNumber), (stop.Form["OptOutType"], stop.Form["Body"], stop.Form["To"]));
        var refused = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.BadRequest, ("To", "+15551230008"), ("From", SmsNumber), ("Body", "Hi"));
        Assert.Equal(21610, refused["code"]!.GetValue<int>());

        await bed.Control.PostJsonAsync($"_simulator/twilio/{AccountSid}/inbound", new { from = "+15551230008", body = "START" }, HttpStatusCode.OK);
        await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, ("To", "+15551230008"), ("From", SmsNumber), ("Body", "Welcome back"));
    }

    [Fact]
    public async Task ACustomersWhatsAppMessageWithMedia_IsPostedSigned_AndItsMediaServedWithBasicAuth()
    {
        await using var bed = await StartAsync();

        var answer = await bed.Control.PostJsonAsync($"_simulator/twilio/{AccountSid}/inbound", new
        {
            from = "whatsapp:+15551230009", body = "Here is the photo", profileName = "Sheena Nelson",
            media = new[] { new { contentType = "image/jpeg", data = Convert.ToBase64String([9, 8, 7]) } },
        }, HttpStatusCode.OK);

        var inbound = Assert.Single(await bed.Receiver.WaitForAsync("/twilio/inbound"));
        AssertTwilioSignature(inbound);
        var form = inbound.Form;
        Assert.Equal((answer["sid"]!.GetValue<string>(), AccountSid, "whatsapp:+15551230009", WhatsAppNumber, "Here is the photo", "1"),
            (form["MessageSid"], form["AccountSid"], form["From"], form["To"], form["Body"], form["NumMedia"]));
        Assert.Equal(("Sheena Nelson", "15551230009", "image/jpeg"), (form["ProfileName"], form["WaId"], form["MediaContentType0"]));
        Assert.StartsWith("MM", form["MessageSid"]);
        Assert.False(form.ContainsKey("OptOutType"));
        Assert.StartsWith($"{bed.Simulator.BaseUrl}/2010-04-01/Accounts/{AccountSid}/Messages/{form["MessageSid"]}/Media/ME", form["MediaUrl0"]);
        Assert.Equal([9, 8, 7], await bed.Twilio.GetByteArrayAsync(form["MediaUrl0"]));
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(form["MediaUrl0"])).StatusCode);
    }

    [Fact]
    public async Task ContentTemplates_AreListedPageByPage_WithTheirWhatsAppApproval_InTwiliosFormat()
    {
        await using var bed = await StartAsync();
        var added = await bed.Control.PostJsonAsync($"_simulator/twilio/{AccountSid}/contents",
            new { friendlyName = "appointment_reminder", language = "en", body = "Hi {{1}}, see you on {{2}}.", variables = new Dictionary<string, string> { ["1"] = "Sheena", ["2"] = "Monday" }, status = "unsubmitted" },
            HttpStatusCode.Created);
        Assert.Matches(ContentSid(), added["sid"]!.GetValue<string>());

        var first = await bed.Twilio.GetJsonAsync("v1/Content?PageSize=3");
        Assert.Equal(["contents", "meta"], first.Select(p => p.Key));
        var meta = first["meta"]!;
        Assert.Equal((0, 3, "contents"), (meta["page"]!.GetValue<int>(), meta["page_size"]!.GetValue<int>(), meta["key"]!.GetValue<string>()));
        Assert.Equal($"{bed.Simulator.BaseUrl}/v1/Content?PageSize=3&Page=0", meta["first_page_url"]!.GetValue<string>());
        Assert.Null(meta["previous_page_url"]);
        var contents = first["contents"]!.AsArray();
        Assert.Equal(["hello_world", "order_update", "spring_sale"], contents.Select(c => c!["friendly_name"]!.GetValue<string>()));
        var order = contents[1]!;
        var sid = ContentStore.SeededSid(AccountSid, "order_update");
        Assert.Equal((sid, AccountSid, "en", "Hi {{1}}, your order {{2}} has shipped."),
            (order["sid"]!.GetValue<string>(), order["account_sid"]!.GetValue<string>(), order["language"]!.GetValue<string>(),
                order["types"]!["twilio/text"]!["body"]!.GetValue<string>()));
        Assert.Equal("Sheena", order["variables"]!["1"]!.GetValue<string>());
        Assert.Equal($"{bed.Simulator.BaseUrl}/v1/Content/{sid}/ApprovalRequests", order["links"]!["approval_fetch"]!.GetValue<string>());
        Assert.Matches(IsoDate(), order["date_created"]!.GetValue<string>());

        var second = await bed.Twilio.GetJsonAsync(meta["next_page_url"]!.GetValue<string>());
        Assert.Equal(["appointment_reminder"], second["contents"]!.AsArray().Select(c => c!["friendly_name"]!.GetValue<string>()));
        Assert.Equal(1, second["meta"]!["page"]!.GetValue<int>());
        Assert.Null(second["meta"]!["next_page_url"]);

        var approval = await bed.Twilio.GetJsonAsync($"v1/Content/{sid}/ApprovalRequests");
        Assert.Equal(["sid", "account_sid", "whatsapp", "url"], approval.Select(p => p.Key));
        Assert.Equal(("whatsapp", "order_update", "UTILITY", "twilio/text", "approved", ""),
            (approval["whatsapp"]!["type"]!.GetValue<string>(), approval["whatsapp"]!["name"]!.GetValue<string>(), approval["whatsapp"]!["category"]!.GetValue<string>(),
                approval["whatsapp"]!["content_type"]!.GetValue<string>(), approval["whatsapp"]!["status"]!.GetValue<string>(),
                approval["whatsapp"]!["rejection_reason"]!.GetValue<string>()));
        var unsubmitted = await bed.Twilio.GetJsonAsync($"v1/Content/{added["sid"]}/ApprovalRequests");
        Assert.Equal("unsubmitted", unsubmitted["whatsapp"]!["status"]!.GetValue<string>());

        var missing = await bed.Twilio.GetJsonAsync($"v1/Content/HX{new string('0', 32)}/ApprovalRequests", HttpStatusCode.NotFound);
        Assert.Equal(20404, missing["code"]!.GetValue<int>());
        using var stranger = bed.Simulator.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("v1/Content")).StatusCode);
    }

    [Fact]
    public async Task AContentSend_IsRenderedAndPassesTheClosedWindow_WhileUnknownOrUnapprovedContentDoesNot()
    {
        await using var bed = await StartAsync();
        var sid = ContentStore.SeededSid(AccountSid, "order_update");
        (string, string) To(string number) => ("To", "whatsapp:" + number);

        var message = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, To("+15551230010"), ("From", WhatsAppNumber), ("ContentSid", sid),
            ("ContentVariables", "{\"1\":\"Ana\",\"2\":\"#7\"}"), ("StatusCallback", bed.Receiver.Url("/twilio/status")));

        Assert.Equal("Hi Ana, your order #7 has shipped.", message["body"]!.GetValue<string>());
        var callbacks = await bed.Receiver.WaitForAsync("/twilio/status", 4);
        Assert.Equal(["queued", "sent", "delivered", "read"], callbacks.Select(c => c.Form["MessageStatus"]));
        var logged = Assert.Single(bed.Simulator.Sent.For(SimulatedProvider.Twilio, AccountSid));
        Assert.Equal(("content", sid), (logged.Type, logged.Request["ContentSid"]!.GetValue<string>()));

        // Left-out variables take the template's defaults, as at Twilio.
        var defaults = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, To("+15551230011"), ("From", WhatsAppNumber), ("ContentSid", sid),
            ("ContentVariables", "{\"1\":\"Ana\"}"));
        Assert.Equal("Hi Ana, your order #1042 has shipped.", defaults["body"]!.GetValue<string>());

        foreach (var unknown in new[] { "HX" + new string('0', 32), "HX123", ContentStore.SeededSid("ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "order_update") })
        {
            var refused = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.BadRequest, To("+15551230012"), ("From", WhatsAppNumber), ("ContentSid", unknown));
            Assert.Equal((21655, "The ContentSid is Invalid."), (refused["code"]!.GetValue<int>(), refused["message"]!.GetValue<string>()));
        }
        var orphan = await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.BadRequest, To("+15551230012"), ("From", WhatsAppNumber), ("Body", "Hi"),
            ("ContentVariables", "{}"));
        Assert.Equal(21654, orphan["code"]!.GetValue<int>());

        var pending = await bed.Control.PostJsonAsync($"_simulator/twilio/{AccountSid}/contents",
            new { friendlyName = "winter_sale", language = "en", body = "Hi {{1}}", category = "MARKETING", status = "pending" }, HttpStatusCode.Created);
        await bed.Twilio.PostFormAsync(Messages, HttpStatusCode.Created, To("+15551230013"), ("From", WhatsAppNumber), ("ContentSid", pending["sid"]!.GetValue<string>()),
            ("StatusCallback", bed.Receiver.Url("/twilio/pending")));
        var failed = await bed.Receiver.WaitForAsync("/twilio/pending", 2);
        Assert.Equal(("failed", "63016"), (failed[1].Form["MessageStatus"], failed[1].Form["ErrorCode"]));
    }

    [GeneratedRegex("^SM[0-9a-f]{32}$")]
    private static partial Regex Sid();

    [GeneratedRegex("^HX[0-9a-f]{32}$")]
    private static partial Regex ContentSid();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex IsoDate();
}
