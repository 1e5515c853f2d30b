using System.Linq.Expressions;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Channels;

public sealed record MessageTemplateView(long Id, long ChannelId, string Name, string Language, TemplateCategory Category, string Status, string Body,
    int ParameterCount, string? ProviderTemplateId);

/// <summary>A Twilio Content template registered by hand: its Content SID and what Twilio's console shows for it.</summary>
public sealed record ContentTemplateRequest(string? ContentSid, string? Name, string? Language, string? Body, string? Category);

/// <summary>WhatsApp message templates (docs/inbox-api.md): the copy Switchboard keeps of what Meta or Twilio holds, refreshed
/// on demand; on Twilio WhatsApp channels Content templates may also be registered by hand.</summary>
public static partial class MessageTemplatesApi
{
    private const string SyncAction = "channels.sync_templates";
    /// <summary>WhatsApp's limit for a template body.</summary>
    private const int MaxBodyLength = 1024;

    /// <summary>An expression, so lists read only these columns (not the components).</summary>
    private static readonly Expression<Func<MessageTemplate, MessageTemplateView>> ToView = t =>
        new MessageTemplateView(t.Id, t.ChannelId, t.Name, t.Language, t.Category, t.Status, t.Body, t.ParameterCount, t.ProviderTemplateId);
    private static readonly Func<MessageTemplate, MessageTemplateView> View = ToView.Compile();

    public static void MapMessageTemplatesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/message-templates", List).WithTags("Conversations").RequirePermission(Permission.ConversationsRead);
        // The handler writes its audit entry: it must not hold a transaction open while the provider answers.
        api.MapPost("/channels/{id:long}/templates/sync", Sync).WithTags("Channels").RequirePermission(Permission.ConversationsManage)
            .Audited(SyncAction, handlerWritesEntry: true);
        api.MapPost("/channels/{id:long}/templates", Register).WithTags("Channels").RequirePermission(Permission.ConversationsManage)
            .Audited("channels.template.create");
        api.MapDelete("/channels/{id:long}/templates/{templateId:long}", Delete).WithTags("Channels").RequirePermission(Permission.ConversationsManage)
            .Audited("channels.template.delete");
    }

    private static async Task<List<MessageTemplateView>> ViewsAsync(IQueryable<MessageTemplate> templates, CancellationToken cancellationToken) =>
        await templates.AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.Language).Select(ToView).ToListAsync(cancellationToken);

    private static async Task<Ok<ItemList<MessageTemplateView>>> List(SwitchboardDbContext db, long? channelId, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<MessageTemplateView>(await ViewsAsync(
            channelId is { } channel ? db.MessageTemplates.Where(t => t.ChannelId == channel) : db.MessageTemplates, cancellationToken)));

    /// <summary>Adds a Content template the tenant has in Twilio, taking their word that WhatsApp approved it (Twilio has the
    /// last say when it is sent).</summary>
    private static async Task<Results<Created<MessageTemplateView>, ValidationProblem, ProblemHttpResult>> Register(
        long id, ContentTemplateRequest request, SwitchboardDbContext db, AuditDetails audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
            return Problems.NotFound("Channel");
        if (channel.Type != ChannelType.TwilioWhatsApp)
            return Problems.BadRequest(channel.Type == ChannelType.WhatsApp
                ? "A WhatsApp Cloud API channel's templates come from Meta: create them in WhatsApp Manager and sync."
                : "Only Twilio WhatsApp channels take Content templates; other channels send no templates.");
        var validation = Validate(request, out var category);
        if (!validation.IsValid)
            return validation.ToResult();
        var (sid, name, language, body) = (request.ContentSid!, request.Name!.Trim(), request.Language!.Trim(), request.Body!);
        var taken = await db.MessageTemplates.AsNoTracking()
            .Where(t => t.ChannelId == id && (t.ProviderTemplateId == sid || (t.Name == name && t.Language == language)))
            .Select(t => new { t.Id, t.ProviderTemplateId }).FirstOrDefaultAsync(cancellationToken);
        if (taken is not null)
            return Problems.Conflict(taken.ProviderTemplateId == sid
                ? $"The Content template {sid} is already registered on this channel."
                : $"This channel already has a template named {name} in {language}.", taken.Id);

        var template = new MessageTemplate
        {
            ChannelId = id, ProviderTemplateId = sid, Name = name, Language = language, Category = category, Status = MessageTemplate.Approved, Body = body,
            ParameterCount = TemplateText.ParameterCount(body), SyncedAt = clock.GetUtcNow(),
        };
        db.MessageTemplates.Add(template);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Problems.Conflict($"This channel already has a template named {name} in {language}.");
        }
        audit.Meta["templateId"] = template.Id;
        audit.Meta["contentSid"] = sid;
        return TypedResults.Created($"/api/v1/channels/{id}/templates/{template.Id}", View(template));
    }

    private static Validation Validate(ContentTemplateRequest request, out TemplateCategory category)
    {
        var validation = new Validation();
        if (string.IsNullOrEmpty(request.ContentSid))
            validation.Add("contentSid", "is required.");
        else if (!ContentSid().IsMatch(request.ContentSid))
            validation.Add("contentSid", "must be a Twilio Content SID: HX followed by 32 hex digits.");
        validation.Required("name", request.Name).Required("language", request.Language, 20).Required("body", request.Body, MaxBodyLength);
        if (!string.IsNullOrWhiteSpace(request.Language) && !LanguageCode().IsMatch(request.Language.Trim()))
            validation.Add("language", "must be a language code such as en, en_US or pt_BR.");
        // Parameters are sent as ContentVariables keyed 1..n in order, so the body's placeholders must be exactly those.
        if (request.Body is { } body && TemplateText.Placeholders(body).Order().ToList() is var numbers
            && !numbers.SequenceEqual(Enumerable.Range(1, numbers.Count)))
            validation.Add("body", "must number its placeholders {{1}}, {{2}} … without gaps.");
        category = TemplateCategory.Marketing;
        if (request.Category is not null && !TemplateText.TryCategory(request.Category, out category))
            validation.Add("category", "must be marketing, utility or authentication.");
        return validation;
    }

    /// <summary>Removes a Content template from a Twilio WhatsApp channel. Not on Cloud API channels: Meta's templates are
    /// managed in WhatsApp Manager and would come back with the next sync.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, long templateId, SwitchboardDbContext db, AuditDetails audit,
        CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        var template = await db.MessageTemplates.FirstOrDefaultAsync(t => t.Id == templateId && t.ChannelId == id, cancellationToken);
        if (channel is null || template is null)
            return Problems.NotFound("Template");
        if (channel.Type != ChannelType.TwilioWhatsApp)
            return Problems.BadRequest("A WhatsApp Cloud API channel's templates come from Meta: delete them in WhatsApp Manager and sync.");
        db.MessageTemplates.Remove(template);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["contentSid"] = template.ProviderTemplateId;
        return TypedResults.NoContent();
    }

    /// <summary>Makes the channel's templates those the provider has now (by name and language): new ones added, changed
    /// ones updated, vanished ones deleted, hand-registered ones included.</summary>
    private static async Task<Results<Ok<ItemList<MessageTemplateView>>, ProblemHttpResult>> Sync(
        long id, SwitchboardDbContext db, IEnumerable<ITemplateSource> sources, AuditWriter audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
            return Problems.NotFound("Channel");
        if (sources.FirstOrDefault(s => s.Handles(channel.Type)) is not { } source)
            return Problems.BadRequest("Only WhatsApp channels (Cloud API or Twilio WhatsApp) have message templates.");
        var (fetched, error) = await source.FetchAsync(channel, cancellationToken);
        if (error is { } refused)
            return TypedResults.Problem(new ProblemDetails
            {
                Title = $"{source.Provider} refused the template list.", Detail = refused.Message, Status = StatusCodes.Status502BadGateway,
                Extensions = { ["code"] = refused.Code },
            });

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var kept = await db.MessageTemplates.Where(t => t.ChannelId == id).ToDictionaryAsync(t => (t.Name, t.Language), cancellationToken);
        var seen = new HashSet<(string, string)>();
        var created = 0;
        foreach (var template in fetched!.Where(t => seen.Add((t.Name, t.Language))))
        {
            if (!kept.TryGetValue((template.Name, template.Language), out var row))
            {
                row = new MessageTemplate { ChannelId = id, Name = template.Name, Language = template.Language, Status = "" };
                db.MessageTemplates.Add(row);
                created++;
            }
            row.ProviderTemplateId = template.ProviderId;
            row.Category = template.Category;
            row.Status = template.Status;
            row.Body = template.Body;
            row.ParameterCount = template.ParameterCount;
            row.Components = template.Components;
            row.SyncedAt = now;
        }
        var gone = kept.Where(k => !seen.Contains(k.Key)).Select(k => k.Value).ToList();
        db.MessageTemplates.RemoveRange(gone);
        audit.Add(SyncAction, new JsonObject { ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["created"] = created,
            ["updated"] = seen.Count - created, ["deleted"] = gone.Count });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Problems.Conflict("Another sync of this channel's templates ran at the same time; try again.");
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new ItemList<MessageTemplateView>(await ViewsAsync(db.MessageTemplates.Where(t => t.ChannelId == id), cancellationToken)));
    }

    [GeneratedRegex("^HX[0-9a-fA-F]{32}$")]
    private static partial Regex ContentSid();

    [GeneratedRegex("^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]{2,8})?$")]
    private static partial Regex LanguageCode();
}
