using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Simulator;

/// <summary>A WhatsApp message template as Meta lists it. Components are kept as the JSON text Meta was given, so every
/// reader gets its own tree (JSON nodes are not safe to share between threads).</summary>
public sealed record MessageTemplate(string Id, string Name, string Language, string Category, string Status, string ComponentsJson)
{
    public JsonArray Components => JsonNode.Parse(ComponentsJson)!.AsArray();

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["parameter_format"] = "POSITIONAL",
        ["components"] = Components,
        ["language"] = Language,
        ["status"] = Status,
        ["category"] = Category,
        ["id"] = Id,
    };

    /// <summary>How many distinct <c>{{n}}</c> placeholders the component of this type (HEADER, BODY) has.</summary>
    public int Placeholders(string componentType) => Components
        .OfType<JsonObject>()
        .Where(c => string.Equals((string?)c["type"], componentType, StringComparison.OrdinalIgnoreCase))
        .Sum(c => TemplatePlaceholders.Count((string?)c["text"]));
}

public static partial class TemplatePlaceholders
{
    public static int Count(string? text) => text is null ? 0 : Placeholder().Matches(text).Select(m => m.Value).Distinct().Count();

    [GeneratedRegex(@"\{\{\d+\}\}")]
    private static partial Regex Placeholder();
}

/// <summary>The templates of each WhatsApp Business Account. A WABA starts with a few approved templates, as a real
/// account has after onboarding.</summary>
public sealed class TemplateStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<MessageTemplate>> accounts = [];

    public IReadOnlyList<MessageTemplate> For(string businessAccountId)
    {
        lock (gate)
            return Templates(businessAccountId).ToArray();
    }

    /// <summary>Adds a PENDING template, or returns null when the name already exists in that language.</summary>
    public MessageTemplate? Create(string businessAccountId, string name, string language, string category, JsonArray components)
    {
        lock (gate)
        {
            var templates = Templates(businessAccountId);
            if (templates.Any(t => t.Name == name && t.Language == language))
                return null;
            var template = new MessageTemplate(Ids.Graph(), name, language, category, "PENDING", components.ToJsonString());
            templates.Add(template);
            return template;
        }
    }

    public MessageTemplate? SetStatus(string businessAccountId, string id, string status)
    {
        lock (gate)
        {
            var templates = Templates(businessAccountId);
            var index = templates.FindIndex(t => t.Id == id);
            if (index < 0)
                return null;
            templates[index] = templates[index] with { Status = status };
            return templates[index];
        }
    }

    /// <summary>Deletes every language of the named template (or only the one with <paramref name="id"/>); returns how many.</summary>
    public int Delete(string businessAccountId, string name, string? id)
    {
        lock (gate)
            return Templates(businessAccountId).RemoveAll(t => t.Name == name && (id is null || t.Id == id));
    }

    private List<MessageTemplate> Templates(string businessAccountId)
    {
        if (!accounts.TryGetValue(businessAccountId, out var templates))
            accounts[businessAccountId] = templates = Seed();
        return templates;
    }

    private static List<MessageTemplate> Seed() =>
    [
        Approved("hello_world", "UTILITY", new JsonArray(
            new JsonObject { ["type"] = "HEADER", ["format"] = "TEXT", ["text"] = "Hello World" },
            new JsonObject { ["type"] = "BODY", ["text"] = "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us." },
            new JsonObject { ["type"] = "FOOTER", ["text"] = "WhatsApp Business Platform sample message" })),
        Approved("order_update", "UTILITY", new JsonArray(
            new JsonObject
            {
                ["type"] = "BODY",
                ["text"] = "Hi {{1}}, your order {{2}} has shipped.",
                ["example"] = new JsonObject { ["body_text"] = new JsonArray(new JsonArray("Sheena", "#1042")) },
            })),
        Approved("spring_sale", "MARKETING", new JsonArray(
            new JsonObject { ["type"] = "HEADER", ["format"] = "TEXT", ["text"] = "Spring Sale" },
            new JsonObject
            {
                ["type"] = "BODY",
                ["text"] = "Hi {{1}}, enjoy {{2}} off everything until Sunday!",
                ["example"] = new JsonObject { ["body_text"] = new JsonArray(new JsonArray("Sheena", "20%")) },
            },
            new JsonObject { ["type"] = "FOOTER", ["text"] = "Not interested? Tap Stop promotions" },
            new JsonObject { ["type"] = "BUTTONS", ["buttons"] = new JsonArray(new JsonObject { ["type"] = "QUICK_REPLY", ["text"] = "Stop promotions" }) })),
    ];

    private static MessageTemplate Approved(string name, string category, JsonArray components) =>
        new(Ids.Graph(), name, "en_US", category, "APPROVED", components.ToJsonString());
}
