using System.Collections.Concurrent;
using Microsoft.AspNetCore.Mvc.Testing;
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

    /// <summary>A job that records each run and waits until its test lets it finish; several tests share it, told apart by payload.</summary>
    private sealed class GateJob : IJobHandler
    {
        public const string JobType = "test.gate";
        public static readonly ConcurrentQueue<string> Runs = new();
        public static readonly ConcurrentQueue<string> Dead = new();
        public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

        public string Type => JobType;

        public async Task RunAsync(Job job, CancellationToken cancellationToken)
        {
            Runs.Enqueue(job.Payload);
            await Gates.GetOrAdd(job.Payload, _ => new TaskCompletionSource()).Task.WaitAsync(cancellationToken);
        }

        public Task OnDeadAsync(Job job, string error, CancellationToken cancellationToken)
        {
            Dead.Enqueue(job.Payload);
            return Task.CompletedTask;
        }
    }

    private static WebApplicationFactory<Program> WithGateJob(SwitchboardFactory factory) =>
        factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddScoped<IJobHandler, GateJob>()));

    private static async Task<T> QueryAsync<T>(WebApplicationFactory<Program> node, Func<SwitchboardDbContext, Task<T>> query)
    {
        await using var scope = node.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(50))
            if (await condition())
                return;
        throw new TimeoutException(what);
    }

    [Fact]
    public async Task ARunningJob_KeepsItsClaimPastItsLease_AndANodeWhoseClockIsAheadCannotTakeIt()
    {
        // Node B's clock is 3 minutes ahead of node A's. A runs a job for longer than its lease (a slow send, a media download):
        // A renews the lease, and lease times come from the database's clock, so B never takes the job from under A.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var settings = new Dictionary<string, string?> { ["Jobs:Lease"] = "00:00:03" };
        await using var a = new SwitchboardFactory(database, settings);
        await using var b = new SwitchboardFactory(database, settings);
        b.Clock.Advance(TimeSpan.FromMinutes(3));
        await using var nodeA = WithGateJob(a);
        await using var nodeB = WithGateJob(b);
        var payload = $"{{\"run\":\"{Guid.NewGuid():N}\"}}";
        await QueryAsync(nodeA, async db =>
        {
            db.Jobs.Add(new Job { Type = GateJob.JobType, Payload = payload, RunAt = a.Clock.GetUtcNow(), CreatedAt = a.Clock.GetUtcNow() });
            return await db.SaveChangesAsync();
        });
        _ = nodeB.Services; // started: its worker sweeps for expired leases every 5 s (of its clock)
        await using var followingA = a.Clock.FollowRealTime();
        await using var followingB = b.Clock.FollowRealTime();
        await WaitUntilAsync(() => Task.FromResult(GateJob.Runs.Contains(payload)), "the job never started");

        await Task.Delay(TimeSpan.FromSeconds(11)); // over three leases, two of B's sweeps
        Assert.Single(GateJob.Runs, payload);
        Assert.Equal(JobStatus.Running, await QueryAsync(nodeA, db => db.Jobs.Where(j => j.Payload == payload).Select(j => j.Status).SingleAsync()));

        GateJob.Gates[payload].SetResult();
        await WaitUntilAsync(async () => await QueryAsync(nodeA, db => db.Jobs.AnyAsync(j => j.Payload == payload && j.Status == JobStatus.Succeeded)),
            "the job did not finish");
        Assert.Single(GateJob.Runs, payload);
    }

    [Theory, Providers]
    public async Task AJobWhoseWorkerDiedInEachAttempt_IsDeadLettered_NotRunAgain(DatabaseProvider provider)
    {
        // A poison job kills its process: the exception handler that counts attempts never runs, only the claim counts them.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var factory = new SwitchboardFactory(database);
        await using var node = WithGateJob(factory);
        var payload = $"{{\"poison\":\"{Guid.NewGuid():N}\"}}";
        var now = factory.Clock.GetUtcNow();
        await QueryAsync(node, async db =>
        {
            db.Jobs.Add(new Job
            {
                Type = GateJob.JobType, Payload = payload, Status = JobStatus.Running, Attempts = 8, MaxAttempts = 8, RunAt = now.AddMinutes(-30),
                LockedBy = "a-node-that-died/claim", LockedUntil = now.AddMinutes(-1), CreatedAt = now.AddMinutes(-30),
            });
            return await db.SaveChangesAsync();
        });

        await using var following = factory.Clock.FollowRealTime(); // the worker looks for expired leases every 5 s
        await WaitUntilAsync(async () => await QueryAsync(node, db => db.Jobs.AnyAsync(j => j.Payload == payload && j.Status == JobStatus.Dead)),
            "the job was not dead-lettered");
        Assert.DoesNotContain(payload, GateJob.Runs);
        Assert.Contains(payload, GateJob.Dead);
    }
}
