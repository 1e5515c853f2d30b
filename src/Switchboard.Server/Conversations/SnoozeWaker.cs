using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>Reopens snoozed conversations whose time has come, so they return to the agents' open lists (and the change
/// reaches connected consoles like any other update). Any node may do it: the update is conditional, so two nodes waking
/// the same conversation change it once.</summary>
internal sealed class SnoozeWaker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SnoozeWaker> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await WakeDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not wake snoozed conversations; trying again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task WakeDueAsync(CancellationToken cancellationToken)
    {
        List<(long TenantId, long Id)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = clock.GetUtcNow();
            // The one cross-tenant read: which conversations are due, to wake each inside its own tenant below.
            due = (await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().Conversations.IgnoreQueryFilters()
                .Where(c => c.Status == ConversationStatus.Snoozed && c.SnoozedUntil <= now)
                .OrderBy(c => c.SnoozedUntil).Take(BatchSize).Select(c => new { c.TenantId, c.Id }).ToListAsync(cancellationToken))
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
                var woken = await db.Conversations.Where(c => c.Id == id && c.Status == ConversationStatus.Snoozed && c.SnoozedUntil <= now)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConversationStatus.Open).SetProperty(c => c.SnoozedUntil, (DateTimeOffset?)null)
                        .SetProperty(c => c.UpdatedAt, now), cancellationToken);
                if (woken == 1)
                    await events.ConversationUpdatedAsync(id, created: false, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
