using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Simulator;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.SimulatorTestbed;

namespace Switchboard.Tests;

public sealed class SimulatorMetaTests
{
    private const string Messages = $"v23.0/{PhoneNumberId}/messages";

    private static object Text(string to, string body = "Hello from Acme") =>
        new { messaging_product = "whatsapp", recipient_type = "individual", to, type = "text", text = new { body, preview_url = false } };

    private static object Template(string to, string name, params string[] parameters) => new
    {
        messaging_product = "whatsapp", to, type = "template",
        template = new
        {
            name, language = new { code = "en_US" },
            components = parameters.Length == 0 ? [] : new[] { new { type = "body", parameters = parameters.Select(p => new { type = "text", text = p }).ToArray() } },
        },
    };

    /// <summary>The customer writes first, so free-form messages are inside the 24-hour window.</summary>
    private static async Task<string> WriteInAsync(SimulatorTestbed bed, string from, object? message = null)
    {
        var answer = await bed.Control.PostJsonAsync($"_simulator/whatsapp/{PhoneNumberId}/inbound", message ?? new { from, name = "Sheena Nelson", text = "Hi!" }, HttpStatusCode.OK);
        return answer["id"]!.GetValue<string>();
    }

    private static async Task<IReadOnlyList<JsonObject>> StatusesAsync(SimulatorTestbed bed, int count, int skip = 0)
    {
        var webhooks = await bed.Receiver.WaitForAsync("/meta", skip + count);
        foreach (var webhook in webhooks)
            AssertMetaSignature(webhook);
        // A Cloud API status webhook carries one status.
        return webhooks.Skip(skip).Select(w => w.Json["entry"]![0]!["changes"]![0]!["value"]!["statuses"]![0]!.AsObject()).ToArray();
    }

    [Fact]
    public async Task AText_IsAnsweredInMetasShape_AndSignedStatusesFollowInOrder()
    {
        await using var bed = await StartAsync();
        await WriteInAsync(bed, "16505551234");

        var response = await bed.Meta.PostAsJsonAsync(Messages, Text("+16505551234"), Http.Json);

        var answer = await response.JsonAsync(HttpStatusCode.OK);
        var wamid = answer["messages"]![0]!["id"]!.GetValue<string>();
        Assert.StartsWith("wamid.HBgL", wamid);
        Assert.Equal(
            $$"""{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"{{wamid}}"}]}""",
            await response.Content.ReadAsStringAsync());
        var statuses = await StatusesAsync(bed, 3, skip: 1);
        Assert.Equal(["sent", "delivered", "read"], statuses.Select(s => s["status"]!.GetValue<string>()));
        Assert.All(statuses, s => Assert.Equal(wamid, s["id"]!.GetValue<string>()));
        Assert.All(statuses, s => Assert.Equal("16505551234", s["recipient_id"]!.GetValue<string>()));
        Assert.Equal("service", statuses[0]["pricing"]!["category"]!.GetValue<string>());
        Assert.False(statuses[0]["pricing"]!["billable"]!.GetValue<bool>());
        Assert.NotNull(statuses[0]["conversation"]!["expiration_timestamp"]);
        var envelope = bed.Receiver.Received("/meta")[1].Json;
        Assert.Equal("whatsapp_business_account", envelope["object"]!.GetValue<string>());
        Assert.Equal(BusinessAccountId, envelope["entry"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("messages", envelope["entry"]![0]!["changes"]![0]!["field"]!.GetValue<string>());
        Assert.Equal("""{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}""",
            envelope["entry"]![0]!["changes"]![0]!["value"]!["metadata"]!.ToJsonString());

        var sent = Assert.Single(bed.Simulator.Sent.For(SimulatedProvider.WhatsApp, PhoneNumberId));
        Assert.Equal(("Hello from Acme", wamid), (sent.Text, sent.Id));
        var listed = await bed.Control.GetJsonAsync($"_simulator/sent?phoneNumberId={PhoneNumberId}");
        Assert.Equal("Hello from Acme", listed["messages"]![0]!["request"]!["text"]!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task ATemplate_IsAccepted_OutsideTheWindow_AndPricedInItsCategory()
    {
        await using var bed = await StartAsync();

        var answer = await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "order_update", "Sheena", "#1042"), HttpStatusCode.OK);

        Assert.Equal("accepted", answer["messages"]![0]!["message_status"]!.GetValue<string>());
        var statuses = await StatusesAsync(bed, 3);
        Assert.Equal(["sent", "delivered", "read"], statuses.Select(s => s["status"]!.GetValue<string>()));
        Assert.Equal("utility", statuses[0]["pricing"]!["category"]!.GetValue<string>());
        Assert.Equal("utility", statuses[0]["conversation"]!["origin"]!["type"]!.GetValue<string>());
        Assert.Equal("Hi Sheena, your order #1042 has shipped.", bed.Simulator.Sent.For()[0].Text);
    }

    [Fact]
    public async Task Templates_AreCheckedLikeMetaDoes()
    {
        await using var bed = await StartAsync();

        var unknown = await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "no_such_template"), HttpStatusCode.NotFound);
        Assert.Equal(132001, unknown["error"]!["code"]!.GetValue<int>());
        Assert.Equal("whatsapp", unknown["error"]!["error_data"]!["messaging_product"]!.GetValue<string>());
        Assert.Contains("no_such_template", unknown["error"]!["error_data"]!["details"]!.GetValue<string>());
        Assert.NotNull(unknown["error"]!["fbtrace_id"]);

        var mismatch = await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "order_update", "Sheena"), HttpStatusCode.BadRequest);
        Assert.Equal(132000, mismatch["error"]!["code"]!.GetValue<int>());

        await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), HttpStatusCode.OK);
        Assert.Single(bed.Simulator.Sent.For());
    }

    [Fact]
    public async Task AWrongToken_Gets190_AndAnUnknownNumber100()
    {
        await using var bed = await StartAsync();
        using var stranger = bed.Simulator.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "expired-token");

        var refused = await stranger.PostJsonAsync(Messages, Text("16505551234"), HttpStatusCode.Unauthorized);
        Assert.Equal(190, refused["error"]!["code"]!.GetValue<int>());
        Assert.Equal("OAuthException", refused["error"]!["type"]!.GetValue<string>());

        var unknown = await bed.Meta.PostJsonAsync("v23.0/999/messages", Text("16505551234"), HttpStatusCode.BadRequest);
        Assert.Equal((100, "GraphMethodException"), (unknown["error"]!["code"]!.GetValue<int>(), unknown["error"]!["type"]!.GetValue<string>()));
        Assert.Empty(bed.Simulator.Sent.For());
    }

    [Theory]
    [InlineData("""{"to":"16505551234","type":"text","text":{"body":"hi"}}""", 100, "messaging_product")]
    [InlineData("""{"messaging_product":"whatsapp","to":"12ab","type":"text","text":{"body":"hi"}}""", 100, "to")]
    [InlineData("""{"messaging_product":"whatsapp","to":"16505551234","type":"carrier_pigeon"}""", 100, "type")]
    [InlineData("""{"messaging_product":"whatsapp","to":"16505551234","type":"image","image":{"id":"404"}}""", 100, "media id")]
    [InlineData("""{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}},{"type":"reply","reply":{"id":"b","title":"B"}},{"type":"reply","reply":{"id":"c","title":"C"}},{"type":"reply","reply":{"id":"d","title":"D"}}]}}}""", 131009, "Buttons")]
    [InlineData("""{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"This title is far too long"}}]}}}""", 100, "at most 20")]
    [InlineData("""{"messaging_product":"whatsapp","to":"16505551234","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"footer":{"text":"This footer goes on and on and on and on and on and on and on and on"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}}""", 100, "at most 60")]
    public async Task InvalidSends_GetMetasErrorShape(string body, int code, string detail)
    {
        await using var bed = await StartAsync();

        var error = (await (await bed.Meta.PostAsync(Messages, Http.RawJson(body))).JsonAsync(HttpStatusCode.BadRequest))["error"]!;

        Assert.Equal(code, error["code"]!.GetValue<int>());
        Assert.Equal("OAuthException", error["type"]!.GetValue<string>());
        Assert.Equal("whatsapp", error["error_data"]!["messaging_product"]!.GetValue<string>());
        Assert.Contains(detail, error["error_data"]!["details"]!.GetValue<string>());
        Assert.StartsWith($"(#{code})", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ATextOverTheLimit_IsRefused_AndOneAtTheLimitAccepted()
    {
        await using var bed = await StartAsync();

        var error = await bed.Meta.PostJsonAsync(Messages, Text("16505551234", new string('x', 4097)), HttpStatusCode.BadRequest);
        Assert.Equal("Param text['body'] must be at most 4096 characters long.", error["error"]!["error_data"]!["details"]!.GetValue<string>());
        await bed.Meta.PostJsonAsync(Messages, Text("16505551234", new string('x', 4096)), HttpStatusCode.OK);
    }

    [Fact]
    public async Task InteractiveButtons_AndReactions_AreAccepted()
    {
        await using var bed = await StartAsync();
        var interactive = new
        {
            messaging_product = "whatsapp", to = "16505551234", type = "interactive",
            interactive = new
            {
                type = "button", body = new { text = "Was this helpful?" }, footer = new { text = "Acme Support" },
                action = new { buttons = new[] { new { type = "reply", reply = new { id = "yes", title = "Yes" } }, new { type = "reply", reply = new { id = "no", title = "No" } } } },
            },
        };

        await bed.Meta.PostJsonAsync(Messages, interactive, HttpStatusCode.OK);
        await bed.Meta.PostJsonAsync(Messages, new { messaging_product = "whatsapp", to = "16505551234", type = "reaction", reaction = new { message_id = "wamid.x", emoji = "👍" } }, HttpStatusCode.OK);

        Assert.Equal(["interactive", "reaction"], bed.Simulator.Sent.For().Select(m => m.Type));
    }

    [Fact]
    public async Task AReadReceipt_IsAnsweredSuccess_AndSendsNothing()
    {
        await using var bed = await StartAsync();
        var wamid = await WriteInAsync(bed, "16505551234");

        var answer = await bed.Meta.PostJsonAsync(Messages, new { messaging_product = "whatsapp", status = "read", message_id = wamid, typing_indicator = new { type = "text" } }, HttpStatusCode.OK);

        Assert.Equal("""{"success":true}""", answer.ToJsonString());
        Assert.Empty(bed.Simulator.Sent.For());
    }

    [Fact]
    public async Task AFreeFormMessageOutsideTheWindow_IsAccepted_ThenFailsWith131047()
    {
        await using var bed = await StartAsync();

        await bed.Meta.PostJsonAsync(Messages, Text("16505550000"), HttpStatusCode.OK);

        var failed = Assert.Single(await StatusesAsync(bed, 1));
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal(131047, failed["errors"]![0]!["code"]!.GetValue<int>());
        Assert.Equal("Re-engagement message", failed["errors"]![0]!["title"]!.GetValue<string>());
        Assert.NotNull(failed["errors"]![0]!["error_data"]!["details"]);

        bed.Behave(SimulatedProvider.WhatsApp, b => b with { EnforceWindow = false });
        await bed.Meta.PostJsonAsync(Messages, Text("16505550000"), HttpStatusCode.OK);
        Assert.Equal("sent", (await StatusesAsync(bed, 1, skip: 1))[0]["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFailingRecipient_GetsAFailedStatusWithItsCode()
    {
        await using var bed = await StartAsync();
        await bed.Control.PutJsonAsync($"_simulator/whatsapp/{PhoneNumberId}/behaviour",
            new { statusDelayMs = 10, failingRecipients = new Dictionary<string, int> { ["15550001111"] = 131026 } });

        await bed.Meta.PostJsonAsync(Messages, Template("+1 555 000 1111", "hello_world"), HttpStatusCode.OK);

        var failed = Assert.Single(await StatusesAsync(bed, 1));
        Assert.Equal(("failed", 131026), (failed["status"]!.GetValue<string>(), failed["errors"]![0]!["code"]!.GetValue<int>()));
    }

    [Fact]
    public async Task DuplicateAndOutOfOrderKnobs_BendTheStatuses()
    {
        await using var bed = await StartAsync();
        bed.Behave(SimulatedProvider.WhatsApp, b => b with { DuplicateStatuses = true, OutOfOrder = true });

        await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), HttpStatusCode.OK);

        var statuses = await StatusesAsync(bed, 6);
        Assert.Equal(["read", "read", "delivered", "delivered", "sent", "sent"], statuses.Select(s => s["status"]!.GetValue<string>()));
        var webhooks = bed.Receiver.Received("/meta");
        Assert.Equal(webhooks[0].RawBody, webhooks[1].RawBody);
    }

    [Fact]
    public async Task QueuedErrors_AnswerTheNextSends_ThenSendsSucceedAgain()
    {
        await using var bed = await StartAsync();
        await bed.Control.PutJsonAsync($"_simulator/whatsapp/{PhoneNumberId}/behaviour", new
        {
            errors = new object[] { new { status = 500, code = 131057 }, new { status = 429, code = 130429, message = "(#130429) Rate limit hit" }, new { status = 401, code = 190 } },
        });

        var maintenance = await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), HttpStatusCode.InternalServerError);
        var limited = await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), (HttpStatusCode)429);
        var expired = await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), HttpStatusCode.Unauthorized);
        await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), HttpStatusCode.OK);

        Assert.Equal("(#131057) Account in maintenance mode", maintenance["error"]!["message"]!.GetValue<string>());
        Assert.Equal(130429, limited["error"]!["code"]!.GetValue<int>());
        Assert.Equal(190, expired["error"]!["code"]!.GetValue<int>());
        Assert.Single(bed.Simulator.Sent.For());
    }

    [Fact]
    public async Task Throughput_AndThePairRateLimit_AreEnforced()
    {
        await using var bed = await StartAsync();
        bed.Behave(SimulatedProvider.WhatsApp, b => b with { MessagesPerSecond = 1, PairBurst = 1000 });

        await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), HttpStatusCode.OK);
        var throttled = await bed.Meta.PostJsonAsync(Messages, Template("16505551236", "hello_world"), HttpStatusCode.BadRequest);
        Assert.Equal(130429, throttled["error"]!["code"]!.GetValue<int>());
        Assert.Equal("(#130429) Rate limit hit", throttled["error"]!["message"]!.GetValue<string>());

        bed.Behave(SimulatedProvider.WhatsApp, b => b with { MessagesPerSecond = 1000, PairBurst = 2 });
        await bed.Meta.PostJsonAsync(Messages, Template("16505559999", "hello_world"), HttpStatusCode.OK);
        await bed.Meta.PostJsonAsync(Messages, Template("16505559999", "hello_world"), HttpStatusCode.OK);
        var pair = await bed.Meta.PostJsonAsync(Messages, Template("16505559999", "hello_world"), HttpStatusCode.BadRequest);
        Assert.Equal(131056, pair["error"]!["code"]!.GetValue<int>());
        await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "hello_world"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task AFailedWebhookDelivery_IsRetried()
    {
        await using var bed = await StartAsync();
        bed.Receiver.FailNext(2);

        var wamid = await WriteInAsync(bed, "16505551234");

        // The receiver records the two failed attempts too: three deliveries of the same webhook.
        var attempts = await bed.Receiver.WaitForAsync("/meta", 3);
        Assert.Equal(wamid, attempts[2].Json["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!["id"]!.GetValue<string>());
        Assert.All(attempts, a => Assert.Equal(attempts[2].RawBody, a.RawBody));
    }

    [Fact]
    public async Task ACustomersText_ArrivesAsMetasSignedWebhook_AndCanBeRedeliveredByteForByte()
    {
        await using var bed = await StartAsync();

        var wamid = await WriteInAsync(bed, "16505551234", new { from = "16505551234", name = "Lucía Gómez", text = "Does it come in another color?" });

        var webhook = Assert.Single(await bed.Receiver.WaitForAsync("/meta"));
        AssertMetaSignature(webhook);
        Assert.Equal("facebookexternalua", webhook.Headers["User-Agent"]);
        Assert.Contains("\\u00ed", webhook.Body);
        var timestamp = webhook.Json["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!["timestamp"]!.GetValue<string>();
        Assert.Equal($$$"""
            {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Luc\u00eda G\u00f3mez"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"{{{wamid}}}","timestamp":"{{{timestamp}}}","type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]}
            """, webhook.Body);

        await bed.Control.PostJsonAsync($"_simulator/whatsapp/{PhoneNumberId}/redeliver-last", new { }, HttpStatusCode.OK);
        var again = await bed.Receiver.WaitForAsync("/meta", 2);
        Assert.Equal(again[0].RawBody, again[1].RawBody);
        Assert.Equal(again[0].Headers["X-Hub-Signature-256"], again[1].Headers["X-Hub-Signature-256"]);
    }

    [Fact]
    public async Task OtherCustomerMessageTypes_FollowTheSpecsExamples()
    {
        await using var bed = await StartAsync();

        await WriteInAsync(bed, "", new { from = "16505551234", type = "location", latitude = 37.44221496582, longitude = -122.16165924072, name = "Sheena", locationName = "Philz Coffee" });
        await WriteInAsync(bed, "", new { from = "16505551234", type = "interactive", replyId = "cancel-button", replyTitle = "Cancel" });
        await WriteInAsync(bed, "", new { from = "16505551234", type = "unsupported" });

        var messages = (await bed.Receiver.WaitForAsync("/meta", 3)).Select(w => w.Json["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!).ToArray();
        Assert.Equal("Philz Coffee", messages[0]["location"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"type":"button_reply","button_reply":{"id":"cancel-button","title":"Cancel"}}""", messages[1]["interactive"]!.ToJsonString());
        Assert.Equal(131051, messages[2]["errors"]![0]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Media_IsUploaded_Described_AndDownloadedWithTheToken_UnderAnyMountPrefix()
    {
        await using var bed = await StartAsync("/demo-provider");
        var bytes = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3 };
        using var form = new MultipartFormDataContent
        {
            { new StringContent("whatsapp"), "messaging_product" },
            { new StringContent("image/jpeg"), "type" },
            { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("image/jpeg") } }, "file", "photo.jpg" },
        };

        var id = (await (await bed.Meta.PostAsync($"v23.0/{PhoneNumberId}/media", form)).JsonAsync(HttpStatusCode.OK))["id"]!.GetValue<string>();
        var described = await bed.Meta.GetJsonAsync($"v23.0/{id}");
        var url = described["url"]!.GetValue<string>();

        Assert.Equal(["messaging_product", "url", "mime_type", "sha256", "file_size", "id"], described.Select(p => p.Key));
        Assert.Equal(("image/jpeg", "7", id), (described["mime_type"]!.GetValue<string>(), described["file_size"]!.GetValue<string>(), described["id"]!.GetValue<string>()));
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(bytes)), described["sha256"]!.GetValue<string>());
        Assert.StartsWith(bed.Simulator.BaseUrl + "/whatsapp_business/attachments/?mid=" + id, url);
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(bytes, await bed.Meta.GetByteArrayAsync(url));

        await WriteInAsync(bed, "16505551234");
        await bed.Meta.PostJsonAsync(Messages, new { messaging_product = "whatsapp", to = "16505551234", type = "image", image = new { id, caption = "Your receipt" } }, HttpStatusCode.OK);
        await bed.Meta.PostJsonAsync(Messages, new { messaging_product = "whatsapp", to = "16505551234", type = "document", document = new { link = "https://example.com/a.pdf", filename = "a.pdf" } }, HttpStatusCode.OK);
        Assert.Equal(["image", "document"], bed.Simulator.Sent.For().Select(m => m.Type));
    }

    [Fact]
    public async Task ACustomersImage_IsStored_AndItsWebhookCarriesIdMimeTypeAndHash()
    {
        await using var bed = await StartAsync();

        var answer = await bed.Control.PostJsonAsync($"_simulator/whatsapp/{PhoneNumberId}/inbound",
            new { from = "16505551234", name = "Sheena Nelson", type = "image", caption = "Taj Mahal", mimeType = "image/jpeg", data = Convert.ToBase64String([1, 2, 3]) }, HttpStatusCode.OK);

        var image = (await bed.Receiver.WaitForAsync("/meta"))[0].Json["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!["image"]!.AsObject();
        var mediaId = answer["mediaId"]!.GetValue<string>();
        Assert.Equal(["caption", "mime_type", "sha256", "id"], image.Select(p => p.Key));
        Assert.Equal(mediaId, image["id"]!.GetValue<string>());
        var described = await bed.Meta.GetJsonAsync($"v23.0/{mediaId}");
        Assert.Equal(image["sha256"]!.GetValue<string>(), described["sha256"]!.GetValue<string>());
        Assert.Equal([1, 2, 3], await bed.Meta.GetByteArrayAsync(described["url"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Templates_AreListedPaged_Created_ApprovedByWebhook_AndDeleted()
    {
        await using var bed = await StartAsync();
        var templates = $"v23.0/{BusinessAccountId}/message_templates";

        var first = await bed.Meta.GetJsonAsync($"{templates}?limit=2");
        Assert.Equal(["hello_world", "order_update"], first["data"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        var next = await bed.Meta.GetJsonAsync(first["paging"]!["next"]!.GetValue<string>());
        Assert.Equal("MARKETING", Assert.Single(next["data"]!.AsArray())!["category"]!.GetValue<string>());

        var created = await bed.Meta.PostJsonAsync(templates, new
        {
            name = "delivery_window", language = "en_US", category = "UTILITY",
            components = new object[] { new { type = "BODY", text = "Your delivery arrives between {{1}} and {{2}}.", example = new { body_text = new[] { new[] { "9:00", "11:00" } } } } },
        }, HttpStatusCode.OK);
        Assert.Equal(["id", "status", "category"], created.Select(p => p.Key));
        Assert.Equal(("PENDING", "UTILITY"), (created["status"]!.GetValue<string>(), created["category"]!.GetValue<string>()));

        var update = Assert.Single(await bed.Receiver.WaitForAsync("/meta"));
        AssertMetaSignature(update);
        var change = update.Json["entry"]![0]!["changes"]![0]!;
        Assert.Equal("message_template_status_update", change["field"]!.GetValue<string>());
        Assert.Equal("APPROVED", change["value"]!["event"]!.GetValue<string>());
        Assert.Equal(created["id"]!.GetValue<string>(), change["value"]!["message_template_id"]!.GetValue<long>().ToString());
        Assert.Equal("APPROVED", (await bed.Meta.GetJsonAsync($"{templates}?name=delivery_window"))["data"]![0]!["status"]!.GetValue<string>());
        await bed.Meta.PostJsonAsync(Messages, Template("16505551234", "delivery_window", "9:00", "11:00"), HttpStatusCode.OK);

        await bed.Meta.PostJsonAsync(templates, new { name = "delivery_window", language = "en_US", category = "UTILITY", components = new[] { new { type = "BODY", text = "x" } } }, HttpStatusCode.BadRequest);
        Assert.True((await (await bed.Meta.DeleteAsync($"{templates}?name=delivery_window")).JsonAsync(HttpStatusCode.OK))["success"]!.GetValue<bool>());
        Assert.Empty((await bed.Meta.GetJsonAsync($"{templates}?name=delivery_window"))["data"]!.AsArray());
    }

    [Fact]
    public async Task AccountsRegisteredOverTheControlApi_WorkLikeInProcessOnes()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        using var control = simulator.CreateClient();
        await control.PutJsonAsync("_simulator/whatsapp/555000111", new
        {
            accessToken = "t", appSecret = AppSecret, businessAccountId = "777", displayPhoneNumber = "+1 555-000-0111", verifiedName = "Demo Co", webhookUrl = receiver.Url("/hook"),
        });
        using var meta = simulator.CreateClient();
        meta.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t");

        Assert.Equal("Demo Co", (await meta.GetJsonAsync("v21.0/555000111"))["verified_name"]!.GetValue<string>());
        await control.PostJsonAsync("_simulator/whatsapp/555000111/inbound", new { from = "16505551234", text = "hi" }, HttpStatusCode.OK);
        AssertMetaSignature(Assert.Single(await receiver.WaitForAsync("/hook")));
        await control.PutJsonAsync("_simulator/whatsapp/555000111", new { accessToken = "t" }, HttpStatusCode.BadRequest);
    }
}
