using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>The inbox's time-driven changes: reopens snoozed conversations whose time has come and flags SLAs that ran
/// out without a first response or a resolution, so the change reaches connected consoles like any other update. Any node
/// may run it: each update is conditional, so two nodes sweeping the same conversation change it once.</summary>
internal sealed class InboxClock(IServiceScopeFactory scopes, TimeProvider clock, ILogger<InboxClock> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private const int BatchSize = 500;

    /// <summary>One kind of change: which conversations are due at a time, and what becomes of them.</summary>
    private sealed record Sweep(
        string Name, Func<DateTimeOffset, Expression<Func<Conversation, bool>>> Due, Action<UpdateSettersBuilder<Conversation>> Change);

    private static readonly Sweep[] Sweeps =
    [
        new("snooze", now => c => c.Status == ConversationStatus.Snoozed && c.SnoozedUntil <= now,
            s => s.SetProperty(c => c.Status, ConversationStatus.Open).SetProperty(c => c.SnoozedUntil, (DateTimeOffset?)null)),
        new("SLA first response", SlaRules.FirstResponseOverdue, s => s.SetProperty(c => c.SlaFirstResponseBreached, true)),
        new("SLA resolution", SlaRules.ResolutionOverdue, s => s.SetProperty(c => c.SlaResolutionBreached, true)),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            foreach (var sweep in Sweeps)
            {
                try
                {
                    await RunAsync(sweep, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "The {Sweep} sweep failed; trying again in {Interval}", sweep.Name, Interval);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Every sweep once, now (tests call this instead of waiting for the timer).</summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        foreach (var sweep in Sweeps)
            await RunAsync(sweep, cancellationToken);
    }

    private async Task RunAsync(Sweep sweep, CancellationToken cancellationToken)
    {
        List<(long TenantId, long Id)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // The one cross-tenant read: which conversations are due, to change each inside its own tenant below.
            due = (await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().Conversations.IgnoreQueryFilters()
                .Where(sweep.Due(clock.GetUtcNow())).OrderBy(c => c.Id).Take(BatchSize).Select(c => new { c.TenantId, c.Id }).ToListAsync(cancellationToken))
                .Select(c => (c.TenantId, c.Id)).ToList();
        }
        foreach (var tenant in due.GroupBy(d => d.TenantId))
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenant.Key);
            var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
            var events = scope.ServiceProvider.GetRequiredService<InboxEvents>();
            await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
            var now = clock.GetUtcNow();
            foreach (var (_, id) in tenant)
            {
                var changed = await db.Conversations.Where(c => c.Id == id).Where(sweep.Due(now))
                    .ExecuteUpdateAsync(s => sweep.Change(s.SetProperty(c => c.UpdatedAt, now)), cancellationToken);
                if (changed == 1)
                    await events.ConversationUpdatedAsync(id, created: false, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
