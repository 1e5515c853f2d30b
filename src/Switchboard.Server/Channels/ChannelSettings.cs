using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchboard.Platform.Http;
using Switchboard.Platform.Network;

namespace Switchboard.Channels;

/// <summary>What each channel type's <c>settings</c> object may hold: the one place that knows, used to validate input,
/// split secrets from plain settings and describe them.</summary>
public static partial class ChannelSettings
{
    public enum Kind
    {
        Text,
        Secret,
        E164,
        Email,
        Url,
        Bool,
        SmtpPort,
        Origins,
        Color,
        InboundProvider,
    }

    public sealed record Field(string Name, Kind Kind, bool Required = false, Regex? Pattern = null, string? PatternHint = null);

    private static readonly Field ApiBaseUrl = new("apiBaseUrl", Kind.Url);

    private static readonly Field[] Twilio =
    [
        new("accountSid", Kind.Text, Required: true, AccountSid(), "an Account SID: AC followed by 32 hex digits"),
        new("authToken", Kind.Secret, Required: true),
        new("fromNumber", Kind.E164),
        new("messagingServiceSid", Kind.Text, Pattern: MessagingServiceSid(), PatternHint: "a Messaging Service SID: MG followed by 32 hex digits"),
        ApiBaseUrl,
    ];

    public static IReadOnlyList<Field> For(ChannelType type) => type switch
    {
        ChannelType.WhatsApp =>
        [
            new("phoneNumberId", Kind.Text, Required: true, Digits(), "the numeric phone number ID from Meta"),
            new("businessAccountId", Kind.Text, Required: true, Digits(), "the numeric WhatsApp Business Account ID"),
            new("displayPhoneNumber", Kind.E164),
            new("accessToken", Kind.Secret, Required: true),
            new("appSecret", Kind.Secret, Required: true),
            new("verifyToken", Kind.Secret, Required: true),
            ApiBaseUrl,
        ],
        ChannelType.TwilioSms or ChannelType.TwilioWhatsApp => Twilio,
        ChannelType.Email =>
        [
            new("smtpHost", Kind.Text, Required: true),
            new("smtpPort", Kind.SmtpPort, Required: true),
            new("smtpTls", Kind.Bool),
            new("smtpUser", Kind.Text),
            new("smtpPassword", Kind.Secret),
            new("fromAddress", Kind.Email, Required: true),
            new("inboundProvider", Kind.InboundProvider, Required: true),
            new("mailgunSigningKey", Kind.Secret),
            new("postmarkUser", Kind.Text),
            new("postmarkPassword", Kind.Secret),
            ApiBaseUrl,
        ],
        _ =>
        [
            new("allowedOrigins", Kind.Origins, Required: true),
            new("greeting", Kind.Text),
            new("primaryColor", Kind.Color),
            new("backgroundColor", Kind.Color),
            ApiBaseUrl,
        ],
    };

    /// <summary>Checks a complete settings object (plain and secret values together) for <paramref name="type"/>. Hosts the
    /// server would connect to (<c>apiBaseUrl</c>, <c>smtpHost</c>) are refused here when they are literally a destination
    /// the <paramref name="guard"/> refuses; names are checked when connecting.</summary>
    public static void Validate(ChannelType type, JsonObject settings, Validation validation, OutboundGuard guard)
    {
        var fields = For(type).ToDictionary(f => f.Name);
        foreach (var (key, _) in settings)
        {
            if (!fields.ContainsKey(key))
                validation.Add($"settings.{key}", $"is not a setting of a {JsonNamingPolicy.SnakeCaseLower.ConvertName(type.ToString())} channel.");
        }
        foreach (var field in fields.Values)
        {
            var path = $"settings.{field.Name}";
            var value = settings[field.Name];
            if (value is null)
            {
                if (field.Required)
                    validation.Add(path, "is required.");
                continue;
            }
            if (Problem(field, value, guard) is { } problem)
                validation.Add(path, problem);
        }
        ValidateCombinations(type, settings, validation, guard);
    }

    private static void ValidateCombinations(ChannelType type, JsonObject settings, Validation validation, OutboundGuard guard)
    {
        if (type is ChannelType.TwilioSms or ChannelType.TwilioWhatsApp && settings["fromNumber"] is null && settings["messagingServiceSid"] is null)
            validation.Add("settings.fromNumber", "either fromNumber or messagingServiceSid is required.");
        if (type == ChannelType.Email)
        {
            var provider = (settings["inboundProvider"] as JsonValue)?.ToString();
            if (provider == "mailgun" && settings["mailgunSigningKey"] is null)
                validation.Add("settings.mailgunSigningKey", "is required for Mailgun inbound mail.");
            if (provider == "postmark" && (settings["postmarkUser"] is null || settings["postmarkPassword"] is null))
                validation.Add("settings.postmarkUser", "Postmark inbound mail needs postmarkUser and postmarkPassword (basic auth).");
            if ((settings["smtpHost"] as JsonValue)?.TryGetValue<string>(out var host) == true && (settings["smtpPort"] as JsonValue)?.TryGetValue<int>(out var port) == true
                && !guard.AllowsHost(host, port))
                validation.Add("settings.smtpHost", DestinationNotAllowedException.Text);
        }
    }

    private static string? Problem(Field field, JsonNode value, OutboundGuard guard)
    {
        string? Text() => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        switch (field.Kind)
        {
            case Kind.Bool:
                return value is JsonValue b && b.TryGetValue<bool>(out _) ? null : "must be true or false.";
            case Kind.SmtpPort:
                if (value is not JsonValue n || !n.TryGetValue<int>(out var port) || port is <= 0 or >= 65536)
                    return "must be a port number (1-65535).";
                return OutboundGuard.SmtpPorts.Contains(port) ? null : $"must be an SMTP port: {string.Join(", ", OutboundGuard.SmtpPorts.Order())}.";
            case Kind.Origins:
                if (value is not JsonArray origins || origins.Count == 0)
                    return "must be a non-empty list of origins such as https://www.example.com.";
                return origins.All(o => o is JsonValue ov && ov.TryGetValue<string>(out var origin) && IsOrigin(origin))
                    ? null
                    : "each origin must be scheme://host[:port] with no path, such as https://www.example.com.";
        }
        var text = Text();
        if (string.IsNullOrWhiteSpace(text))
            return "must be a non-empty string.";
        if (text.Length > 2048)
            return "must be at most 2048 characters.";
        return field.Kind switch
        {
            Kind.E164 when Formats.NormalizeE164(text) is null => "must be an E.164 number such as +15551234567.",
            Kind.Email when Formats.NormalizeEmail(text) is null => "must be an email address.",
            Kind.Url when !(Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https") => "must be an absolute http(s) URL.",
            Kind.Url when !guard.AllowsUrl(new Uri(text)) => DestinationNotAllowedException.Text,
            Kind.Color when !Formats.IsHexColor(text) => "must be a hex colour such as #3b5bdb.",
            Kind.InboundProvider when text is not ("mailgun" or "postmark") => "must be mailgun or postmark.",
            _ when field.Pattern is not null && !field.Pattern.IsMatch(text) => $"must be {field.PatternHint}.",
            _ => null,
        };
    }

    /// <summary>An origin as browsers send it: scheme, host and optional port, nothing else.</summary>
    private static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && origin == uri.GetLeftPart(UriPartial.Authority);

    /// <summary>Splits a settings object into its plain part and its secret part.</summary>
    public static (JsonObject Plain, JsonObject Secrets) Split(ChannelType type, JsonObject settings)
    {
        var secretNames = For(type).Where(f => f.Kind == Kind.Secret).Select(f => f.Name).ToHashSet();
        var plain = new JsonObject();
        var secrets = new JsonObject();
        foreach (var (key, value) in settings)
            (secretNames.Contains(key) ? secrets : plain)[key] = value?.DeepClone();
        return (plain, secrets);
    }

    [GeneratedRegex("^AC[0-9a-f]{32}$")]
    private static partial Regex AccountSid();

    [GeneratedRegex("^MG[0-9a-f]{32}$")]
    private static partial Regex MessagingServiceSid();

    [GeneratedRegex("^[0-9]{5,20}$")]
    private static partial Regex Digits();
}
