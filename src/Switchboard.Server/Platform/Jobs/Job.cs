using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;

namespace Switchboard.Platform.Jobs;

public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    /// <summary>Gave up after its last attempt; kept for inspection (dead letter).</summary>
    Dead,
}

/// <summary>A unit of durable background work. Written in the same transaction as the change that causes it (outbox), claimed
/// by one worker at a time through a lease, retried with exponential backoff, dead-lettered after its last attempt.</summary>
public sealed class Job : IPlatformEntity
{
    public long Id { get; set; }
    /// <summary>The tenant the work runs for; the worker runs the handler inside that tenant's scope.</summary>
    public long? TenantId { get; set; }
    public required string Type { get; set; }
    public string Payload { get; set; } = "{}";
    public JobStatus Status { get; set; } = JobStatus.Queued;
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; } = 8;
    public DateTimeOffset RunAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        // Claiming: the oldest due job of a status, read off the index in order (no sort of the backlog).
        builder.HasIndex(j => new { j.Status, j.RunAt, j.Id });
    }
}
