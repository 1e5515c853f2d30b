using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Channels.WhatsApp;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Channels;

public sealed record MessageTemplateView(long Id, long ChannelId, string Name, string Language, TemplateCategory Category, string Status, string Body,
    int ParameterCount);

/// <summary>WhatsApp message templates (docs/inbox-api.md): the copy Switchboard keeps of what Meta holds, refreshed on demand.</summary>
public static class MessageTemplatesApi
{
    private const string SyncAction = "channels.sync_templates";

    public static void MapMessageTemplatesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/message-templates", List).WithTags("Conversations").RequirePermission(Permission.ConversationsRead);
        // The handler writes its audit entry: it must not hold a transaction open while Meta answers.
        api.MapPost("/channels/{id:long}/templates/sync", Sync).WithTags("Channels").RequirePermission(Permission.ConversationsManage)
            .Audited(SyncAction, handlerWritesEntry: true);
    }

    private static async Task<List<MessageTemplateView>> ViewsAsync(IQueryable<MessageTemplate> templates, CancellationToken cancellationToken) =>
        await templates.AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.Language)
            .Select(t => new MessageTemplateView(t.Id, t.ChannelId, t.Name, t.Language, t.Category, t.Status, t.Body, t.ParameterCount))
            .ToListAsync(cancellationToken);

    private static async Task<Ok<ItemList<MessageTemplateView>>> List(SwitchboardDbContext db, long? channelId, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<MessageTemplateView>(await ViewsAsync(
            channelId is { } channel ? db.MessageTemplates.Where(t => t.ChannelId == channel) : db.MessageTemplates, cancellationToken)));

    /// <summary>Makes the channel's templates those Meta has now: new ones added, changed ones updated, vanished ones deleted.</summary>
    private static async Task<Results<Ok<ItemList<MessageTemplateView>>, ProblemHttpResult>> Sync(
        long id, SwitchboardDbContext db, WhatsAppTemplates meta, AuditWriter audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
            return Problems.NotFound("Channel");
        if (channel.Type != ChannelType.WhatsApp)
            return Problems.BadRequest("Only WhatsApp Cloud API channels have message templates.");
        var (fetched, error) = await meta.FetchAsync(channel, cancellationToken);
        if (error is { } refused)
            return TypedResults.Problem(new ProblemDetails
            {
                Title = "Meta refused the template list.", Detail = refused.Message, Status = StatusCodes.Status502BadGateway,
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
}
