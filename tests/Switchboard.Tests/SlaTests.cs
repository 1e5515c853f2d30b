using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>SLA policies and the clock they start on each new conversation: due times, breaches flagged when the answer or
/// the resolution comes late, and by the inbox clock when it has not come at all.</summary>
[Collection(ServerCollection.Name)]
public sealed class SlaTests(Servers servers)
{
    private static async Task<(TenantHandle Tenant, long ChannelId)> TenantWithWhatsAppAsync(Servers servers, DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: MessagingTests.Nowhere), HttpStatusCode.Created);
        return (tenant, channel.Id());
    }

    private static Task<JsonObject> DefaultPolicyAsync(TenantHandle tenant, int minutes = 10, int hours = 2) =>
        tenant.Owner.PostJsonAsync("/api/v1/sla-policies",
            new { name = "Standard", firstResponseTimeMinutes = minutes, resolutionTimeHours = hours, isDefault = true }, HttpStatusCode.Created);

    private static async Task<JsonObject> SlaOfAsync(TenantHandle tenant, long conversation) =>
        (await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}"))["sla"]!.AsObject();

    private static Task TickAsync(TenantHandle tenant) => tenant.Factory.Services.GetRequiredService<InboxClock>().TickAsync(CancellationToken.None);

    [Theory, Providers]
    public async Task Policies_AreCreatedListedChangedAndDeleted_WithOneDefault(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        var bad = await api.PostJsonAsync("/api/v1/sla-policies", new { name = " ", firstResponseTimeMinutes = 0, resolutionTimeHours = 0 }, HttpStatusCode.BadRequest);
        foreach (var field in new[] { "name", "firstResponseTimeMinutes", "resolutionTimeHours" })
            Assert.NotNull(bad["errors"]![field]);

        var standard = await DefaultPolicyAsync(tenant);
        Assert.True(standard["isDefault"]!.GetValue<bool>());
        Assert.True(standard["isActive"]!.GetValue<bool>());
        var vip = await api.PostJsonAsync("/api/v1/sla-policies", new
        {
            name = "VIP", description = "Key accounts", firstResponseTimeMinutes = 5, resolutionTimeHours = 1, isDefault = true,
            conditions = new { priority = "urgent" },
        }, HttpStatusCode.Created);
        await api.PostJsonAsync("/api/v1/sla-policies", new { name = "vip", firstResponseTimeMinutes = 5, resolutionTimeHours = 1 }, HttpStatusCode.Conflict);

        var list = (await api.GetJsonAsync("/api/v1/sla-policies")).Items();
        Assert.Equal(["Standard", "VIP"], list.Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal(["VIP"], list.Where(p => p!["isDefault"]!.GetValue<bool>()).Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal("urgent", list[1]!["conditions"]!["priority"]!.GetValue<string>());

        await api.PatchJsonAsync($"/api/v1/sla-policies/{standard.Id()}", new { resolutionTimeHours = 0 }, HttpStatusCode.BadRequest);
        var changed = await api.PatchJsonAsync($"/api/v1/sla-policies/{standard.Id()}", new { isDefault = true, firstResponseTimeMinutes = 30 }, HttpStatusCode.OK);
        Assert.Equal(30, changed["firstResponseTimeMinutes"]!.GetValue<int>());
        Assert.Equal(2, changed["resolutionTimeHours"]!.GetValue<int>());
        Assert.Equal([standard.Id()], (await api.GetJsonAsync("/api/v1/sla-policies")).Items()
            .Where(p => p!["isDefault"]!.GetValue<bool>()).Select(p => p!.AsObject().Id()));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/sla-policies/{vip.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/sla-policies/{vip.Id()}")).StatusCode);
        Assert.Single((await api.GetJsonAsync("/api/v1/sla-policies")).Items());
    }

    [Theory, Providers]
    public async Task ANewConversation_TakesTheDefaultsDueTimes_AndTheClockFlagsWhatRunsOut(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var before = await MessagingTests.CustomerWritesAsync(tenant, channelId, "15550000701", "Ida", "no policy yet");
        Assert.Null((await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{before}"))["sla"]);

        var policy = await DefaultPolicyAsync(tenant, minutes: 10, hours: 2);
        var conversation = await MessagingTests.CustomerWritesAsync(tenant, channelId, "15550000702", "Joan", "where is my order?");
        var summary = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}");
        var createdAt = summary["createdAt"]!.GetValue<DateTimeOffset>();
        var sla = summary["sla"]!.AsObject();
        Assert.Equal(policy.Id(), sla["policyId"]!.GetValue<long>());
        Assert.Equal(createdAt.AddMinutes(10), sla["firstResponseDueAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(createdAt.AddHours(2), sla["resolutionDueAt"]!.GetValue<DateTimeOffset>());

        await TickAsync(tenant);
        Assert.False((await SlaOfAsync(tenant, conversation))["firstResponseBreached"]!.GetValue<bool>());
        Assert.Empty((await tenant.Owner.GetJsonAsync("/api/v1/conversations?slaBreached=true")).Items());

        await using var agent = await HubClient.ConnectAsync(tenant.Factory, tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter!);
        tenant.Factory.Clock.Advance(TimeSpan.FromMinutes(11));
        await TickAsync(tenant);
        sla = await SlaOfAsync(tenant, conversation);
        Assert.True(sla["firstResponseBreached"]!.GetValue<bool>());
        Assert.False(sla["resolutionBreached"]!.GetValue<bool>());
        // Consoles hear of the breach (after any update still queued from the conversation's creation).
        JsonNode? updated;
        do
            updated = await agent.NextAsync("conversationUpdated", TimeSpan.FromSeconds(10));
        while (updated!["sla"]!["firstResponseBreached"]!.GetValue<bool>() == false);
        Assert.Equal(conversation, updated["id"]!.GetValue<long>());
        Assert.Equal([conversation], (await tenant.Owner.GetJsonAsync("/api/v1/conversations?slaBreached=true")).Items().Select(c => c!.AsObject().Id()));

        tenant.Factory.Clock.Advance(TimeSpan.FromHours(2));
        await TickAsync(tenant);
        Assert.True((await SlaOfAsync(tenant, conversation))["resolutionBreached"]!.GetValue<bool>());

        // The policy's deletion leaves the conversation's clock as it was.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/sla-policies/{policy.Id()}")).StatusCode);
        sla = await SlaOfAsync(tenant, conversation);
        Assert.Null(sla["policyId"]);
        Assert.Equal(createdAt.AddHours(2), sla["resolutionDueAt"]!.GetValue<DateTimeOffset>());
    }

    [Theory, Providers]
    public async Task ATimelyFirstResponse_DoesNotBreach_ButALateResolutionDoes(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        await DefaultPolicyAsync(tenant, minutes: 10, hours: 1);
        var conversation = await MessagingTests.CustomerWritesAsync(tenant, channelId, "15550000703", "Kay", "hello?");

        tenant.Factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages", new { type = "text", text = "On it!" }, HttpStatusCode.Accepted);
        tenant.Factory.Clock.Advance(TimeSpan.FromMinutes(30));
        await TickAsync(tenant);
        Assert.False((await SlaOfAsync(tenant, conversation))["firstResponseBreached"]!.GetValue<bool>());

        // Resolved after the due time, before any sweep: the resolution itself is flagged late.
        tenant.Factory.Clock.Advance(TimeSpan.FromMinutes(40));
        var resolved = await tenant.Owner.PatchJsonAsync($"/api/v1/conversations/{conversation}", new { status = "resolved" }, HttpStatusCode.OK);
        Assert.False(resolved["sla"]!["firstResponseBreached"]!.GetValue<bool>());
        Assert.True(resolved["sla"]!["resolutionBreached"]!.GetValue<bool>());
    }
}
