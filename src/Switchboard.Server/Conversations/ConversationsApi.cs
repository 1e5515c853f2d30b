using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Contacts;
using Switchboard.Conversations.Outbound;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Storage;

namespace Switchboard.Conversations;

public sealed record StatusCounts(int New, int Open, int Pending, int Snoozed, int Resolved, int Archived);

public sealed record ConversationPage(IReadOnlyList<ConversationSummary> Items, string? NextCursor, StatusCounts Counts);

public sealed record UpdateConversationRequest(ConversationStatus? Status, ConversationPriority? Priority, DateTimeOffset? SnoozedUntil);

public sealed record TemplateRequest(string? Name, string? Language, List<string>? Parameters);

/// <summary><c>type</c> is text, template or note; files come as multipart instead (docs/inbox-api.md).</summary>
public sealed record SendMessageRequest(string? Type, string? Text, TemplateRequest? Template);

/// <summary>The inbox API (docs/inbox-api.md): the conversation list with its counts, a conversation's state, its history
/// paged backwards, and sending.</summary>
public static class ConversationsApi
{
    public const int MaxTextLength = 4096;
    private const int DefaultListLimit = 25;
    private const int DefaultHistoryLimit = 30;
    private const int MaxLimit = 100;

    public static void MapConversationsApi(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Conversations");
        conversations.MapGet("/", List).RequirePermission(Permission.ConversationsRead);
        conversations.MapGet("/{id:long}", Get).RequirePermission(Permission.ConversationsRead);
        conversations.MapPatch("/{id:long}", Update).RequirePermission(Permission.ConversationsReply).Audited("conversations.update");
        // Clearing the unread count changes what agents see, so it needs the permission to work the conversation, not to view it.
        conversations.MapPost("/{id:long}/read", MarkRead).RequirePermission(Permission.ConversationsReply).Audited("conversations.read");
        conversations.MapGet("/{id:long}/messages", History).RequirePermission(Permission.ConversationsRead);
        conversations.MapPost("/{id:long}/messages", Send).RequirePermission(Permission.ConversationsReply)
            .WithMetadata(new DocumentedBody(typeof(SendMessageRequest))).DisableAntiforgery().Audited("conversations.message.send");
        conversations.MapPost("/{id:long}/messages/{messageId:long}/retry", Retry).RequirePermission(Permission.ConversationsReply)
            .Audited("conversations.message.retry");
        api.MapGet("/attachments/{id:long}", Attachment).WithTags("Conversations").RequirePermission(Permission.ConversationsRead);
    }

    /// <summary>Media links providers download from (Twilio's MediaUrl): anonymous, but only with an unexpired token this
    /// server issued.</summary>
    public static void MapMediaLinks(this IEndpointRouteBuilder app) =>
        app.MapGet("/media/{token}", async Task<Results<UserFileHttpResult, NotFound>> (string token, Channels.ChannelWebhookUrls urls,
            SwitchboardDbContext db, TenantContext scope, FileStore files, CancellationToken cancellationToken) =>
        {
            if (urls.ReadMediaLink(token) is not { } link)
                return TypedResults.NotFound();
            scope.Enter(link.TenantId);
            var file = await db.MediaFiles.AsNoTracking().FirstOrDefaultAsync(f => f.Id == link.FileId, cancellationToken);
            return file is null ? TypedResults.NotFound() : FileResponsePolicy.Serve(files.OpenRead(file.StorageUrl), file.MimeType, file.OriginalFilename, file.Id);
        }).AllowAnonymous().WithTags("Provider webhooks");

    private static async Task<Results<Ok<ConversationPage>, ValidationProblem>> List(
        SwitchboardDbContext db, TenantContext scope, ConversationViews views, string? status, string? assignee, long? departmentId, long? channelId,
        long? tagId, bool? unread, bool? slaBreached, string? q, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var take = limit ?? DefaultListLimit;
        if (take is < 1 or > MaxLimit)
            validation.Add("limit", $"must be between 1 and {MaxLimit}.");
        if (!Cursor.TryDecode(cursor, out var position))
            validation.Add("cursor", "is not a cursor this API issued.");
        ConversationStatus? statusFilter = null;
        if (status is not null)
        {
            if (Enum.TryParse<ConversationStatus>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _))
                statusFilter = parsed;
            else
                validation.Add("status", "must be one of new, open, pending, snoozed, resolved, archived.");
        }
        var query = db.Conversations.AsNoTracking();
        switch (assignee)
        {
            case null or "" or "all":
                break;
            case "me" when scope.UserId is { } me:
                query = query.Where(c => c.AssignedToId == me);
                break;
            case "me":
                validation.Add("assignee", "“me” needs a signed-in person; an API key has no inbox of its own.");
                break;
            case "unassigned":
                query = query.Where(c => c.AssignedToId == null);
                break;
            default:
                if (long.TryParse(assignee, NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
                    query = query.Where(c => c.AssignedToId == userId);
                else
                    validation.Add("assignee", "must be me, unassigned, all or a user id.");
                break;
        }
        if (!validation.IsValid)
            return validation.ToResult();

        if (departmentId is { } department)
            query = query.Where(c => c.DepartmentId == department);
        if (channelId is { } channel)
            query = query.Where(c => c.ChannelId == channel);
        if (tagId is { } tag)
            query = query.Where(c => db.ConversationTagLinks.Any(l => l.ConversationId == c.Id && l.TagId == tag));
        if (unread == true)
            query = query.Where(c => c.UnreadCount > 0);
        if (slaBreached == true)
            query = query.Where(c => c.SlaFirstResponseBreached || c.SlaResolutionBreached);
        if (!string.IsNullOrWhiteSpace(q))
        {
            var contactPattern = ContactService.SearchPattern(q);
            var textPattern = $"%{q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";
            query = db.IsSqlite
                ? query.Where(c => db.Contacts.Any(k => k.Id == c.ContactId && EF.Functions.Like(k.SearchText, contactPattern, "\\"))
                    || db.Messages.Any(m => m.ConversationId == c.Id && EF.Functions.Like(m.Text!, textPattern, "\\")))
                : query.Where(c => db.Contacts.Any(k => k.Id == c.ContactId && EF.Functions.Like(k.SearchText, contactPattern, "\\"))
                    || db.Messages.Any(m => m.ConversationId == c.Id && EF.Functions.ILike(m.Text!, textPattern, "\\")));
        }

        // The tabs' counts apply every filter but the status. The everyday views (everyone's, one assignee's, unassigned) read
        // the trigger-kept counters; other filters count their matches in one grouped query.
        var onlyAssignee = departmentId is null && channelId is null && tagId is null && unread != true && slaBreached != true && string.IsNullOrWhiteSpace(q);
        var counts = onlyAssignee
            ? await CountersAsync(db, assignee, scope.UserId, cancellationToken)
            : await query.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        if (statusFilter is { } wanted)
            query = query.Where(c => c.Status == wanted);
        if (position is not null)
        {
            var at = new DateTimeOffset(long.Parse(position.Value!, CultureInfo.InvariantCulture), TimeSpan.Zero);
            query = query.Where(c => c.LastMessageAt < at || (c.LastMessageAt == at && c.Id < position.Id));
        }
        var page = await query.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(take + 1)
            .Select(c => new { c.Id, c.LastMessageAt }).ToListAsync(cancellationToken);
        var next = page.Count > take
            ? new Cursor(page[take - 1].LastMessageAt!.Value.UtcTicks.ToString(CultureInfo.InvariantCulture), page[take - 1].Id).Encode()
            : null;
        var items = await views.SummariesAsync(page.Take(take).Select(p => p.Id).ToList(), cancellationToken);
        return TypedResults.Ok(new ConversationPage(items, next, new StatusCounts(
            counts.GetValueOrDefault(ConversationStatus.New), counts.GetValueOrDefault(ConversationStatus.Open), counts.GetValueOrDefault(ConversationStatus.Pending),
            counts.GetValueOrDefault(ConversationStatus.Snoozed), counts.GetValueOrDefault(ConversationStatus.Resolved), counts.GetValueOrDefault(ConversationStatus.Archived))));
    }

    private static async Task<Dictionary<ConversationStatus, int>> CountersAsync(SwitchboardDbContext db, string? assignee, long? me,
        CancellationToken cancellationToken)
    {
        var counters = db.ConversationCounts.AsNoTracking();
        counters = assignee switch
        {
            null or "" or "all" => counters,
            "me" => counters.Where(c => c.AssignedToId == me),
            "unassigned" => counters.Where(c => c.AssignedToId == 0),
            _ => counters.Where(c => c.AssignedToId == long.Parse(assignee, CultureInfo.InvariantCulture)),
        };
        return await counters.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Sum(c => c.N) })
            .ToDictionaryAsync(g => g.Key, g => (int)g.Count, cancellationToken);
    }

    private static async Task<Results<Ok<ConversationSummary>, ProblemHttpResult>> Get(long id, ConversationViews views, CancellationToken cancellationToken) =>
        await views.SummaryAsync(id, cancellationToken) is { } summary ? TypedResults.Ok(summary) : Problems.NotFound("Conversation");

    private static async Task<Results<Ok<ConversationSummary>, ProblemHttpResult, ValidationProblem>> Update(
        long id, UpdateConversationRequest request, SwitchboardDbContext db, InboxEvents events, ConversationViews views, TimeProvider clock,
        AuditDetails audit, CancellationToken cancellationToken)
    {
        var conversation = await db.FindForChangeAsync(id, cancellationToken);
        if (conversation is null)
            return Problems.NotFound("Conversation");
        var now = clock.GetUtcNow();
        var validation = new Validation();
        if (request.Status == ConversationStatus.Snoozed && (request.SnoozedUntil is null || request.SnoozedUntil <= now))
            validation.Add("snoozedUntil", "is required in the future to snooze a conversation.");
        if (request.SnoozedUntil is not null && request.Status is not (null or ConversationStatus.Snoozed))
            validation.Add("snoozedUntil", "only goes with status snoozed.");
        if (!validation.IsValid)
            return validation.ToResult();
        if (request.Status is { } status && status != conversation.Status)
        {
            audit.Meta["from"] = conversation.Status.ToString();
            audit.Meta["to"] = status.ToString();
            conversation.Status = status;
            conversation.ResolvedAt = status == ConversationStatus.Resolved ? now : null;
            SlaRules.Check(conversation);
            conversation.SnoozedUntil = status == ConversationStatus.Snoozed ? request.SnoozedUntil : null;
        }
        else if (request.SnoozedUntil is { } until && conversation.Status == ConversationStatus.Snoozed)
        {
            conversation.SnoozedUntil = until;
        }
        if (request.Priority is { } priority)
            conversation.Priority = priority;
        conversation.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await events.ConversationUpdatedAsync(id, created: false, cancellationToken);
        return TypedResults.Ok((await views.SummaryAsync(id, cancellationToken))!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(long id, SwitchboardDbContext db, InboxEvents events,
        CancellationToken cancellationToken)
    {
        var conversation = await db.FindForChangeAsync(id, cancellationToken);
        if (conversation is null)
            return Problems.NotFound("Conversation");
        if (conversation.UnreadCount > 0)
        {
            conversation.UnreadCount = 0;
            await db.SaveChangesAsync(cancellationToken);
            await events.ConversationUpdatedAsync(id, created: false, cancellationToken);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Page<MessageView>>, ProblemHttpResult, ValidationProblem>> History(
        long id, SwitchboardDbContext db, ConversationViews views, string? before, int? limit, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var take = limit ?? DefaultHistoryLimit;
        if (take is < 1 or > MaxLimit)
            validation.Add("limit", $"must be between 1 and {MaxLimit}.");
        if (!Cursor.TryDecode(before, out var position))
            validation.Add("before", "is not a cursor this API issued.");
        if (!validation.IsValid)
            return validation.ToResult();
        if (!await db.Conversations.AnyAsync(c => c.Id == id, cancellationToken))
            return Problems.NotFound("Conversation");
        var query = db.Messages.AsNoTracking().Where(m => m.ConversationId == id);
        if (position is not null)
        {
            var at = new DateTimeOffset(long.Parse(position.Value!, CultureInfo.InvariantCulture), TimeSpan.Zero);
            query = query.Where(m => m.CreatedAt < at || (m.CreatedAt == at && m.Id < position.Id));
        }
        var page = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(take + 1)
            .Select(m => new { m.Id, m.CreatedAt }).ToListAsync(cancellationToken);
        var oldest = page.Count > take ? page[take - 1] : null;
        var items = await views.MessagesAsync(page.Take(take).Select(p => p.Id).Reverse().ToList(), cancellationToken);
        return TypedResults.Ok(new Page<MessageView>(items,
            oldest is null ? null : new Cursor(oldest.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), oldest.Id).Encode()));
    }

    private static async Task<IResult> Send(
        long id, HttpRequest http, SwitchboardDbContext db, TenantContext scope, OutboundMessages outbound, ConversationViews views,
        FileStore files, IConfiguration configuration, AuditDetails audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var conversation = await db.FindForChangeAsync(id, cancellationToken);
        if (conversation is null)
            return Problems.NotFound("Conversation");
        var idempotencyKey = http.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
        if (idempotencyKey?.Length > 200)
            return new Validation().Add("Idempotency-Key", "must be at most 200 characters.").ToResult();
        OutboundRequest request;
        if (http.HasFormContentType)
        {
            var (file, failure) = await ReadUploadAsync(http, db, files, clock, cancellationToken);
            if (failure is not null)
                return failure;
            var caption = http.Form["caption"].ToString();
            request = new OutboundRequest(TypeOf(file!.MimeType), caption.Length > 0 ? caption : null, null, file, idempotencyKey);
        }
        else
        {
            var body = await ReadJsonAsync<SendMessageRequest>(http, cancellationToken);
            if (body.Problem is not null)
                return body.Problem;
            var validation = new Validation();
            switch (body.Value!.Type)
            {
                case "note":
                    validation.Required("text", body.Value.Text, MaxTextLength);
                    if (!validation.IsValid)
                        return validation.ToResult();
                    var note = await ConversationNotes.AddAsync(db, scope, conversation.Id, body.Value.Text!.Trim(), pinned: false, clock, cancellationToken);
                    audit.Meta["type"] = "note";
                    return TypedResults.Created($"/api/v1/conversations/{id}/notes/{note.Id}", note);
                case "text":
                    validation.Required("text", body.Value.Text, MaxTextLength);
                    request = new OutboundRequest(MessageType.Text, body.Value.Text?.Trim(), null, null, idempotencyKey);
                    break;
                case "template":
                    var template = body.Value.Template;
                    validation.Required("template.name", template?.Name).Required("template.language", template?.Language, 20);
                    if (template?.Parameters?.Any(p => p is null || p.Length > 1024) == true)
                        validation.Add("template.parameters", "must be strings of at most 1024 characters.");
                    request = new OutboundRequest(MessageType.Template, null,
                        new OutboundTemplate(template?.Name ?? "", template?.Language ?? "", template?.Parameters ?? []), null, idempotencyKey);
                    break;
                default:
                    return validation.Add("type", "must be text, template or note (files are sent as multipart/form-data).").ToResult();
            }
            if (!validation.IsValid)
                return validation.ToResult();
        }
        var (message, refusal) = await outbound.SendAsync(conversation, request, scope.UserId, cancellationToken);
        if (refusal is not null)
            return TypedResults.Problem(new ProblemDetails
            {
                Title = "The message cannot be sent.", Detail = refusal.Detail, Status = StatusCodes.Status422UnprocessableEntity,
                Extensions = { ["code"] = refusal.Code },
            });
        audit.Meta["type"] = request.Type.ToString().ToLowerInvariant();
        audit.Meta["messageId"] = message!.Id.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Accepted($"/api/v1/conversations/{id}/messages/{message.Id}", await views.MessageAsync(message.Id, cancellationToken));
    }

    private static async Task<Results<Accepted<MessageView>, ProblemHttpResult>> Retry(long id, long messageId, SwitchboardDbContext db,
        OutboundMessages outbound, ConversationViews views, CancellationToken cancellationToken)
    {
        var message = await db.Messages.FirstOrDefaultAsync(m => m.Id == messageId && m.ConversationId == id, cancellationToken);
        if (message is null)
            return Problems.NotFound("Message");
        if (message is not { Direction: MessageDirection.Outbound, Status: MessageStatus.Failed })
            return TypedResults.Problem(title: "Conflict", detail: "Only a failed outbound message can be retried.", statusCode: StatusCodes.Status409Conflict);
        await outbound.RetryAsync(message, cancellationToken);
        return TypedResults.Accepted($"/api/v1/conversations/{id}/messages/{messageId}", (await views.MessageAsync(messageId, cancellationToken))!);
    }

    private static async Task<Results<UserFileHttpResult, ProblemHttpResult>> Attachment(long id, SwitchboardDbContext db, FileStore files,
        CancellationToken cancellationToken)
    {
        var found = await db.MessageAttachments.AsNoTracking().Where(a => a.Id == id && a.MediaFileId != null)
            .Join(db.MediaFiles, a => a.MediaFileId, f => f.Id, (a, f) => new { a.Filename, File = f }).FirstOrDefaultAsync(cancellationToken);
        return found is null
            ? Problems.NotFound("Attachment")
            : FileResponsePolicy.Serve(files.OpenRead(found.File.StorageUrl), found.File.MimeType, found.Filename ?? found.File.OriginalFilename, found.File.Id);
    }

    /// <summary>The message type a file of <paramref name="mimeType"/> makes (also for files customers send).</summary>
    internal static MessageType TypeOf(string mimeType) => mimeType.Split('/')[0] switch
    {
        "image" => MessageType.Image,
        "video" => MessageType.Video,
        "audio" => MessageType.Audio,
        _ => MessageType.Document,
    };

    private static async Task<(MediaFile? File, IResult? Problem)> ReadUploadAsync(HttpRequest http, SwitchboardDbContext db, FileStore files,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var form = await http.ReadFormAsync(cancellationToken);
        if (form.Files.GetFile("file") is not { Length: > 0 } upload)
            return (null, new Validation().Add("file", "is required (a non-empty file).").ToResult());
        if (upload.Length > files.MaxBytes)
            return (null, TypedResults.Problem(title: "Payload too large", detail: $"Files may be at most {files.MaxBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge));
        var type = MediaTypes.Normalize(upload.ContentType);
        if (!MediaTypes.IsStorable(type))
            return (null, TypedResults.Problem(title: "Unsupported media type", statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: $"Files of type {type} cannot be sent: send images, audio, video, PDF, Office documents, text, ZIP or application/octet-stream."));
        await using var content = upload.OpenReadStream();
        var stored = await files.SaveAsync(db.CurrentTenantId!.Value, content, cancellationToken);
        var file = new MediaFile
        {
            StorageUrl = stored.Path, MimeType = type,
            FileSize = stored.Size, Sha256 = stored.Sha256, OriginalFilename = Path.GetFileName(upload.FileName), CreatedAt = clock.GetUtcNow(),
        };
        db.MediaFiles.Add(file);
        await db.SaveChangesAsync(cancellationToken);
        return (file, null);
    }

    private static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest http, CancellationToken cancellationToken)
    {
        if (!http.HasJsonContentType())
            return (default, TypedResults.Problem(title: "Unsupported media type", detail: "Send application/json, or multipart/form-data with a file.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        try
        {
            var options = http.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>();
            var value = await http.ReadFromJsonAsync<T>(options.Value.SerializerOptions, cancellationToken);
            return value is null ? (default, Problems.BadRequest("The body is empty.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (default, Problems.BadRequest($"The body is not valid JSON: {e.Message}"));
        }
    }
}
