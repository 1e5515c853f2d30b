using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Simulator;

/// <summary>A Content template's WhatsApp approval as Twilio reports it: statuses are lowercase (received, pending,
/// approved, rejected, paused, disabled, unsubmitted).</summary>
public sealed record WhatsAppApproval(string Name, string Category, string Status, string RejectionReason = "")
{
    public static readonly WhatsAppApproval Unsubmitted = new("", "", "unsubmitted");

    public bool IsApproved => Status == "approved";
}

/// <summary>A Twilio Content template. Variables and types are kept as the JSON text Twilio was given, so every reader gets
/// its own tree (JSON nodes are not safe to share between threads).</summary>
public sealed partial record TwilioContent(
    string Sid, string AccountSid, string FriendlyName, string Language, string VariablesJson, string TypesJson, WhatsAppApproval Approval, DateTimeOffset Created)
{
    public JsonObject Types => JsonNode.Parse(TypesJson)!.AsObject();

    /// <summary>The text WhatsApp shows: the first type's body (a card's title), with <paramref name="values"/> put in for
    /// its placeholders and the content's default variables for any left out, as Twilio does.</summary>
    public string Render(JsonObject? values)
    {
        var first = Types.Select(t => t.Value as JsonObject).FirstOrDefault();
        var text = Wire.Text(first?["body"]) ?? Wire.Text(first?["title"]) ?? "";
        var defaults = JsonNode.Parse(VariablesJson) as JsonObject;
        return Placeholder().Replace(text, m => Wire.Text(values?[m.Groups[1].Value]) ?? Wire.Text(defaults?[m.Groups[1].Value]) ?? m.Value);
    }

    /// <summary>The Content resource (<c>GET /v1/Content/{sid}</c>, an item of the list).</summary>
    public JsonObject ToJson(string publicBase)
    {
        var url = $"{publicBase}/v1/Content/{Sid}";
        return new JsonObject
        {
            ["sid"] = Sid,
            ["account_sid"] = AccountSid,
            ["friendly_name"] = FriendlyName,
            ["language"] = Language,
            ["variables"] = JsonNode.Parse(VariablesJson),
            ["types"] = Types,
            ["url"] = url,
            ["date_created"] = TwilioContentApi.Date(Created),
            ["date_updated"] = TwilioContentApi.Date(Created),
            ["links"] = new JsonObject { ["approval_create"] = $"{url}/ApprovalRequests/whatsapp", ["approval_fetch"] = $"{url}/ApprovalRequests" },
        };
    }

    /// <summary>The approval fetch (<c>GET /v1/Content/{sid}/ApprovalRequests</c>).</summary>
    public JsonObject ApprovalJson(string publicBase) => new()
    {
        ["sid"] = Sid,
        ["account_sid"] = AccountSid,
        ["whatsapp"] = new JsonObject
        {
            ["type"] = "whatsapp",
            ["name"] = Approval.Name,
            ["category"] = Approval.Category,
            ["content_type"] = Types.Select(t => t.Key).FirstOrDefault(),
            ["status"] = Approval.Status,
            ["rejection_reason"] = Approval.RejectionReason,
            ["allow_category_change"] = true,
        },
        ["url"] = $"{publicBase}/v1/Content/{Sid}/ApprovalRequests",
    };

    [GeneratedRegex(@"\{\{(\d+)\}\}")]
    private static partial Regex Placeholder();
}

/// <summary>The Content templates of each Twilio account. An account starts with a few approved WhatsApp templates, as
/// Meta's business accounts do here, with SIDs derived from the account so they are the same on every run.</summary>
public sealed class ContentStore(TimeProvider clock)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<TwilioContent>> accounts = [];

    public IReadOnlyList<TwilioContent> For(string accountSid)
    {
        lock (gate)
            return Contents(accountSid).ToArray();
    }

    public TwilioContent? Find(string accountSid, string sid)
    {
        lock (gate)
            return Contents(accountSid).FirstOrDefault(c => c.Sid == sid);
    }

    /// <summary>A plain-text (<c>twilio/text</c>) template with that approval.</summary>
    public TwilioContent Add(string accountSid, string friendlyName, string language, string body, JsonObject variables, WhatsAppApproval approval)
    {
        lock (gate)
        {
            var content = PlainText(accountSid, Ids.Twilio("HX"), friendlyName, language, body, variables, approval);
            Contents(accountSid).Add(content);
            return content;
        }
    }

    /// <summary>The Content SID a seeded template has in an account.</summary>
    public static string SeededSid(string accountSid, string friendlyName) =>
        "HX" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{accountSid}/{friendlyName}")))[..32];

    private List<TwilioContent> Contents(string accountSid)
    {
        if (!accounts.TryGetValue(accountSid, out var contents))
            accounts[accountSid] = contents = Seed(accountSid);
        return contents;
    }

    private List<TwilioContent> Seed(string accountSid)
    {
        TwilioContent Approved(string name, string category, string body, JsonObject variables) =>
            PlainText(accountSid, SeededSid(accountSid, name), name, "en", body, variables, new WhatsAppApproval(name, category, "approved"));
        return
        [
            Approved("hello_world", "UTILITY", "Hello! Thanks for getting in touch. How can we help you today?", []),
            Approved("order_update", "UTILITY", "Hi {{1}}, your order {{2}} has shipped.", new JsonObject { ["1"] = "Sheena", ["2"] = "#1042" }),
            Approved("spring_sale", "MARKETING", "Hi {{1}}, enjoy {{2}} off everything until Sunday!", new JsonObject { ["1"] = "Sheena", ["2"] = "20%" }),
        ];
    }

    private TwilioContent PlainText(string accountSid, string sid, string friendlyName, string language, string body, JsonObject variables, WhatsAppApproval approval) =>
        new(sid, accountSid, friendlyName, language, variables.ToJsonString(), new JsonObject { ["twilio/text"] = new JsonObject { ["body"] = body } }.ToJsonString(),
            approval, clock.GetUtcNow());
}

/// <summary>Twilio's Content API (v1): the account's Content templates and their WhatsApp approval, with the same basic
/// auth as the Messaging API; the account is the one the credentials name.</summary>
public sealed class TwilioContentApi(ProviderAccounts accounts, ContentStore contents)
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/Content", (HttpRequest request, TwilioContentApi api) => api.List(request));
        app.MapGet("/v1/Content/{sid}", (string sid, HttpRequest request, TwilioContentApi api) => api.Fetch(sid, request, approval: false));
        app.MapGet("/v1/Content/{sid}/ApprovalRequests", (string sid, HttpRequest request, TwilioContentApi api) => api.Fetch(sid, request, approval: true));
    }

    /// <summary>The Content API writes ISO 8601 dates ("2015-07-30T19:00:00Z"), unlike the Messaging API.</summary>
    public static string Date(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>GET /v1/Content?PageSize=&amp;Page=&amp;PageToken=</c>: <c>{"contents":[…],"meta":{…,"next_page_url","key":"contents"}}</c>.</summary>
    private IResult List(HttpRequest request)
    {
        if (!TryAuthenticate(request, out var account, out var error))
            return error;
        var all = contents.For(account.AccountSid);
        var size = int.TryParse(request.Query["PageSize"], out var requested) ? Math.Clamp(requested, 1, MaxPageSize) : DefaultPageSize;
        var page = int.TryParse(request.Query["Page"], out var p) && p >= 0 ? p : 0;
        // The page token says where the page starts; without one, the first page.
        var start = request.Query["PageToken"] is [{ } token] && Start(token) is { } index ? index : 0;
        var items = all.Skip(start).Take(size).ToArray();
        var publicBase = Wire.PublicBase(request, 2);
        string PageUrl(int number, int? from) =>
            $"{publicBase}/v1/Content?PageSize={size}&Page={number}" + (from is { } f ? $"&PageToken={Uri.EscapeDataString(Token(f))}" : "");
        return Wire.Json(new JsonObject
        {
            ["contents"] = new JsonArray(items.Select(c => (JsonNode)c.ToJson(publicBase)).ToArray()),
            ["meta"] = new JsonObject
            {
                ["page"] = page,
                ["page_size"] = size,
                ["first_page_url"] = PageUrl(0, null),
                ["previous_page_url"] = start > 0 ? PageUrl(Math.Max(0, page - 1), Math.Max(0, start - size)) : null,
                ["url"] = PageUrl(page, start > 0 ? start : null),
                ["next_page_url"] = start + items.Length < all.Count ? PageUrl(page + 1, start + items.Length) : null,
                ["key"] = "contents",
            },
        });
    }

    private IResult Fetch(string sid, HttpRequest request, bool approval)
    {
        if (!TryAuthenticate(request, out var account, out var error))
            return error;
        if (contents.Find(account.AccountSid, sid) is not { } content)
            return TwilioWire.NotFound(request);
        var publicBase = Wire.PublicBase(request, approval ? 4 : 3);
        return Wire.Json(approval ? content.ApprovalJson(publicBase) : content.ToJson(publicBase));
    }

    private bool TryAuthenticate(HttpRequest request, [NotNullWhen(true)] out TwilioAccount? account, [NotNullWhen(false)] out IResult? error)
    {
        account = TwilioWire.Caller(accounts, request);
        error = account is null ? TwilioWire.Error(401, 20003) : null;
        return error is null;
    }

    private static string Token(int start) => "PT" + Convert.ToBase64String(Encoding.UTF8.GetBytes(start.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static int? Start(string token)
    {
        try
        {
            return token.StartsWith("PT", StringComparison.Ordinal) && int.TryParse(Encoding.UTF8.GetString(Convert.FromBase64String(token[2..])), out var start)
                ? start
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
