using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class JobTests(Servers servers)
{
    [Theory, Providers]
    public async Task SucceededJobs_AreDeletedAfterADay_DeadOnesAndRecentOnesStay(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var now = factory.Clock.GetUtcNow();
        var marker = Guid.NewGuid().ToString("N");
        Job Finished(JobStatus status, TimeSpan ago) => new()
        {
            Type = "test." + marker, Status = status, RunAt = now - ago, CreatedAt = now - ago, CompletedAt = now - ago,
        };
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
            db.Jobs.AddRange(Finished(JobStatus.Succeeded, TimeSpan.FromDays(2)), Finished(JobStatus.Succeeded, TimeSpan.FromHours(1)),
                Finished(JobStatus.Dead, TimeSpan.FromDays(2)));
            await db.SaveChangesAsync();
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(2)); // past the once-a-minute pace, whoever purged last
        var worker = factory.Services.GetServices<IHostedService>().OfType<JobWorker>().Single();
        await worker.PurgeSucceededAsync(CancellationToken.None);

        await using var check = factory.Services.CreateAsyncScope();
        var left = await check.ServiceProvider.GetRequiredService<SwitchboardDbContext>().Jobs.Where(j => j.Type == "test." + marker)
            .Select(j => j.Status).ToListAsync();
        Assert.Equal([JobStatus.Succeeded, JobStatus.Dead], left.Order());
    }
}
