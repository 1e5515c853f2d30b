using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Switchboard.Contacts;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Channels.WebChat;

public sealed record WidgetColors(string Primary, string Background);

public sealed record WidgetSettings(string Greeting, WidgetColors Colors);

public sealed record StartSessionRequest(string? Name, string? Email);

public sealed record StartedSession(long SessionId, string Token, string Greeting, WidgetColors Colors);

public sealed record VisitorMessageRequest(string? Text);

/// <summary>The thread; <c>EndedAt</c> is set once the visitor ended the chat (it can be read, not written to).</summary>
public sealed record VisitorThreadPage(IReadOnlyList<VisitorMessage> Items, DateTimeOffset? EndedAt);

/// <summary>The website chat's public side (docs/providers.md): the widget's API under <c>/widget-api/{channelId}</c> (CORS
/// per channel, rate limited, visitors authenticated by their session token), its hub, its script and a demo page.</summary>
public static class WidgetApi
{
    public const int MaxTextLength = 4000;
    public const int MaxNameLength = 100;
    public const string ScriptFile = "switchboard-widget.js";
    /// <summary>What agents read in the thread when the visitor ends the chat.</summary>
    public const string EndedText = "The visitor ended the chat.";

    public static void MapWebChat(this IEndpointRouteBuilder app)
    {
        var widget = app.MapGroup("/widget-api/{channelId:long}").WithTags("Web chat widget")
            .RequireCors(WebChatCorsPolicyProvider.Policy).AddEndpointFilter<WidgetChannelFilter>();
        widget.MapGet("/", Settings).AllowAnonymous();
        widget.MapPost("/sessions", StartSession).AllowAnonymous().RequireRateLimiting(WebChatRateLimits.SessionStarts);
        var visitor = widget.MapGroup("").RequireAuthorization(VisitorAuthentication.Policy);
        visitor.MapGet("/messages", Thread);
        visitor.MapPost("/messages", Send).RequireRateLimiting(WebChatRateLimits.Messages);
        visitor.MapPost("/read", Read);
        visitor.MapPost("/end", End);
        app.MapHub<WidgetHub>(WidgetHub.Path);

        var assets = app.MapGroup("/widget").AllowAnonymous().ExcludeFromDescription();
        assets.MapGet("/{channelId:long}.js", Script);
        assets.MapGet("/{channelId:long}", DemoPage);
    }

    private static WidgetSettings SettingsOf(Channel channel) => new(
        WebChatChannels.Setting(channel, "greeting", WebChatChannels.DefaultGreeting),
        new WidgetColors(WebChatChannels.Setting(channel, "primaryColor", WebChatChannels.DefaultPrimaryColor),
            WebChatChannels.Setting(channel, "backgroundColor", WebChatChannels.DefaultBackgroundColor)));

    /// <summary>What the widget shows before a session exists: the greeting and the colours.</summary>
    private static async Task<Ok<WidgetSettings>> Settings(HttpRequest request) =>
        TypedResults.Ok(SettingsOf((await WebChatChannels.FindAsync(request.HttpContext))!));

    /// <summary>Starts a visitor's chat: a contact (found by email when given), a conversation of its own on the channel,
    /// and the session whose token only the visitor's browser holds.</summary>
    private static async Task<Results<Created<StartedSession>, ValidationProblem>> StartSession(
        StartSessionRequest? request, HttpContext http, SwitchboardDbContext db, ContactService contacts, InboxEvents events, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var channel = (await WebChatChannels.FindAsync(http))!;
        var name = request?.Name?.Trim() is { Length: > 0 } given ? given : null;
        var email = string.IsNullOrWhiteSpace(request?.Email) ? null : Formats.NormalizeEmail(request.Email);
        var validation = new Validation().MaxLength("name", name, MaxNameLength);
        if (!string.IsNullOrWhiteSpace(request?.Email) && email is null)
            validation.Add("email", "must be an email address.");
        if (!validation.IsValid)
            return validation.ToResult();

        var now = clock.GetUtcNow();
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        var clientName = name ?? $"Website visitor {RandomNumberGenerator.GetHexString(4)}";
        Contact contact;
        if (email is not null)
        {
            contact = await contacts.FindOrCreateByEmailAsync(email, name, cancellationToken);
        }
        else
        {
            contact = new Contact { Name = "" };
            contacts.Apply(contact, new ContactRequest(clientName, null, null, null, null, null, new OptIns(null, null, null), null, null, null, null).AllPresent());
            db.Contacts.Add(contact);
            await db.SaveChangesAsync(cancellationToken);
        }
        // Each session has a conversation of its own (its thread key), so a visitor who gives someone else's email joins
        // that contact but never reads their chats. Routed like inbound messages: to the channel's only department.
        var conversation = new Conversation
        {
            ContactId = contact.Id, ChannelId = channel.Id, Platform = ChannelType.Webchat,
            PlatformConversationId = "webchat:" + RandomNumberGenerator.GetHexString(32, lowercase: true),
            DepartmentId = channel.Departments.Count == 1 ? channel.Departments[0].DepartmentId : null, CreatedAt = now, UpdatedAt = now,
        };
        await SlaRules.StartAsync(db, conversation, cancellationToken);
        db.Conversations.Add(conversation);
        await db.SaveChangesAsync(cancellationToken);
        var token = VisitorAuthentication.NewToken();
        var session = new ChatSession
        {
            ChannelId = channel.Id, ContactId = contact.Id, ConversationId = conversation.Id, ClientName = clientName,
            TokenHash = VisitorAuthentication.Hash(token), Status = ChatSessionStatus.Active, Platform = "web",
            Origin = http.Request.Headers.Origin.ToString() is { Length: > 0 } origin ? origin : null, CreatedAt = now, LastSeenAt = now,
        };
        db.ChatSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        await events.ConversationUpdatedAsync(conversation.Id, created: true, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var settings = SettingsOf(channel);
        return TypedResults.Created($"/widget-api/{channel.Id}/messages", new StartedSession(session.Id, token, settings.Greeting, settings.Colors));
    }

    private static async Task<Ok<VisitorThreadPage>> Thread(ClaimsPrincipal visitor, SwitchboardDbContext db, VisitorThread thread,
        CancellationToken cancellationToken)
    {
        var session = await SessionAsync(db, visitor, cancellationToken);
        return TypedResults.Ok(new VisitorThreadPage(await thread.RecentAsync(session, cancellationToken), session.EndedAt));
    }

    /// <summary>Files the visitor's message like any inbound message (agents see it live in the inbox); the id it gets
    /// stands in for a provider's, unique per channel like theirs. An ended chat takes none: a 409, and nothing stored.</summary>
    private static async Task<Results<Created<VisitorMessage>, ValidationProblem, ProblemHttpResult>> Send(
        VisitorMessageRequest? request, ClaimsPrincipal visitor, HttpContext http, SwitchboardDbContext db, InboundMessages inbound, VisitorThread thread,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var text = request?.Text?.Trim();
        var validation = new Validation().Required("text", text, MaxTextLength);
        if (!validation.IsValid)
            return validation.ToResult();
        var channel = (await WebChatChannels.FindAsync(http))!;
        var providerId = "wc_" + Guid.NewGuid().ToString("N");

        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        if (!await TouchActiveAsync(db, visitor, s => s.SetProperty(x => x.LastSeenAt, clock.GetUtcNow()), cancellationToken))
            return Problems.Conflict("This chat has ended, so it takes no more messages: start a new chat.");
        var session = await SessionAsync(db, visitor, cancellationToken);
        var threadKey = await db.Conversations.Where(c => c.Id == session.ConversationId).Select(c => c.PlatformConversationId).FirstAsync(cancellationToken);
        await inbound.RecordAsync(channel, new InboundMessage(providerId, new InboundSender(session.Id.ToString(CultureInfo.InvariantCulture), session.ClientName,
            session.ContactId), MessageType.Text, text, [], null, ThreadKey: threadKey), cancellationToken);
        var message = await db.Messages.Include(m => m.Attachments).FirstAsync(m => m.ChannelId == channel.Id && m.ProviderMessageId == providerId, cancellationToken);
        // Agents may have archived the last conversation; the thread then goes on in the new one.
        session.ConversationId = message.ConversationId;
        session.LastMessage = InboundMessages.Preview(message.Type, message.Text);
        var view = (await thread.ViewsAsync([message], cancellationToken))[0];
        // The visitor's other tabs show it too.
        thread.Publish(session, VisitorThread.MessageEvent, view);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/widget-api/{channel.Id}/messages", view);
    }

    /// <summary>The visitor has seen every agent message so far.</summary>
    private static async Task<NoContent> Read(ClaimsPrincipal visitor, SwitchboardDbContext db, VisitorThread thread, CancellationToken cancellationToken)
    {
        await thread.AcknowledgeAsync(await SessionAsync(db, visitor, cancellationToken), MessageStatus.Read, null, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The visitor ends the chat: agents get a system message in the thread and the conversation's
    /// <c>chatEndedAt</c>, live; the visitor's other tabs hear <see cref="VisitorThread.EndedEvent"/>. Ending it again
    /// changes nothing. The conversation stays as it is (agents wrap it up and resolve it), and the system message leaves
    /// its unread count, preview and place in the list alone: there is nothing new to answer.</summary>
    private static async Task<NoContent> End(ClaimsPrincipal visitor, SwitchboardDbContext db, VisitorThread thread, InboxEvents events,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        if (!await TouchActiveAsync(db, visitor, s => s.SetProperty(x => x.Status, ChatSessionStatus.Ended).SetProperty(x => x.EndedAt, now),
                cancellationToken))
            return TypedResults.NoContent();
        var session = await SessionAsync(db, visitor, cancellationToken);
        var conversation = (await db.FindForChangeAsync(session.ConversationId, cancellationToken))!;
        var message = new Message
        {
            ConversationId = conversation.Id, ChannelId = session.ChannelId, Direction = MessageDirection.Inbound, Type = MessageType.Text,
            Text = EndedText, SenderType = SenderType.System, Status = MessageStatus.Delivered, DeliveredAt = now, CreatedAt = now, UpdatedAt = now,
        };
        db.Messages.Add(message);
        conversation.MessageCount++;
        conversation.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await events.MessageCreatedAsync(ConversationViews.View(message, null), cancellationToken);
        await events.ConversationUpdatedAsync(conversation.Id, created: false, cancellationToken);
        thread.Publish(session, VisitorThread.EndedEvent, new VisitorChatEnded(now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Applies <paramref name="update"/> to the visitor's session if it is still active; false once it has ended.
    /// The update holds the session's row until the caller commits, so a message and an end from two tabs come one after
    /// the other (nothing is filed after the end, a chat ends once), and the session read after it is as it stands.</summary>
    private static async Task<bool> TouchActiveAsync(SwitchboardDbContext db, ClaimsPrincipal visitor,
        Action<UpdateSettersBuilder<ChatSession>> update, CancellationToken cancellationToken)
    {
        var id = VisitorAuthentication.SessionId(visitor);
        return await db.ChatSessions.Where(s => s.Id == id && s.Status == ChatSessionStatus.Active).ExecuteUpdateAsync(update, cancellationToken) == 1;
    }

    private static Task<ChatSession> SessionAsync(SwitchboardDbContext db, ClaimsPrincipal visitor, CancellationToken cancellationToken)
    {
        var id = VisitorAuthentication.SessionId(visitor);
        return db.ChatSessions.FirstAsync(s => s.Id == id, cancellationToken);
    }

    /// <summary>The built widget, the same file for every channel (it reads its channel from its own URL).</summary>
    private static async Task<IResult> Script(HttpContext http, WebChatOptions options)
    {
        if (await WebChatChannels.FindAsync(http) is null)
            return Problems.NotFound("Web chat channel");
        var file = Path.GetFullPath(Path.Combine(options.WidgetPath, ScriptFile));
        if (!File.Exists(file))
            return TypedResults.Problem(title: "Not found", statusCode: StatusCodes.Status404NotFound,
                detail: "The widget has not been built: run ./run.sh, which builds it, or npm install && npm run build in web/widget.");
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.PhysicalFile(file, "text/javascript; charset=utf-8");
    }

    /// <summary>The channel's <c>widget</c> URL: a page that embeds the widget, to try it and copy the snippet.</summary>
    private static async Task<IResult> DemoPage(HttpContext http, ChannelWebhookUrls urls)
    {
        if (await WebChatChannels.FindAsync(http) is not { } channel)
            return Problems.NotFound("Web chat channel");
        var html = HtmlEncoder.Default;
        var widgetBase = urls.BaseUrl(http.Request);
        var snippet = $"<script src=\"{widgetBase}/widget/{channel.Id}.js\" async></script>";
        // Like any site embedding the widget: its script, API and hub from the widget's address (which may be the public one,
        // not this request's), and inline styles (this page's and the widget's own, in its shadow root).
        var widgetOrigin = new Uri(widgetBase).GetLeftPart(UriPartial.Authority);
        var widgetSockets = "ws" + widgetOrigin["http".Length..];
        http.Response.Headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self' {widgetOrigin}; style-src 'self' 'unsafe-inline'; " +
            $"img-src 'self'; connect-src 'self' {widgetOrigin} {widgetSockets}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return TypedResults.Content($$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{html.Encode(channel.Name)}} · web chat</title>
              <style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #1f2933; }
              pre { background: #f1f3f5; padding: 1rem; overflow-x: auto; border-radius: 6px; }</style>
            </head>
            <body>
              <main>
                <h1>{{html.Encode(channel.Name)}}</h1>
                <p>This page embeds the channel's chat widget: open it with the button in the corner. Messages arrive in the
                Switchboard inbox, and agents' replies appear here live.</p>
                <p>To add the widget to a site, paste this before <code>&lt;/body&gt;</code> and list the site's origin in the
                channel's <code>allowedOrigins</code>:</p>
                <pre><code>{{html.Encode(snippet)}}</code></pre>
              </main>
              {{snippet}}
            </body>
            </html>
            """, "text/html; charset=utf-8");
    }
}
