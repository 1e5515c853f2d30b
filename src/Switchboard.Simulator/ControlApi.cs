using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

public sealed record WhatsAppAccountRequest(
    string? AccessToken, string? AppSecret, string? BusinessAccountId, string? DisplayPhoneNumber, string? VerifiedName, string? WebhookUrl);

public sealed record TwilioAccountRequest(
    string? AuthToken, string? FriendlyName, string? InboundWebhookUrl, IReadOnlyList<string>? Numbers, string? MessagingServiceSid);

/// <summary>The behaviour knobs over the control API: PUT replaces them all, so what is left out takes its default.</summary>
public sealed record BehaviourRequest(
    int? StatusDelayMs, bool? DuplicateStatuses, bool? OutOfOrder, IReadOnlyDictionary<string, int>? FailingRecipients, IReadOnlyList<SyncError>? Errors,
    bool? EnforceWindow, int? MessagesPerSecond, int? PairBurst, int? WebhookRetryDelayMs, int? TemplateReviewDelayMs)
{
    public Behaviour ToBehaviour()
    {
        var defaults = Behaviour.Default;
        return new Behaviour
        {
            StatusDelay = StatusDelayMs is { } delay ? TimeSpan.FromMilliseconds(delay) : defaults.StatusDelay,
            DuplicateStatuses = DuplicateStatuses ?? defaults.DuplicateStatuses,
            OutOfOrder = OutOfOrder ?? defaults.OutOfOrder,
            FailingRecipients = FailingRecipients?.ToDictionary(r => Addresses.Digits(r.Key), r => r.Value) ?? defaults.FailingRecipients,
            Errors = Errors ?? defaults.Errors,
            EnforceWindow = EnforceWindow ?? defaults.EnforceWindow,
            MessagesPerSecond = MessagesPerSecond ?? defaults.MessagesPerSecond,
            PairBurst = PairBurst ?? defaults.PairBurst,
            WebhookRetryDelay = WebhookRetryDelayMs is { } retry ? TimeSpan.FromMilliseconds(retry) : defaults.WebhookRetryDelay,
            TemplateReviewDelay = TemplateReviewDelayMs is { } review ? TimeSpan.FromMilliseconds(review) : defaults.TemplateReviewDelay,
        };
    }

    public static BehaviourRequest From(Behaviour behaviour) => new(
        (int)behaviour.StatusDelay.TotalMilliseconds, behaviour.DuplicateStatuses, behaviour.OutOfOrder, behaviour.FailingRecipients, behaviour.Errors,
        behaviour.EnforceWindow, behaviour.MessagesPerSecond, behaviour.PairBurst, (int)behaviour.WebhookRetryDelay.TotalMilliseconds,
        (int)behaviour.TemplateReviewDelay.TotalMilliseconds);
}

/// <summary>A WhatsApp customer's message: <c>type</c> text (default), image, document, audio, video, sticker, location,
/// interactive (a button reply), button (a template quick reply), reaction or unsupported, with that type's fields.
/// Media bytes are base64 in <c>data</c> (a placeholder file when left out).</summary>
public sealed record WhatsAppInboundRequest(
    string? From, string? Name, string? Type, string? Text, string? Caption, string? Filename, string? MimeType, string? Data,
    double? Latitude, double? Longitude, string? Address, string? LocationName, string? ReplyId, string? ReplyTitle, string? Emoji, string? MessageId);

public sealed record TwilioInboundMedia(string? ContentType, string? Data);

/// <summary>A Content template for a Twilio account: its text (<c>twilio/text</c>) with <c>{{n}}</c> placeholders and
/// their default values, and its WhatsApp approval (<c>status</c> approved by default, or received, pending, rejected, paused,
/// disabled, unsubmitted).</summary>
public sealed record TwilioContentRequest(
    string? FriendlyName, string? Language, string? Body, IReadOnlyDictionary<string, string>? Variables, string? Category, string? Status,
    string? RejectionReason);

public sealed record TwilioInboundRequest(string? From, string? To, string? Body, IReadOnlyList<TwilioInboundMedia>? Media, string? OptOut, string? ProfileName);

/// <summary>The simulator's own API under <c>/_simulator</c> (README.md): accounts, behaviour, customers writing in,
/// redelivery, the sent log and the simulated customers.</summary>
public sealed class ControlApi(
    ProviderAccounts accounts, SimulatorBehaviours behaviours, MediaStore media, ContentStore contents, SentMessages sent, CustomerMessages customers,
    WebhookDispatcher webhooks, SimulatedCustomers simulatedCustomers)
{
    private static readonly string[] ApprovalStatuses = ["received", "pending", "approved", "rejected", "paused", "disabled", "unsubmitted"];
    private static readonly string[] Categories = ["MARKETING", "UTILITY", "AUTHENTICATION"];

    private static readonly Dictionary<string, string> DefaultMimeTypes = new()
    {
        ["image"] = "image/png", ["document"] = "application/pdf", ["audio"] = "audio/ogg", ["video"] = "video/mp4", ["sticker"] = "image/webp",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/_simulator");
        control.MapPut("/whatsapp/{phoneNumberId}", (string phoneNumberId, HttpRequest request, ControlApi api) => api.PutWhatsAppAsync(phoneNumberId, request));
        control.MapPut("/twilio/{accountSid}", (string accountSid, HttpRequest request, ControlApi api) => api.PutTwilioAsync(accountSid, request));
        control.MapPut("/whatsapp/{phoneNumberId}/behaviour", (string phoneNumberId, HttpRequest request, ControlApi api) => api.PutBehaviourAsync(SimulatedProvider.WhatsApp, phoneNumberId, request));
        control.MapPut("/twilio/{accountSid}/behaviour", (string accountSid, HttpRequest request, ControlApi api) => api.PutBehaviourAsync(SimulatedProvider.Twilio, accountSid, request));
        control.MapPost("/whatsapp/{phoneNumberId}/inbound", (string phoneNumberId, HttpRequest request, ControlApi api) => api.WhatsAppInboundAsync(phoneNumberId, request));
        control.MapPost("/twilio/{accountSid}/contents", (string accountSid, HttpRequest request, ControlApi api) => api.AddContentAsync(accountSid, request));
        control.MapPost("/twilio/{accountSid}/inbound", (string accountSid, HttpRequest request, ControlApi api) => api.TwilioInboundAsync(accountSid, request));
        control.MapPost("/whatsapp/{phoneNumberId}/redeliver-last", (string phoneNumberId, ControlApi api) => api.RedeliverLast(SimulatedProvider.WhatsApp, phoneNumberId));
        control.MapPost("/twilio/{accountSid}/redeliver-last", (string accountSid, ControlApi api) => api.RedeliverLast(SimulatedProvider.Twilio, accountSid));
        control.MapGet("/sent", (string? phoneNumberId, string? accountSid, ControlApi api) => api.Sent(phoneNumberId, accountSid));
        control.MapGet("/customers", (ControlApi api) => api.Customers());
        control.MapPut("/customers", (HttpRequest request, ControlApi api) => api.PutCustomersAsync(request));
    }

    private async Task<IResult> PutWhatsAppAsync(string phoneNumberId, HttpRequest request)
    {
        if (await Wire.ReadAsync<WhatsAppAccountRequest>(request) is not { } body)
            return Problem("The body must be a JSON object.");
        if (string.IsNullOrEmpty(body.AccessToken) || string.IsNullOrEmpty(body.DisplayPhoneNumber))
            return Problem("accessToken and displayPhoneNumber are required.");
        if (body.WebhookUrl is not null && !Wire.IsWebUrl(body.WebhookUrl))
            return Problem("webhookUrl must be an absolute http(s) URL.");
        var number = new MetaPhoneNumber(phoneNumberId, body.AccessToken, body.DisplayPhoneNumber, body.VerifiedName ?? "Simulated Business")
        {
            AppSecret = body.AppSecret ?? "",
            BusinessAccountId = body.BusinessAccountId ?? "",
            WebhookUrl = body.WebhookUrl,
        };
        accounts.Add(number);
        return Wire.Json(Wire.ToNode(new WhatsAppAccountRequest(number.AccessToken, number.AppSecret, number.BusinessAccountId,
            number.DisplayPhoneNumber, number.VerifiedName, number.WebhookUrl))!);
    }

    private async Task<IResult> PutTwilioAsync(string accountSid, HttpRequest request)
    {
        if (await Wire.ReadAsync<TwilioAccountRequest>(request) is not { } body)
            return Problem("The body must be a JSON object.");
        if (string.IsNullOrEmpty(body.AuthToken))
            return Problem("authToken is required.");
        if (body.InboundWebhookUrl is not null && !Wire.IsWebUrl(body.InboundWebhookUrl))
            return Problem("inboundWebhookUrl must be an absolute http(s) URL.");
        if (body.Numbers?.FirstOrDefault(n => !Addresses.IsTwilioAddress(n)) is { } bad)
            return Problem($"numbers must be E.164, optionally prefixed with whatsapp: - got \"{bad}\".");
        var account = new TwilioAccount(accountSid, body.AuthToken, body.FriendlyName ?? accountSid)
        {
            InboundWebhookUrl = body.InboundWebhookUrl,
            Numbers = body.Numbers ?? [],
            MessagingServiceSid = body.MessagingServiceSid,
        };
        accounts.Add(account);
        return Wire.Json(Wire.ToNode(new TwilioAccountRequest(account.AuthToken, account.FriendlyName, account.InboundWebhookUrl, account.Numbers,
            account.MessagingServiceSid))!);
    }

    private async Task<IResult> PutBehaviourAsync(SimulatedProvider provider, string account, HttpRequest request)
    {
        if (await Wire.ReadAsync<BehaviourRequest>(request) is not { } body)
            return Problem("The body must be a JSON object.");
        var behaviour = body.ToBehaviour();
        behaviours.Set(provider, account, behaviour);
        return Wire.Json(Wire.ToNode(BehaviourRequest.From(behaviour))!);
    }

    private async Task<IResult> WhatsAppInboundAsync(string phoneNumberId, HttpRequest request)
    {
        if (!accounts.PhoneNumbers.TryGetValue(phoneNumberId, out var number))
            return Problem($"Unknown phone number {phoneNumberId}.", StatusCodes.Status404NotFound);
        if (await Wire.ReadAsync<WhatsAppInboundRequest>(request) is not { } body)
            return Problem("The body must be a JSON object.");
        var from = Addresses.Digits(body.From ?? "");
        if (from.Length is < 7 or > 15)
            return Problem("from must be the customer's number (7 to 15 digits).");
        try
        {
            var type = body.Type ?? "text";
            var stored = DefaultMimeTypes.TryGetValue(type, out var defaultMimeType)
                ? media.Add(Ids.Graph(), phoneNumberId, body.MimeType ?? defaultMimeType, Decode(body.Data, body.MimeType ?? defaultMimeType))
                : null;
            var wamid = customers.WhatsApp(number, from, body.Name ?? from, type, Content(type, body, stored));
            return Wire.Json(new JsonObject { ["id"] = wamid, ["mediaId"] = stored?.Id });
        }
        catch (ControlProblem problem)
        {
            return Problem(problem.Message);
        }
    }

    private async Task<IResult> TwilioInboundAsync(string accountSid, HttpRequest request)
    {
        if (!accounts.TwilioAccounts.TryGetValue(accountSid, out var account))
            return Problem($"Unknown account {accountSid}.", StatusCodes.Status404NotFound);
        if (await Wire.ReadAsync<TwilioInboundRequest>(request) is not { } body)
            return Problem("The body must be a JSON object.");
        if (body.From is null || !Addresses.IsTwilioAddress(body.From))
            return Problem("from must be E.164, optionally prefixed with whatsapp:.");
        var to = body.To ?? account.Numbers.FirstOrDefault(n => Addresses.IsWhatsApp(n) == Addresses.IsWhatsApp(body.From));
        if (to is null)
            return Problem("to is required when the account has no number on the sender's channel.");
        var attachments = body.Media ?? [];
        var messageSid = Ids.Twilio(attachments.Count > 0 ? "MM" : "SM");
        // Media URLs point back at this simulator, however it was reached (port, host, mount prefix).
        var publicBase = Wire.PublicBase(request, 4);
        var stored = new List<(string Url, string ContentType)>();
        try
        {
            foreach (var attachment in attachments)
            {
                var contentType = attachment.ContentType ?? "image/png";
                var mediaSid = Ids.Twilio("ME");
                media.Add($"{messageSid}/{mediaSid}", accountSid, contentType, Decode(attachment.Data, contentType));
                stored.Add((TwilioApi.MediaUrl(publicBase, accountSid, messageSid, mediaSid), contentType));
            }
        }
        catch (ControlProblem problem)
        {
            return Problem(problem.Message);
        }
        customers.Twilio(account, messageSid, body.From, to, body.Body ?? "", stored, body.OptOut, body.ProfileName);
        return Wire.Json(new JsonObject { ["sid"] = messageSid, ["mediaUrls"] = new JsonArray(stored.Select(m => (JsonNode?)m.Url).ToArray()) });
    }

    private async Task<IResult> AddContentAsync(string accountSid, HttpRequest request)
    {
        if (!accounts.TwilioAccounts.ContainsKey(accountSid))
            return Problem($"Unknown account {accountSid}.", StatusCodes.Status404NotFound);
        if (await Wire.ReadAsync<TwilioContentRequest>(request) is not { } body)
            return Problem("The body must be a JSON object.");
        if (string.IsNullOrEmpty(body.FriendlyName) || string.IsNullOrEmpty(body.Language) || string.IsNullOrEmpty(body.Body))
            return Problem("friendlyName, language and body are required.");
        var status = body.Status ?? "approved";
        var category = body.Category ?? "UTILITY";
        if (!ApprovalStatuses.Contains(status))
            return Problem($"status must be one of {string.Join(", ", ApprovalStatuses)}.");
        if (!Categories.Contains(category))
            return Problem($"category must be one of {string.Join(", ", Categories)}.");
        var approval = status == "unsubmitted" ? WhatsAppApproval.Unsubmitted : new WhatsAppApproval(body.FriendlyName, category, status, body.RejectionReason ?? "");
        var variables = new JsonObject((body.Variables ?? new Dictionary<string, string>()).Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value)));
        var content = contents.Add(accountSid, body.FriendlyName, body.Language, body.Body, variables, approval);
        return Wire.Json(content.ToJson(Wire.PublicBase(request, 4)), StatusCodes.Status201Created);
    }

    private IResult RedeliverLast(SimulatedProvider provider, string account) =>
        webhooks.RedeliverLast(provider, account) is { } delivery
            ? Wire.Json(new JsonObject { ["url"] = delivery.Url })
            : Problem("Nothing has been delivered for this account yet.", StatusCodes.Status404NotFound);

    private IResult Sent(string? phoneNumberId, string? accountSid)
    {
        var messages = phoneNumberId is not null ? sent.For(SimulatedProvider.WhatsApp, phoneNumberId)
            : accountSid is not null ? sent.For(SimulatedProvider.Twilio, accountSid)
            : sent.For();
        return Wire.Json(new JsonObject
        {
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode?)new JsonObject
            {
                ["provider"] = m.Provider == SimulatedProvider.WhatsApp ? "whatsapp" : "twilio",
                ["account"] = m.Account,
                ["id"] = m.Id,
                ["from"] = m.From,
                ["to"] = m.To,
                ["type"] = m.Type,
                ["text"] = m.Text,
                ["request"] = m.Request,
                ["at"] = m.At.ToString("O"),
            }).ToArray()),
        });
    }

    private IResult Customers()
    {
        var casts = new JsonObject();
        foreach (var account in accounts.PhoneNumbers.Keys.Concat(accounts.TwilioAccounts.Keys).Distinct())
            casts[account] = Wire.ToNode(SimulatedCustomers.Cast(account));
        var settings = Wire.ToNode(simulatedCustomers.Settings)!.AsObject();
        settings["casts"] = casts;
        return Wire.Json(settings);
    }

    private async Task<IResult> PutCustomersAsync(HttpRequest request)
    {
        if (await Wire.ReadAsync<CustomerSettings>(request) is not { } body)
            return Problem("The body must be a JSON object.");
        if (body.IntervalSeconds <= 0 || body.ReplyDelaySeconds < 0)
            return Problem("intervalSeconds must be positive and replyDelaySeconds not negative.");
        simulatedCustomers.Configure(body);
        return Customers();
    }

    /// <summary>The message object of a customer's WhatsApp message of this type, as in the Cloud API's webhook examples.</summary>
    private static JsonObject? Content(string type, WhatsAppInboundRequest body, StoredMedia? stored) => type switch
    {
        "text" => new() { ["body"] = body.Text ?? throw new ControlProblem("text needs text.") },
        "image" or "video" or "sticker" => Media(stored!, body.Caption),
        "document" => Media(stored!, body.Caption, body.Filename ?? "document.pdf"),
        "audio" => Media(stored!, voice: false),
        "location" => new()
        {
            ["address"] = body.Address,
            ["latitude"] = body.Latitude ?? throw new ControlProblem("location needs latitude and longitude."),
            ["longitude"] = body.Longitude ?? throw new ControlProblem("location needs latitude and longitude."),
            ["name"] = body.LocationName,
        },
        "interactive" => new()
        {
            ["type"] = "button_reply",
            ["button_reply"] = new JsonObject
            {
                ["id"] = body.ReplyId ?? throw new ControlProblem("interactive needs replyId and replyTitle."),
                ["title"] = body.ReplyTitle ?? throw new ControlProblem("interactive needs replyId and replyTitle."),
            },
        },
        "button" => new() { ["payload"] = body.ReplyId ?? body.Text, ["text"] = body.Text ?? throw new ControlProblem("button needs text.") },
        "reaction" => new()
        {
            ["message_id"] = body.MessageId ?? throw new ControlProblem("reaction needs messageId."),
            ["emoji"] = body.Emoji ?? throw new ControlProblem("reaction needs emoji."),
        },
        "unsupported" => null,
        _ => throw new ControlProblem($"type must be one of text, image, document, audio, video, sticker, location, interactive, button, reaction, unsupported - got \"{type}\"."),
    };

    /// <summary>A media message's object: <c>{caption?, filename?, mime_type, sha256, id, voice?}</c>.</summary>
    private static JsonObject Media(StoredMedia stored, string? caption = null, string? filename = null, bool? voice = null)
    {
        var content = new JsonObject();
        if (caption is not null)
            content["caption"] = caption;
        if (filename is not null)
            content["filename"] = filename;
        content["mime_type"] = stored.MimeType;
        content["sha256"] = stored.Sha256;
        content["id"] = stored.Id;
        if (voice is not null)
            content["voice"] = voice;
        return content;
    }

    private static byte[] Decode(string? data, string mimeType)
    {
        try
        {
            return data is null ? MediaStore.Placeholder(mimeType) : Convert.FromBase64String(data);
        }
        catch (FormatException)
        {
            throw new ControlProblem("data must be base64.");
        }
    }

    private static IResult Problem(string error, int status = StatusCodes.Status400BadRequest) => Wire.Json(new JsonObject { ["error"] = error }, status);

    private sealed class ControlProblem(string message) : Exception(message);
}
