using System.Collections.Concurrent;
using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Platform.Database;
using Switchboard.Platform.Realtime;
using Switchboard.Tenancy;

namespace Switchboard.Identity;

public sealed class LiveConnectionOptions
{
    public const string Section = "Realtime";

    /// <summary>How often every open hub connection is checked again, as a backstop to the immediate check that follows a
    /// change (<see cref="AccessChangeInterceptor"/>): it also catches what no change announced, such as an idle timeout.</summary>
    public TimeSpan ConnectionRecheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Keeps live hub connections honest: a connection is authenticated once, when it opens, so this node tracks its
/// open connections and aborts any whose caller no longer passes the checks a request would (the key revoked or disabled, the
/// session ended, the membership removed or disabled, the role changed, the tenant suspended). It checks a tenant's
/// connections as soon as any node announces an access change there, and all of them every
/// <see cref="LiveConnectionOptions.ConnectionRecheckInterval"/>; <see cref="LiveConnectionFilter"/> checks each hub call.</summary>
internal sealed class LiveConnections(IServiceScopeFactory scopes, LiveConnectionOptions options, TimeProvider clock, ILogger<LiveConnections> logger)
    : BackgroundService
{
    private const string AccessChangedEvent = "accessChanged";
    private readonly ConcurrentDictionary<string, HubCallerContext> open = new();
    private readonly Channel<long> changedTenants = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The bus event telling every node that access may have ended for someone in <paramref name="tenantId"/>.</summary>
    public static RealtimeEvent AccessChanged(long tenantId) => new(tenantId, AccessChangedEvent, null, RealtimeAudience.Access);

    public void Track(HubCallerContext connection) => open[connection.ConnectionId] = connection;

    public void Forget(HubCallerContext connection) => open.TryRemove(connection.ConnectionId, out _);

    /// <summary>Checks the tenant's connections on this node again, soon (called for each <see cref="AccessChanged"/> event).</summary>
    public void Recheck(long tenantId) => changedTenants.Writer.TryWrite(tenantId);

    /// <summary>Whether <paramref name="principal"/>, as authenticated when its connection opened, would still be let in: the
    /// same checks as API-key authentication and session validation, and its role unchanged (a reconnect picks up a new one).</summary>
    public static async Task<bool> StillValidAsync(ClaimsPrincipal? principal, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (principal is null)
            return false;
        var db = services.GetRequiredService<SwitchboardDbContext>();
        if (principal.GetLong(SwitchboardClaims.ApiKeyId) is { } keyId)
        {
            var key = await db.Standings(db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == keyId)).AsNoTracking().FirstOrDefaultAsync(cancellationToken);
            return key is { Refusal: null } && key.Key.Role == principal.GetRole();
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        return await SessionValidation.CheckAsync(principal, db, now, cancellationToken) is { } session && session.Matches(principal);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RecheckPeriodicallyAsync(stoppingToken), RecheckChangedTenantsAsync(stoppingToken));

    private async Task RecheckPeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ConnectionRecheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await RecheckAsync(_ => true, stoppingToken);
    }

    private async Task RecheckChangedTenantsAsync(CancellationToken stoppingToken)
    {
        await foreach (var tenantId in changedTenants.Reader.ReadAllAsync(stoppingToken))
            await RecheckAsync(c => c.User?.GetLong(SwitchboardClaims.TenantId) == tenantId, stoppingToken);
    }

    private async Task RecheckAsync(Func<HubCallerContext, bool> which, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            foreach (var connection in open.Values.Where(which))
            {
                if (!await StillValidAsync(connection.User, scope.ServiceProvider, stoppingToken))
                    connection.Abort();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next pass (or the next hub call) checks again.
            logger.LogWarning(e, "Could not re-check live connections");
        }
    }
}

/// <summary>Checks the caller again on every hub call, refusing it and closing the connection when access has ended; and
/// tells <see cref="LiveConnections"/> which connections are open.</summary>
internal sealed class LiveConnectionFilter(LiveConnections connections) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var caller = invocationContext.Context;
        if (!await LiveConnections.StillValidAsync(caller.User, invocationContext.ServiceProvider, caller.ConnectionAborted))
        {
            caller.Abort();
            throw new HubException("Access has ended or changed; connect again.");
        }
        return await next(invocationContext);
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        connections.Track(context.Context);
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        connections.Forget(context.Context);
        await next(context, exception);
    }
}

/// <summary>Announces, once the change commits, every change that may end someone's live access — an API key revoked, a
/// membership changed or removed, a tenant's status changed — so every node re-checks that tenant's connections at once.
/// One place for every path that saves such a change.</summary>
internal sealed class AccessChangeInterceptor : SaveChangesInterceptor
{
    public static readonly AccessChangeInterceptor Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Announce(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Announce(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Announce(DbContext? context)
    {
        if (context is not SwitchboardDbContext db)
            return;
        foreach (var tenantId in db.ChangeTracker.Entries().Select(AffectedTenant).OfType<long>().Distinct().ToList())
            db.PublishAfterCommit(LiveConnections.AccessChanged(tenantId));
    }

    private static long? AffectedTenant(EntityEntry entry) => (entry.Entity, entry.State) switch
    {
        (ApiKey key, EntityState.Modified or EntityState.Deleted) => key.TenantId,
        (Membership membership, EntityState.Modified or EntityState.Deleted) => membership.TenantId,
        (Tenant tenant, EntityState.Modified) when entry.Property(nameof(Tenant.Status)).IsModified => tenant.Id,
        _ => null,
    };
}

public static class LiveConnectionSetup
{
    /// <summary>Re-checks of live hub connections; add <see cref="LiveConnectionFilter"/> to each hub authenticated as a member or key.</summary>
    public static IServiceCollection AddLiveConnections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(LiveConnectionOptions.Section).Get<LiveConnectionOptions>() ?? new LiveConnectionOptions());
        services.AddSingleton<LiveConnections>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveConnections>());
        services.AddSingleton<LiveConnectionFilter>();
        return services;
    }
}
