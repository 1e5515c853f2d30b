using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

/// <summary>Twilio's REST API 2010-04-01 for messaging: the account, sends (text, media, Content templates) with status
/// callbacks, and media of inbound messages. Every call needs HTTP basic auth (AccountSid:AuthToken).</summary>
public sealed class TwilioApi(
    ProviderAccounts accounts, SimulatorBehaviours behaviours, RateLimits rates, MediaStore media, ContentStore contents, CustomerActivity activity,
    SentMessages sent, StatusPlayer statuses, TimeProvider clock)
{
    private const int MaxBody = 1600;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/2010-04-01/Accounts/{file}", (string file, HttpRequest request, TwilioApi api) => api.ReadAccount(file, request));
        app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", (string accountSid, HttpRequest request, TwilioApi api) => api.SendAsync(accountSid, request));
        app.MapGet("/2010-04-01/Accounts/{accountSid}/Messages/{messageSid}/Media/{mediaSid}",
            (string accountSid, string messageSid, string mediaSid, HttpRequest request, TwilioApi api) => api.ReadMedia(accountSid, messageSid, mediaSid, request));
    }

    /// <summary>The media URL Twilio gives for an inbound message's attachment.</summary>
    public static string MediaUrl(string publicBase, string accountSid, string messageSid, string mediaSid) =>
        $"{publicBase}/2010-04-01/Accounts/{accountSid}/Messages/{messageSid}/Media/{mediaSid}";

    private IResult ReadAccount(string file, HttpRequest request)
    {
        var sid = file.EndsWith(".json", StringComparison.Ordinal) ? file[..^5] : file;
        if (!TryAuthenticate(sid, request, out var account, out var error))
            return error;
        return Wire.Json(new JsonObject
        {
            ["sid"] = account.AccountSid,
            ["friendly_name"] = account.FriendlyName,
            ["status"] = "active",
            ["type"] = "Full",
            ["owner_account_sid"] = account.AccountSid,
            ["uri"] = $"/2010-04-01/Accounts/{account.AccountSid}.json",
        });
    }

    private IResult ReadMedia(string accountSid, string messageSid, string mediaSid, HttpRequest request)
    {
        if (!TryAuthenticate(accountSid, request, out _, out var error))
            return error;
        return media.Find($"{messageSid}/{mediaSid}") is { } stored && stored.Owner == accountSid
            ? Results.Bytes(stored.Bytes, stored.MimeType)
            : TwilioWire.NotFound(request);
    }

    /// <summary><c>POST /Accounts/{sid}/Messages.json</c>: queued errors first, then Twilio's checks in its order, the
    /// opt-out list and the account's rate; an accepted message then plays its status callbacks.</summary>
    private async Task<IResult> SendAsync(string accountSid, HttpRequest request)
    {
        if (!TryAuthenticate(accountSid, request, out var account, out var error))
            return error;
        if (behaviours.TakeError(SimulatedProvider.Twilio, accountSid) is { } queued)
            return TwilioWire.Error(queued.Status, queued.Code, queued.Message);
        var form = request.HasFormContentType ? await request.ReadFormAsync() : FormCollection.Empty;
        string? Field(string name) => form[name] is [{ Length: > 0 } value] ? value : null;
        var to = Field("To");
        var from = Field("From");
        var service = Field("MessagingServiceSid");
        var body = Field("Body") ?? "";
        var mediaUrls = form["MediaUrl"].Where(u => !string.IsNullOrEmpty(u)).Select(u => u!).ToArray();
        var contentSid = Field("ContentSid");
        var callback = Field("StatusCallback");

        if (to is null)
            return TwilioWire.Error(400, 21604, "A 'To' phone number is required.");
        if (!Addresses.IsTwilioAddress(to))
            return TwilioWire.Error(400, 21211, $"Invalid 'To' Phone Number: {to}");
        if (from is null && service is null)
            return TwilioWire.Error(400, 21603, "A 'From' phone number is required.");
        if (service is not null && service != account.MessagingServiceSid)
            return TwilioWire.Error(400, 21701, $"The Messaging Service Sid {service} is invalid.");
        var sender = from ?? account.Numbers.FirstOrDefault(n => Addresses.IsWhatsApp(n) == Addresses.IsWhatsApp(to)) ?? "";
        if (from is not null && !Addresses.IsTwilioAddress(from))
            return TwilioWire.Error(400, 21212, $"The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID.");
        if (from is not null && account.Numbers.Count > 0 && !account.Numbers.Contains(from))
            return TwilioWire.Error(400, 21606, $"The From phone number {from} is not a valid, SMS-capable inbound phone number or short code for your account.");
        if (sender.Length > 0 && Addresses.IsWhatsApp(sender) != Addresses.IsWhatsApp(to))
            return TwilioWire.Error(400, 21910, "Invalid From and To pair. From and To should be of the same channel");
        if (body.Length == 0 && mediaUrls.Length == 0 && contentSid is null)
            return TwilioWire.Error(400, 21602);
        if (body.Length > MaxBody)
            return TwilioWire.Error(400, 21617);
        if (mediaUrls.FirstOrDefault(u => !Wire.IsWebUrl(u)) is { } badMedia)
            return TwilioWire.Error(400, 21620, $"Media urls: {badMedia} are invalid. Please use only valid http and https urls");
        var variables = Field("ContentVariables");
        if (variables is not null && contentSid is null)
            return TwilioWire.Error(400, 21654, "ContentSid Required");
        // A SID of another account is as unknown as a malformed one.
        var content = contentSid is null ? null : contents.Find(accountSid, contentSid);
        if (contentSid is not null && content is null)
            return TwilioWire.Error(400, 21655, "The ContentSid is Invalid.");
        var values = variables is null ? null : JsonObjectOf(variables);
        if (variables is not null && values is null)
            return TwilioWire.Error(400, 21656, "The Content Variables parameter is invalid.");
        if (callback is not null && !Wire.IsWebUrl(callback))
            return TwilioWire.Error(400, 21609, $"The StatusCallback URL {callback} is not a valid URL.");
        if (activity.IsOptedOut(accountSid, to))
            return TwilioWire.Error(400, 21610);
        var behaviour = behaviours.Get(SimulatedProvider.Twilio, accountSid);
        if (!rates.TryTake($"twilio/{accountSid}", behaviour.MessagesPerSecond, behaviour.MessagesPerSecond))
            return TwilioWire.Error(429, 20429);

        var now = clock.GetUtcNow();
        // A Content send's body is the template's text with the variables put in, as Twilio answers it.
        body = content?.Render(values) ?? body;
        var type = content is not null ? "content" : mediaUrls.Length > 0 ? "media" : "text";
        var message = new SentMessage(SimulatedProvider.Twilio, accountSid, Ids.Twilio("SM"), sender, to, type, body.Length > 0 ? body : null, FormJson(form).ToJsonString(), now);
        sent.Add(message);
        // Outside the window only a WhatsApp-approved Content template gets through; anything else counts as free-form.
        int? failure = behaviour.FailingRecipients.TryGetValue(Addresses.Digits(to), out var code) ? code
            : Addresses.IsWhatsApp(to) && content?.Approval.IsApproved != true && behaviour.EnforceWindow
              && !activity.InWindow(SimulatedProvider.Twilio, accountSid, to) ? 63016
            : null;
        statuses.PlayTwilio(account, message, callback, service, failure, behaviour);

        var uri = $"/2010-04-01/Accounts/{accountSid}/Messages/{message.Id}";
        return Wire.Json(new JsonObject
        {
            ["account_sid"] = accountSid,
            ["api_version"] = TwilioWire.ApiVersion,
            ["body"] = body,
            ["date_created"] = TwilioWire.Date(now),
            ["date_sent"] = null,
            ["date_updated"] = TwilioWire.Date(now),
            ["direction"] = "outbound-api",
            ["error_code"] = null,
            ["error_message"] = null,
            // With a messaging service Twilio picks the sender later, so the answer has none yet.
            ["from"] = from,
            ["messaging_service_sid"] = service,
            ["num_media"] = mediaUrls.Length.ToString(),
            ["num_segments"] = TwilioWire.Segments(body).ToString(),
            ["price"] = null,
            ["price_unit"] = null,
            ["sid"] = message.Id,
            ["status"] = service is null ? "queued" : "accepted",
            ["subresource_uris"] = new JsonObject { ["media"] = $"{uri}/Media.json" },
            ["to"] = to,
            ["uri"] = $"{uri}.json",
        }, StatusCodes.Status201Created);
    }

    private bool TryAuthenticate(string accountSid, HttpRequest request, [NotNullWhen(true)] out TwilioAccount? account, [NotNullWhen(false)] out IResult? error)
    {
        account = TwilioWire.Caller(accounts, request);
        error = account is null ? TwilioWire.Error(401, 20003)
            : account.AccountSid != accountSid ? TwilioWire.NotFound(request)
            : null;
        return error is null;
    }

    private static JsonObject? JsonObjectOf(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The form as JSON for the sent log: one value as a string, repeated ones (MediaUrl) as an array.</summary>
    private static JsonObject FormJson(IFormCollection form) => new(form.Select(field => KeyValuePair.Create(field.Key,
        field.Value.Count == 1 ? (JsonNode?)field.Value[0] : new JsonArray(field.Value.Select(v => (JsonNode?)v).ToArray()))));
}
