using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Simulator;

/// <summary>Meta's Graph API for WhatsApp Cloud: phone numbers, sends, media, templates. Every call needs the bearer token
/// of the phone number (or of a number in the business account) it touches.</summary>
public sealed partial class MetaGraph(
    ProviderAccounts accounts, SimulatorBehaviours behaviours, RateLimits rates, MediaStore media, TemplateStore templates,
    CustomerActivity activity, SentMessages sent, StatusPlayer statuses, WebhookDispatcher webhooks, BackgroundWork work, TimeProvider clock)
{
    /// <summary>Meta's pair rate limit refills one message per 6 seconds.</summary>
    private const double PairRefillPerSecond = 1 / 6.0;

    private const string Version = "/{version:regex(^v[0-9]+\\.[0-9]+$)}";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Version + "/{id}", (string id, HttpRequest request, MetaGraph graph) => graph.Read(id, request));
        app.MapPost(Version + "/{phoneNumberId}/messages", (string phoneNumberId, HttpRequest request, MetaGraph graph) => graph.SendAsync(phoneNumberId, request));
        app.MapPost(Version + "/{phoneNumberId}/media", (string phoneNumberId, HttpRequest request, MetaGraph graph) => graph.UploadAsync(phoneNumberId, request));
        app.MapGet("/whatsapp_business/attachments/", (string mid, HttpRequest request, MetaGraph graph) => graph.Download(mid, request));
        app.MapGet(Version + "/{businessAccountId}/message_templates", (string businessAccountId, HttpRequest request, MetaGraph graph) => graph.ListTemplates(businessAccountId, request));
        app.MapPost(Version + "/{businessAccountId}/message_templates", (string businessAccountId, HttpRequest request, MetaGraph graph) => graph.CreateTemplateAsync(businessAccountId, request));
        app.MapDelete(Version + "/{businessAccountId}/message_templates", (string businessAccountId, HttpRequest request, MetaGraph graph) => graph.DeleteTemplate(businessAccountId, request));
    }

    /// <summary><c>GET /{id}</c>: a phone number, or a media object's short-lived download URL.</summary>
    private IResult Read(string id, HttpRequest request)
    {
        if (accounts.PhoneNumbers.ContainsKey(id))
        {
            if (!TryAuthenticate(id, request, out var number, out var error))
                return error;
            return Wire.Json(new JsonObject
            {
                ["verified_name"] = number.VerifiedName,
                ["code_verification_status"] = "VERIFIED",
                ["display_phone_number"] = number.DisplayPhoneNumber,
                ["quality_rating"] = "GREEN",
                ["platform_type"] = "CLOUD_API",
                ["throughput"] = new JsonObject { ["level"] = "STANDARD" },
                ["id"] = number.PhoneNumberId,
            });
        }
        var stored = media.Find(id);
        if (stored is null || (request.Query["phone_number_id"] is [{ } scope] && scope != stored.Owner))
            return MetaWire.UnknownObject(id);
        if (!TryAuthenticate(stored.Owner, request, out _, out var denied))
            return denied;
        var url = $"{Wire.PublicBase(request, 2)}/whatsapp_business/attachments/?mid={stored.Id}&ext={clock.GetUtcNow().ToUnixTimeSeconds()}";
        return Wire.Json(new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["url"] = url,
            ["mime_type"] = stored.MimeType,
            ["sha256"] = stored.Sha256,
            // The Cloud API spec gives the size as a string.
            ["file_size"] = stored.Bytes.Length.ToString(),
            ["id"] = stored.Id,
        });
    }

    /// <summary>The media URL: the bytes, for the owning number's bearer token only.</summary>
    private IResult Download(string mid, HttpRequest request)
    {
        if (media.Find(mid) is not { } stored || !accounts.PhoneNumbers.ContainsKey(stored.Owner))
            return Results.NotFound();
        return TryAuthenticate(stored.Owner, request, out _, out var error) ? Results.Bytes(stored.Bytes, stored.MimeType) : error;
    }

    /// <summary><c>POST /{phone-number-id}/messages</c>: a read receipt, or a send: queued errors first, then validation, throughput and the pair
    /// rate limit; an accepted message then plays its statuses (or fails asynchronously, as Meta does for undeliverable
    /// recipients and free-form messages outside the customer-service window).</summary>
    private async Task<IResult> SendAsync(string phoneNumberId, HttpRequest request)
    {
        if (!TryAuthenticate(phoneNumberId, request, out var number, out var error))
            return error;
        if (behaviours.TakeError(SimulatedProvider.WhatsApp, phoneNumberId) is { } queued)
            return MetaWire.Error(queued.Status, queued.Code, queued.Message ?? MetaWire.Describe(queued.Code).Message, MetaWire.Describe(queued.Code).Details);
        var body = await Wire.ReadObjectAsync(request);
        if (body is null)
            return MetaWire.Error(400, 100, "(#100) Invalid parameter", "The request body must be a JSON object.");
        // The same route marks a customer's message read (and may show a typing indicator); nothing is sent.
        if (Wire.Text(body["status"]) == "read")
            return Wire.Text(body["messaging_product"]) == "whatsapp" && Wire.Text(body["message_id"]) is { Length: > 0 }
                ? Wire.Json(new JsonObject { ["success"] = true })
                : Invalid("A read receipt needs messaging_product and message_id.");
        MetaSend send;
        try
        {
            send = MetaSendValidation.Validate(body, phoneNumberId, media, templates.For(number.BusinessAccountId));
        }
        catch (MetaRejection rejection)
        {
            return rejection.ToResult();
        }
        var behaviour = behaviours.Get(SimulatedProvider.WhatsApp, phoneNumberId);
        if (!rates.TryTake($"whatsapp/{phoneNumberId}", behaviour.MessagesPerSecond, behaviour.MessagesPerSecond))
            return MetaWire.Error(400, 130429);
        if (!rates.TryTake($"whatsapp/{phoneNumberId}/{send.To}", behaviour.PairBurst, PairRefillPerSecond))
            return MetaWire.Error(400, 131056);

        var message = new SentMessage(SimulatedProvider.WhatsApp, phoneNumberId, Ids.Wamid(send.To, inbound: false), number.DisplayDigits, send.To,
            send.Type, send.Text, body.ToJsonString(), clock.GetUtcNow());
        sent.Add(message);
        int? failure = behaviour.FailingRecipients.TryGetValue(send.To, out var code) ? code
            : send.Template is null && behaviour.EnforceWindow && !activity.InWindow(SimulatedProvider.WhatsApp, phoneNumberId, send.To) ? 131047
            : null;
        statuses.PlayWhatsApp(number, message, send.Template?.Category.ToLowerInvariant() ?? "service", failure, behaviour);

        var accepted = new JsonObject { ["id"] = message.Id };
        if (send.Template is not null)
            accepted["message_status"] = "accepted";
        return Wire.Json(new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["contacts"] = new JsonArray(new JsonObject { ["input"] = send.Input, ["wa_id"] = send.To }),
            ["messages"] = new JsonArray(accepted),
        });
    }

    /// <summary><c>POST /{phone-number-id}/media</c>, multipart: <c>file</c>, <c>type</c>, <c>messaging_product</c>.</summary>
    private async Task<IResult> UploadAsync(string phoneNumberId, HttpRequest request)
    {
        if (!TryAuthenticate(phoneNumberId, request, out _, out var error))
            return error;
        if (!request.HasFormContentType)
            return Invalid("The request must be multipart/form-data.");
        var form = await request.ReadFormAsync();
        if (form["messaging_product"] != "whatsapp")
            return Invalid("The parameter messaging_product is required.");
        if (form.Files["file"] is not { } file)
            return Invalid("The parameter file is required.");
        var type = form["type"] is [{ Length: > 0 } given] ? given : file.ContentType;
        if (string.IsNullOrEmpty(type))
            return Invalid("The parameter type is required.");
        using var bytes = new MemoryStream();
        await file.CopyToAsync(bytes);
        return Wire.Json(new JsonObject { ["id"] = media.Add(Ids.Graph(), phoneNumberId, type, bytes.ToArray()).Id });
    }

    /// <summary><c>GET /{waba-id}/message_templates</c>, optionally by <c>name</c>, paged with <c>limit</c> and <c>after</c>.</summary>
    private IResult ListTemplates(string businessAccountId, HttpRequest request)
    {
        if (!TryAuthenticateBusiness(businessAccountId, request, out _, out var error))
            return error;
        var all = templates.For(businessAccountId).Where(t => request.Query["name"] is not [{ } name] || t.Name == name).ToArray();
        var limit = int.TryParse(request.Query["limit"], out var l) && l > 0 ? l : 25;
        var start = request.Query["after"] is [{ } after] && Cursor(after) is { } index ? index + 1 : 0;
        var page = all.Skip(start).Take(limit).ToArray();
        var result = new JsonObject { ["data"] = new JsonArray(page.Select(t => (JsonNode)t.ToJson()).ToArray()) };
        if (page.Length > 0)
        {
            var paging = new JsonObject { ["cursors"] = new JsonObject { ["before"] = Cursor(start), ["after"] = Cursor(start + page.Length - 1) } };
            if (start + page.Length < all.Length)
            {
                var query = QueryString.Create(request.Query.Where(q => q.Key != "after").Append(new("after", Cursor(start + page.Length - 1))));
                paging["next"] = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{query}";
            }
            result["paging"] = paging;
        }
        return Wire.Json(result);
    }

    /// <summary><c>POST /{waba-id}/message_templates</c>: stored PENDING, approved after the review delay with a
    /// <c>message_template_status_update</c> webhook.</summary>
    private async Task<IResult> CreateTemplateAsync(string businessAccountId, HttpRequest request)
    {
        if (!TryAuthenticateBusiness(businessAccountId, request, out var number, out var error))
            return error;
        var body = await Wire.ReadObjectAsync(request);
        var name = Wire.Text(body?["name"]);
        var language = Wire.Text(body?["language"]);
        var category = Wire.Text(body?["category"]);
        if (name is null || !TemplateName().IsMatch(name))
            return Invalid("Param name must be lowercase letters, digits and underscores, at most 512 characters.");
        if (string.IsNullOrEmpty(language))
            return Invalid("The parameter language is required.");
        if (category is not ("MARKETING" or "UTILITY" or "AUTHENTICATION"))
            return Invalid("Param category must be one of {AUTHENTICATION, MARKETING, UTILITY}.");
        if (body?["components"] is not JsonArray { Count: > 0 } components)
            return Invalid("The parameter components is required.");
        var template = templates.Create(businessAccountId, name, language, category, components);
        if (template is null)
            return MetaWire.Error(400, 100, "Invalid parameter", $"Message template already exists: there is already {language} content for {name}.");

        var behaviour = behaviours.Get(SimulatedProvider.WhatsApp, number.PhoneNumberId);
        work.After(behaviour.TemplateReviewDelay, () =>
        {
            if (templates.SetStatus(businessAccountId, template.Id, "APPROVED") is null)
                return;
            var value = new JsonObject
            {
                ["event"] = "APPROVED",
                ["message_template_id"] = long.Parse(template.Id),
                ["message_template_name"] = template.Name,
                ["message_template_language"] = template.Language,
                ["reason"] = "NONE",
            };
            var payload = MetaWire.Envelope(number, "message_template_status_update", value, clock.GetUtcNow().ToUnixTimeSeconds());
            if (MetaWire.Delivery(number, payload, behaviour) is { } delivery)
                webhooks.Post(delivery);
        });
        return Wire.Json(new JsonObject { ["id"] = template.Id, ["status"] = template.Status, ["category"] = template.Category });
    }

    /// <summary><c>DELETE /{waba-id}/message_templates?name=</c> (all languages, or the one <c>hsm_id</c>).</summary>
    private IResult DeleteTemplate(string businessAccountId, HttpRequest request)
    {
        if (!TryAuthenticateBusiness(businessAccountId, request, out _, out var error))
            return error;
        if (request.Query["name"] is not [{ Length: > 0 } name])
            return Invalid("The parameter name is required.");
        var id = request.Query["hsm_id"] is [{ } hsm] ? hsm : null;
        return templates.Delete(businessAccountId, name, id) > 0
            ? Wire.Json(new JsonObject { ["success"] = true })
            : MetaWire.Error(400, 100, "Invalid parameter", $"Message template {name} was not found.");
    }

    private bool TryAuthenticate(string phoneNumberId, HttpRequest request, [NotNullWhen(true)] out MetaPhoneNumber? number, [NotNullWhen(false)] out IResult? error)
    {
        error = !accounts.PhoneNumbers.TryGetValue(phoneNumberId, out number) ? MetaWire.UnknownObject(phoneNumberId)
            : Bearer(request) != number.AccessToken ? MetaWire.InvalidToken()
            : null;
        return error is null;
    }

    /// <summary>A business account is reached with the token of any of its phone numbers; that number receives its webhooks.</summary>
    private bool TryAuthenticateBusiness(string businessAccountId, HttpRequest request, [NotNullWhen(true)] out MetaPhoneNumber? number, [NotNullWhen(false)] out IResult? error)
    {
        var numbers = accounts.InBusinessAccount(businessAccountId).ToArray();
        number = numbers.FirstOrDefault(n => n.AccessToken == Bearer(request));
        error = numbers.Length == 0 ? MetaWire.UnknownObject(businessAccountId) : number is null ? MetaWire.InvalidToken() : null;
        return error is null;
    }

    private static string? Bearer(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Bearer" ? header.Parameter : null;

    private static IResult Invalid(string details) => MetaWire.Error(400, 100, $"(#100) {details}", details);

    private static string Cursor(int index) => Convert.ToBase64String(Encoding.UTF8.GetBytes(index.ToString()));

    private static int? Cursor(string cursor)
    {
        try
        {
            return int.TryParse(Encoding.UTF8.GetString(Convert.FromBase64String(cursor)), out var index) ? index : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[a-z0-9_]{1,512}$")]
    private static partial Regex TemplateName();
}
