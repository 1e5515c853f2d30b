using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Platform.Retention;
using Switchboard.Platform.Storage;
using Switchboard.Tests.Infrastructure;
using Switchboard.Webhooks;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class RetentionTests
{
    [Theory, Providers]
    public async Task FinishedRecordsPastTheirTime_AreDeletedInBatches_AndNothingStillInUse(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false", ["Retention:BatchSize"] = "2" });
        var tenant = await factory.CreateTenantAsync();
        var channelId = (await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), System.Net.HttpStatusCode.Created)).Id();
        var now = factory.Clock.GetUtcNow();
        var old = now - TimeSpan.FromDays(40);
        var recent = now - TimeSpan.FromDays(1);
        await factory.QueryAsync(tenant.Id, async db =>
        {
            WebhookEvent Event(string name, DateTimeOffset received, DateTimeOffset? runAt, DateTimeOffset? processedAt) => new()
            {
                ChannelId = channelId, Payload = "{}", PayloadHash = name, ReceivedAt = received, RunAt = runAt, ProcessedAt = processedAt,
            };
            db.WebhookEvents.AddRange(
                Event("old-processed-1", old, null, old), Event("old-processed-2", old, null, old), Event("old-processed-3", old, null, old),
                Event("old-given-up", old, null, null), Event("old-still-due", old, now, null), Event("recent-processed", recent, null, recent));
            var subscription = new WebhookSubscription { Url = "https://hooks.example.com/in", Events = ["message.created"], CreatedAt = old, UpdatedAt = old };
            db.WebhookSubscriptions.Add(subscription);
            await db.SaveChangesAsync();
            WebhookDelivery Delivery(string id, WebhookDeliveryStatus status, DateTimeOffset created) => new()
            {
                SubscriptionId = subscription.Id, EventType = "message.created", EventId = id, Payload = "{}", Status = status, CreatedAt = created,
            };
            db.WebhookDeliveries.AddRange(Delivery("old-delivered", WebhookDeliveryStatus.Succeeded, old), Delivery("old-failed", WebhookDeliveryStatus.Failed, old),
                Delivery("old-pending", WebhookDeliveryStatus.Pending, old), Delivery("recent", WebhookDeliveryStatus.Succeeded, recent));
            db.Jobs.AddRange(
                new Job { Type = "test.retention", Payload = "old-dead", Status = JobStatus.Dead, RunAt = old, CreatedAt = old, CompletedAt = old },
                new Job { Type = "test.retention", Payload = "recent-dead", Status = JobStatus.Dead, RunAt = recent, CreatedAt = recent, CompletedAt = recent });
            return await db.SaveChangesAsync();
        });

        // Stored files: an old upload no message links to (its send was refused), a linked one as old, a fresh unlinked one.
        var contactId = (await tenant.Owner.PostJsonAsync("/api/v1/contacts", new { name = "Filed", phone = "+15550001111" }, System.Net.HttpStatusCode.Created)).Id();
        var store = factory.Services.GetRequiredService<FileStore>();
        async Task<MediaFile> StoredAsync(DateTimeOffset created) => new()
        {
            StorageUrl = (await store.SaveAsync(tenant.Id, new MemoryStream([1, 2, 3]), CancellationToken.None)).Path, MimeType = "image/png", Sha256 = "x",
            FileSize = 3, CreatedAt = created,
        };
        var (unlinkedOld, linkedOld, unlinkedRecent) = (await StoredAsync(old), await StoredAsync(old), await StoredAsync(now));
        await factory.QueryAsync(tenant.Id, async db =>
        {
            db.MediaFiles.AddRange(unlinkedOld, linkedOld, unlinkedRecent);
            var conversation = new Conversation { ContactId = contactId, ChannelId = channelId, Platform = ChannelType.WhatsApp, CreatedAt = old };
            db.Conversations.Add(conversation);
            await db.SaveChangesAsync();
            var message = new Message
            {
                ConversationId = conversation.Id, ChannelId = channelId, Direction = MessageDirection.Inbound, Type = MessageType.Image, CreatedAt = old, UpdatedAt = old,
            };
            message.Attachments.Add(new MessageAttachment { MediaFileId = linkedOld.Id, Type = MessageType.Image, CreatedAt = old });
            db.Messages.Add(message);
            return await db.SaveChangesAsync();
        });

        var deleted = await factory.Services.GetRequiredService<RetentionWorker>().PruneAllAsync(CancellationToken.None);

        Assert.Equal(4, deleted["webhook events"]);
        Assert.Equal(2, deleted["webhook deliveries"]);
        Assert.Equal(1, deleted["dead jobs"]);
        Assert.Equal(["old-still-due", "recent-processed"],
            (await factory.QueryAsync(tenant.Id, db => db.WebhookEvents.Select(e => e.PayloadHash).ToListAsync())).Order());
        Assert.Equal(["old-pending", "recent"], (await factory.QueryAsync(tenant.Id, db => db.WebhookDeliveries.Select(d => d.EventId).ToListAsync())).Order());
        Assert.Equal(1, deleted["unlinked files"]);
        Assert.Equal([linkedOld.Id, unlinkedRecent.Id], (await factory.QueryAsync(tenant.Id, db => db.MediaFiles.Select(f => f.Id).ToListAsync())).Order());
        Assert.Throws<FileNotFoundException>(() => store.OpenRead(unlinkedOld.StorageUrl).Dispose());
        store.OpenRead(linkedOld.StorageUrl).Dispose();
        Assert.Equal(["recent-dead"], await factory.QueryAsync(tenant.Id, db => db.Jobs.Where(j => j.Type == "test.retention").Select(j => j.Payload).ToListAsync()));
    }
}
