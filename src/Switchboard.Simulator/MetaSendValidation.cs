using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Simulator;

/// <summary>A send Meta refused: HTTP status, error code, message and details.</summary>
public sealed class MetaRejection(int status, int code, string message, string? details) : Exception(message)
{
    public int Status { get; } = status;
    public int Code { get; } = code;
    public string? Details { get; } = details;

    public IResult ToResult() => MetaWire.Error(Status, Code, Message, Details);
}

/// <summary>An accepted send: the recipient as given and as digits, the type, its readable text (body, caption, rendered
/// template, emoji), and the template used.</summary>
public sealed record MetaSend(string Input, string To, string Type, string? Text, MessageTemplate? Template);

/// <summary>Checks a <c>POST /{phone-number-id}/messages</c> body as the Cloud API does: the envelope, then the object
/// of the message's type, with Meta's limits (text 4096, caption 1024, interactive body 1024, footer 60, up to 3 reply
/// buttons with titles up to 20) and template existence and parameter counts.</summary>
public static partial class MetaSendValidation
{
    private static readonly string[] MediaTypes = ["image", "document", "audio", "video", "sticker"];

    public static MetaSend Validate(JsonObject body, string phoneNumberId, MediaStore media, IReadOnlyList<MessageTemplate> templates)
    {
        if (body["messaging_product"] is null)
            throw Invalid("The parameter messaging_product is required.");
        if (Wire.Text(body["messaging_product"]) != "whatsapp")
            throw Invalid($"Param messaging_product must be one of {{WHATSAPP}} - got \"{body["messaging_product"]}\".");
        var input = Wire.Text(body["to"]) ?? throw Invalid("The parameter to is required.");
        if (!PhoneNumber().IsMatch(input))
            throw Invalid($"Param to must be a valid phone number or WhatsApp id - got \"{input}\".");
        var to = Addresses.Digits(input);
        var type = Wire.Text(body["type"]) ?? "text";
        var content = type switch
        {
            "text" or "template" or "interactive" or "reaction" or "location" or "contacts" => Object(body, type),
            _ when MediaTypes.Contains(type) => Object(body, type),
            _ => throw Invalid($"Param type must be one of {{AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}} - got \"{type}\"."),
        };
        return type switch
        {
            "text" => new MetaSend(input, to, type, MaxLength("text['body']", Required(content, "body", "text['body']"), 4096), null),
            "template" => Template(input, to, content, templates),
            "interactive" => new MetaSend(input, to, type, Interactive(content), null),
            "reaction" => new MetaSend(input, to, type, Reaction(content), null),
            "location" => new MetaSend(input, to, type, Location(content), null),
            "contacts" => new MetaSend(input, to, type, content["contacts"] is JsonArray ? null : throw Invalid("The parameter contacts is required."), null),
            _ => new MetaSend(input, to, type, Media(type, content, phoneNumberId, media), null),
        };
    }

    private static string? Media(string type, JsonObject content, string phoneNumberId, MediaStore media)
    {
        var id = Wire.Text(content["id"]);
        var link = Wire.Text(content["link"]);
        if ((id is null) == (link is null))
            throw Invalid($"Param {type} must have exactly one of id or link.");
        if (id is not null && media.Find(id)?.Owner != phoneNumberId)
            throw Invalid($"Param {type}['id'] is not a valid media id - got \"{id}\".");
        if (link is not null && !Wire.IsWebUrl(link))
            throw Invalid($"Param {type}['link'] must be a valid URL - got \"{link}\".");
        var caption = Wire.Text(content["caption"]);
        return caption is null ? null : MaxLength($"{type}['caption']", caption, 1024);
    }

    private static MetaSend Template(string input, string to, JsonObject content, IReadOnlyList<MessageTemplate> templates)
    {
        var name = Required(content, "name", "template['name']");
        var language = Wire.Text((content["language"] as JsonObject)?["code"]) ?? throw Invalid("The parameter template['language']['code'] is required.");
        var template = templates.FirstOrDefault(t => t.Name == name && t.Language == language && t.Status is "APPROVED" or "PAUSED" or "DISABLED")
            ?? throw new MetaRejection(404, 132001, MetaWire.Describe(132001).Message, $"template name ({name}) does not exist in {language}");
        if (template.Status != "APPROVED")
            throw Rejection(template.Status == "PAUSED" ? 132015 : 132016);
        var given = (content["components"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        foreach (var component in new[] { "header", "body" })
        {
            var parameters = given.Where(c => string.Equals(Wire.Text(c["type"]), component, StringComparison.OrdinalIgnoreCase))
                .SelectMany(c => c["parameters"] as JsonArray ?? []).ToArray();
            var expected = template.Placeholders(component);
            if (parameters.Length != expected)
                throw new MetaRejection(400, 132000, MetaWire.Describe(132000).Message,
                    $"{component}: number of localizable_params ({parameters.Length}) does not match the expected number of params ({expected})");
        }
        return new MetaSend(input, to, "template", Render(template, given), template);
    }

    /// <summary>The template's body with its placeholders filled in, as the customer reads it.</summary>
    private static string? Render(MessageTemplate template, JsonObject[] components)
    {
        var text = template.Components.OfType<JsonObject>().Where(c => Wire.Text(c["type"]) == "BODY").Select(c => Wire.Text(c["text"])).FirstOrDefault();
        var values = components.Where(c => string.Equals(Wire.Text(c["type"]), "body", StringComparison.OrdinalIgnoreCase))
            .SelectMany(c => c["parameters"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => Wire.Text(p["text"]) ?? Wire.Text((p[Wire.Text(p["type"]) ?? ""] as JsonObject)?["fallback_value"]) ?? "").ToArray();
        for (var i = 0; i < values.Length && text is not null; i++)
            text = text.Replace($"{{{{{i + 1}}}}}", values[i]);
        return text;
    }

    private static string Interactive(JsonObject content)
    {
        var type = Required(content, "type", "interactive['type']");
        var body = MaxLength("interactive['body']['text']", Required(Object(content, "body", "interactive"), "text", "interactive['body']['text']"), 1024);
        if ((content["footer"] as JsonObject)?["text"] is { } footer)
            MaxLength("interactive['footer']['text']", Wire.Text(footer) ?? "", 60);
        if (content["header"] is JsonObject { } header && Wire.Text(header["type"]) == "text")
            MaxLength("interactive['header']['text']", Required(header, "text", "interactive['header']['text']"), 60);
        var action = Object(content, "action", "interactive");
        if (type == "button")
        {
            var buttons = (action["buttons"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
            if (buttons.Length is < 1 or > 3)
                throw NotValid($"Buttons count invalid. Min: 1, Max: 3 - got {buttons.Length}.");
            var titles = buttons.Select((button, i) =>
            {
                var reply = Object(button, "reply", $"interactive['action']['buttons'][{i}]");
                Required(reply, "id", $"interactive['action']['buttons'][{i}]['reply']['id']");
                return MaxLength($"interactive['action']['buttons'][{i}]['reply']['title']",
                    Required(reply, "title", $"interactive['action']['buttons'][{i}]['reply']['title']"), 20);
            }).ToArray();
            if (titles.Distinct().Count() != titles.Length)
                throw NotValid("Button title must be unique.");
        }
        else if (type == "list")
        {
            MaxLength("interactive['action']['button']", Required(action, "button", "interactive['action']['button']"), 20);
            var sections = (action["sections"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
            var rows = sections.SelectMany(s => s["rows"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
            if (sections.Length is < 1 or > 10 || rows.Length is < 1 or > 10)
                throw NotValid("A list needs 1 to 10 sections and 1 to 10 rows in total.");
            foreach (var row in rows)
                MaxLength("interactive['action']['sections'][]['rows'][]['title']", Required(row, "title", "interactive['action']['sections'][]['rows'][]['title']"), 24);
        }
        return body;
    }

    private static string Reaction(JsonObject content)
    {
        Required(content, "message_id", "reaction['message_id']");
        // An empty emoji is valid: it removes the reaction.
        return Wire.Text(content["emoji"]) ?? throw Invalid("The parameter reaction['emoji'] is required.");
    }

    private static string? Location(JsonObject content)
    {
        if (content["latitude"] is null || content["longitude"] is null)
            throw Invalid("The parameters location['latitude'] and location['longitude'] are required.");
        return Wire.Text(content["name"]);
    }

    private static JsonObject Object(JsonObject parent, string name, string? path = null) =>
        parent[name] as JsonObject ?? throw Invalid($"The parameter {(path is null ? name : $"{path}['{name}']")} is required.");

    private static string Required(JsonObject parent, string name, string path) =>
        Wire.Text(parent[name]) is { Length: > 0 } value ? value : throw Invalid($"The parameter {path} is required.");

    private static string MaxLength(string path, string value, int max) =>
        value.Length <= max ? value : throw Invalid($"Param {path} must be at most {max} characters long.");

    private static MetaRejection Invalid(string details) => new(400, 100, $"(#100) {details}", details);

    private static MetaRejection NotValid(string details) => new(400, 131009, "(#131009) Parameter value is not valid", details);

    private static MetaRejection Rejection(int code) => new(400, code, MetaWire.Describe(code).Message, MetaWire.Describe(code).Details);

    /// <summary>Digits with the separators people type (+, spaces, dashes, dots, parentheses); 7 to 15 digits.</summary>
    [GeneratedRegex(@"^\+?(?:[\s\-.()]*\d){7,15}[\s\-.()]*$")]
    private static partial Regex PhoneNumber();
}
