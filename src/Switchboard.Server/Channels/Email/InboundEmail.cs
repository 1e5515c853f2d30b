using System.Net.Mail;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Channels.Email;

/// <summary>A file that came with an email, base64 as the provider sent it (Postmark) or as acceptance stored it (Mailgun).</summary>
public sealed record EmailAttachment(string? Filename, string ContentType, string Base64Content);

/// <summary>One inbound email as a stored webhook holds it. Postmark's JSON is stored as it arrived; a Mailgun form is stored
/// as <c>{"provider":"mailgun","fields":{...},"attachments":[{filename,contentType,content}]}</c> (the text column cannot
/// hold multipart bytes). Message ids keep their angle brackets, as the headers write them.</summary>
public sealed partial record InboundEmail(string? FromAddress, string? FromName, string? To, string? Subject, string? Text, string? Html,
    string? MessageId, string? InReplyTo, IReadOnlyList<string> References, IReadOnlyList<EmailAttachment> Attachments, string Provider)
{
    public const string Mailgun = "mailgun";
    public const string Postmark = "postmark";
    /// <summary>An attachment's <c>PlatformUrl</c>: the stored webhook it arrived in, and its position there.</summary>
    private const string AttachmentScheme = "webhook-event:";

    public static InboundEmail Parse(string payload)
    {
        var root = JsonNode.Parse(payload) as JsonObject ?? [];
        return StringOf(root["provider"]) == Mailgun ? FromMailgun(root) : FromPostmark(root);
    }

    /// <summary>Mailgun's form as stored: the fields, with each file base64 in <c>attachments</c>.</summary>
    public static async Task<JsonObject> StoreMailgunAsync(IFormCollection form, CancellationToken cancellationToken)
    {
        var attachments = new JsonArray();
        foreach (var file in form.Files.Where(f => f.Name.StartsWith("attachment-", StringComparison.Ordinal)))
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellationToken);
            attachments.Add(new JsonObject
            {
                ["filename"] = file.FileName, ["contentType"] = file.ContentType ?? "application/octet-stream", ["content"] = Convert.ToBase64String(buffer.ToArray()),
            });
        }
        return new JsonObject
        {
            ["provider"] = Mailgun,
            ["fields"] = new JsonObject(form.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value.ToString()))),
            ["attachments"] = attachments,
        };
    }

    public static string AttachmentReference(long eventId, int index) => $"{AttachmentScheme}{eventId}/{index}";

    public static (long EventId, int Index)? ReadAttachmentReference(string reference)
    {
        var parts = reference.StartsWith(AttachmentScheme, StringComparison.Ordinal) ? reference[AttachmentScheme.Length..].Split('/') : [];
        return parts.Length == 2 && long.TryParse(parts[0], out var eventId) && int.TryParse(parts[1], out var index) ? (eventId, index) : null;
    }

    /// <summary>The thread this email belongs to by its own headers: the root of its References, else the message it
    /// answers, else itself (a new thread).</summary>
    public string? RootMessageId => References.Count > 0 ? References[0] : InReplyTo ?? MessageId;

    private static InboundEmail FromMailgun(JsonObject root)
    {
        var fields = root["fields"] as JsonObject ?? [];
        string? Field(string name) => StringOf(fields[name]);
        // message-headers is a JSON list of [name, value] pairs.
        var headers = (Field("message-headers") is { } raw ? JsonNode.Parse(raw) as JsonArray ?? [] : [])
            .Select(h => (Name: StringOf(h?[0]) ?? "", Value: StringOf(h?[1]))).ToList();
        var from = Address(Field("from") ?? Field("sender"));
        return Build(from?.Address, from?.DisplayName, Field("recipient"), Field("subject"), Field("stripped-text") ?? Field("body-plain"),
            Field("body-html"), name => headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value,
            AttachmentsOf(root["attachments"], "filename", "contentType", "content"), Mailgun);
    }

    /// <summary>Postmark's <c>MessageID</c> is its own id; the sender's Message-ID is among the headers.</summary>
    private static InboundEmail FromPostmark(JsonObject root)
    {
        string? Field(string name) => StringOf(root[name]);
        var headers = (root["Headers"] as JsonArray ?? []).Select(h => (Name: StringOf(h?["Name"]) ?? "", Value: StringOf(h?["Value"]))).ToList();
        var from = Address(Field("From"));
        return Build(StringOf(root["FromFull"]?["Email"]) ?? from?.Address, StringOf(root["FromFull"]?["Name"]) ?? from?.DisplayName, Field("To"),
            Field("Subject"), Field("StrippedTextReply") ?? Field("TextBody"), Field("HtmlBody"),
            name => headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value
                ?? (name == "Message-ID" && Field("MessageID") is { } id ? $"<{id}@postmark>" : null),
            AttachmentsOf(root["Attachments"], "Name", "ContentType", "Content"), Postmark);
    }

    private static InboundEmail Build(string? address, string? name, string? to, string? subject, string? text, string? html, Func<string, string?> header,
        IReadOnlyList<EmailAttachment> attachments, string provider) =>
        new(address?.Trim().ToLowerInvariant(), string.IsNullOrWhiteSpace(name) ? null : name.Trim(), to, subject, text, html,
            Ids(header("Message-ID")).FirstOrDefault(), Ids(header("In-Reply-To")).FirstOrDefault(), Ids(header("References")), attachments, provider);

    private static List<EmailAttachment> AttachmentsOf(JsonNode? list, string name, string type, string content) =>
        (list as JsonArray ?? []).Where(a => StringOf(a?[content]) is not null)
            .Select(a => new EmailAttachment(StringOf(a![name]), StringOf(a[type]) ?? "application/octet-stream", StringOf(a[content])!)).ToList();

    /// <summary>The <c>&lt;id&gt;</c> tokens of a Message-ID, In-Reply-To or References header; a bare id gets its brackets.</summary>
    private static List<string> Ids(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return [];
        var ids = IdPattern().Matches(header).Select(m => m.Value).Distinct().ToList();
        return ids.Count > 0 ? ids : [$"<{header.Trim()}>"];
    }

    private static MailAddress? Address(string? value) => MailAddress.TryCreate(value, out var address) ? address : null;

    /// <summary>A non-empty string value, else null.</summary>
    internal static string? StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    [GeneratedRegex(@"<[^<>\s]+>")]
    private static partial Regex IdPattern();
}
