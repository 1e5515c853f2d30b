using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Switchboard.Platform.Database;
using Switchboard.Platform.Realtime;

namespace Switchboard.Conversations;

/// <summary>Hears every inbox event inside the unit of work that raised it (outbound webhooks queue their deliveries here,
/// so a delivery exists if and only if the change committed).</summary>
public interface IInboxEventSink
{
    Task OnRaisedAsync(string eventType, JsonNode payload, CancellationToken cancellationToken);
}

/// <summary>Raises the inbox's events: to connected agents (after commit, through the real-time bus) and to the sinks. Call
/// inside the transaction that made the change, after the change is saved (so ids exist), and commit afterwards.</summary>
public sealed class InboxEvents(SwitchboardDbContext db, TenantContext scope, ConversationViews views, IEnumerable<IInboxEventSink> sinks,
    IOptions<JsonOptions> json)
{
    public async Task MessageCreatedAsync(long messageId, CancellationToken cancellationToken) =>
        await MessageCreatedAsync(await views.MessageAsync(messageId, cancellationToken) ?? throw new InvalidOperationException($"Message {messageId} is not saved."),
            cancellationToken);

    /// <summary>For callers that hold the view already (the inbound path builds it from what it just saved).</summary>
    public async Task MessageCreatedAsync(MessageView message, CancellationToken cancellationToken)
    {
        await RaiseAsync("messageCreated", "message.created", new { conversationId = message.ConversationId, message },
            RealtimeAudience.Conversation, message.ConversationId, cancellationToken);
    }

    public Task MessageStatusAsync(Message message, DateTimeOffset at, CancellationToken cancellationToken) =>
        RaiseAsync("messageStatus", "message.status", new
        {
            conversationId = message.ConversationId, messageId = message.Id, status = message.Status, errorCode = message.ErrorCode,
            errorMessage = message.ErrorMessage, at,
        }, RealtimeAudience.Conversation, message.ConversationId, cancellationToken);

    public async Task ConversationUpdatedAsync(long conversationId, bool created, CancellationToken cancellationToken) =>
        await ConversationUpdatedAsync(await views.SummaryAsync(conversationId, cancellationToken)
            ?? throw new InvalidOperationException($"Conversation {conversationId} is not saved."), created, cancellationToken);

    public async Task ConversationUpdatedAsync(ConversationSummary summary, bool created, CancellationToken cancellationToken)
    {
        var conversationId = summary.Id;
        await RaiseAsync("conversationUpdated", created ? "conversation.created" : "conversation.updated", summary,
            RealtimeAudience.Tenant, conversationId, cancellationToken);
    }

    public Task AssignmentChangedAsync(long conversationId, PersonRef? assignedTo, PersonRef? assignedBy, CancellationToken cancellationToken) =>
        RaiseAsync("assignmentChanged", "conversation.assigned", new { conversationId, assignedTo, assignedBy },
            RealtimeAudience.Agent, assignedTo?.Id ?? 0, cancellationToken);

    private async Task RaiseAsync(string hubEvent, string webhookEvent, object payload, RealtimeAudience audience, long targetId,
        CancellationToken cancellationToken)
    {
        var node = JsonSerializer.SerializeToNode(payload, json.Value.SerializerOptions);
        // An unassignment has nobody to tell in person; the conversation update that goes with it reaches the tenant.
        if (audience != RealtimeAudience.Agent || targetId != 0)
            db.PublishAfterCommit(new RealtimeEvent(scope.RequiredTenantId, hubEvent, node, audience, targetId));
        foreach (var sink in sinks)
            await sink.OnRaisedAsync(webhookEvent, node!.DeepClone(), cancellationToken);
    }
}
