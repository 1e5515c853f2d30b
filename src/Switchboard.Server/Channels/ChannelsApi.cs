using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Network;
using Switchboard.Platform.Security;
using Switchboard.Tenancy;

namespace Switchboard.Channels;

public sealed record ChannelView(long Id, ChannelType Type, string Name, ChannelStatus Status, JsonObject Settings,
    IReadOnlyList<string> SecretsSet, IReadOnlyDictionary<string, string> WebhookUrls, IReadOnlyList<long> DepartmentIds,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateChannelRequest(ChannelType? Type, string? Name, JsonObject? Settings, List<long>? DepartmentIds);

/// <summary>A change: <c>settings</c> keys given replace (null removes an optional one); secrets left out are kept.</summary>
public sealed record UpdateChannelRequest(string? Name, ChannelStatus? Status, JsonObject? Settings, List<long>? DepartmentIds);

/// <summary>Provider accounts of the caller's tenant. Secrets go in, never out: answers say which secrets are set.</summary>
public static class ChannelsApi
{
    public static void MapChannelsApi(this RouteGroupBuilder api)
    {
        var channels = api.MapGroup("/channels").WithTags("Channels");
        channels.MapGet("/", List).RequirePermission(Permission.ChannelsRead);
        channels.MapGet("/{id:long}", Get).RequirePermission(Permission.ChannelsRead);
        channels.MapPost("/", Create).RequirePermission(Permission.ChannelsManage).Audited("channels.create");
        channels.MapPatch("/{id:long}", Update).RequirePermission(Permission.ChannelsManage).Audited("channels.update");
        channels.MapDelete("/{id:long}", Delete).RequirePermission(Permission.ChannelsManage).Audited("channels.delete");
        channels.MapPost("/{id:long}/test", TestConnection).RequirePermission(Permission.ChannelsManage).Audited("channels.test");
    }

    private static ChannelView View(Channel channel, SecretProtector secrets, HttpRequest request, ChannelWebhookUrls urls) =>
        new(channel.Id, channel.Type, channel.Name, channel.Status, channel.Settings,
            ChannelSecrets.Read(channel, secrets).Select(s => s.Key).Order().ToList(), urls.For(channel, request),
            channel.Departments.Select(d => d.DepartmentId).Order().ToList(), channel.CreatedAt, channel.UpdatedAt);

    private static async Task<Ok<ItemList<ChannelView>>> List(SwitchboardDbContext db, SecretProtector secrets, HttpRequest request,
        ChannelWebhookUrls urls, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<ChannelView>((await db.Channels.AsNoTracking().Include(c => c.Departments).OrderBy(c => c.Name)
            .ToListAsync(cancellationToken)).Select(c => View(c, secrets, request, urls)).ToList()));

    private static async Task<Results<Ok<ChannelView>, ProblemHttpResult>> Get(long id, SwitchboardDbContext db, SecretProtector secrets,
        HttpRequest request, ChannelWebhookUrls urls, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().Include(c => c.Departments).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        return channel is null ? Problems.NotFound("Channel") : TypedResults.Ok(View(channel, secrets, request, urls));
    }

    private static async Task ValidateDepartmentsAsync(List<long>? departmentIds, SwitchboardDbContext db, Validation validation, CancellationToken cancellationToken)
    {
        if (departmentIds is not { Count: > 0 })
            return;
        var known = await db.Departments.Where(d => departmentIds.Contains(d.Id)).Select(d => d.Id).ToListAsync(cancellationToken);
        foreach (var unknown in departmentIds.Except(known))
            validation.Add("departmentIds", $"department {unknown} does not exist.");
    }

    /// <summary>Stores a validated settings object: plain values as JSON, secrets encrypted.</summary>
    private static void Store(Channel channel, JsonObject settings, SecretProtector secrets)
    {
        var (plain, secret) = ChannelSettings.Split(channel.Type, settings);
        channel.Settings = plain;
        ChannelSecrets.Write(channel, secret, secrets);
    }

    private static void SetDepartments(Channel channel, List<long> departmentIds)
    {
        channel.Departments.RemoveAll(d => !departmentIds.Contains(d.DepartmentId));
        channel.Departments.AddRange(departmentIds.Distinct().Where(id => channel.Departments.All(d => d.DepartmentId != id))
            .Select(id => new ChannelDepartment { DepartmentId = id }));
    }

    private static async Task<Results<Created<ChannelView>, ValidationProblem, ProblemHttpResult>> Create(
        CreateChannelRequest request, SwitchboardDbContext db, SecretProtector secrets, HttpRequest http, ChannelWebhookUrls urls, OutboundGuard guard,
        TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("name", request.Name, 100);
        if (request.Type is null)
            validation.Add("type", "is required: whatsapp, twilio_sms, twilio_whatsapp, email or webchat.");
        else
            ChannelSettings.Validate(request.Type.Value, request.Settings ?? new JsonObject(), validation, guard);
        await ValidateDepartmentsAsync(request.DepartmentIds, db, validation, cancellationToken);
        if (!validation.IsValid)
            return validation.ToResult();
        if (await db.Channels.AnyAsync(c => c.Name == request.Name!.Trim(), cancellationToken))
            return Problems.Conflict("A channel with that name exists.");

        var now = clock.GetUtcNow();
        var channel = new Channel { Type = request.Type!.Value, Name = request.Name!.Trim(), CreatedAt = now, UpdatedAt = now };
        Store(channel, request.Settings!, secrets);
        SetDepartments(channel, request.DepartmentIds ?? []);
        db.Channels.Add(channel);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["channelId"] = channel.Id;
        audit.Meta["type"] = channel.Type.ToString();
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", View(channel, secrets, http, urls));
    }

    private static async Task<Results<Ok<ChannelView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, UpdateChannelRequest request, SwitchboardDbContext db, SecretProtector secrets, HttpRequest http, ChannelWebhookUrls urls, OutboundGuard guard,
        TimeProvider clock, AuditDetails audit, WebhookChannelCache webhookChannels, CancellationToken cancellationToken)
    {
        // After the commit: a webhook arriving meanwhile could otherwise cache the old settings again.
        db.AfterCommit(() => webhookChannels.Forget(id));
        var channel = await db.Channels.Include(c => c.Departments).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
            return Problems.NotFound("Channel");
        var validation = new Validation();
        if (request.Name is not null)
            validation.Required("name", request.Name, 100);
        // The change is checked as the whole settings object it produces, so required settings cannot be removed.
        var merged = (JsonObject)channel.Settings.DeepClone();
        foreach (var (key, value) in ChannelSecrets.Read(channel, secrets))
            merged[key] = value?.DeepClone();
        foreach (var (key, value) in request.Settings ?? [])
        {
            if (value is null)
                merged.Remove(key);
            else
                merged[key] = value.DeepClone();
        }
        ChannelSettings.Validate(channel.Type, merged, validation, guard);
        await ValidateDepartmentsAsync(request.DepartmentIds, db, validation, cancellationToken);
        if (!validation.IsValid)
            return validation.ToResult();
        if (request.Name is not null && await db.Channels.AnyAsync(c => c.Name == request.Name.Trim() && c.Id != id, cancellationToken))
            return Problems.Conflict("A channel with that name exists.");

        if (request.Name is not null)
            channel.Name = request.Name.Trim();
        if (request.Status is not null)
            channel.Status = request.Status.Value;
        Store(channel, merged, secrets);
        if (request.DepartmentIds is not null)
            SetDepartments(channel, request.DepartmentIds);
        channel.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        // Names of the settings that changed, never their values (some are secrets).
        audit.Meta["settings"] = string.Join(",", (request.Settings ?? []).Select(s => s.Key).Order());
        return TypedResults.Ok(View(channel, secrets, http, urls));
    }

    private static async Task<Results<Ok<ConnectionTestResult>, ProblemHttpResult>> TestConnection(long id, SwitchboardDbContext db,
        SecretProtector secrets, ChannelConnectionTester tester, AuditDetails audit, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
            return Problems.NotFound("Channel");
        var result = await tester.TestAsync(channel, ChannelSecrets.Read(channel, secrets), cancellationToken);
        audit.Meta["ok"] = result.Ok;
        return TypedResults.Ok(result);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, SwitchboardDbContext db, WebhookChannelCache webhookChannels,
        CancellationToken cancellationToken)
    {
        // After the commit: a webhook arriving meanwhile could otherwise cache the old settings again.
        db.AfterCommit(() => webhookChannels.Forget(id));
        var channel = await db.Channels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (channel is null)
            return Problems.NotFound("Channel");
        db.Channels.Remove(channel);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
