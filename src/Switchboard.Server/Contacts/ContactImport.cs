using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Contacts;

public enum ImportStatus
{
    Queued,
    Running,
    Completed,
    Failed,
}

public sealed record ImportRowError(long Row, string? Field, string Message);

/// <summary>A CSV import: the uploaded file on disk plus the progress a worker checkpoints after every batch, so a crashed
/// import resumes where it stopped instead of starting over.</summary>
public sealed class ContactImport : ITenantOwned
{
    /// <summary>Row errors kept for display; later ones are only counted.</summary>
    public const int MaxStoredErrors = 1000;

    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string FileName { get; set; }
    public required string StoragePath { get; set; }
    public ImportStatus Status { get; set; } = ImportStatus.Queued;
    public long BytesTotal { get; set; }
    public long BytesProcessed { get; set; }
    public long RowsProcessed { get; set; }
    public long RowsCreated { get; set; }
    public long RowsUpdated { get; set; }
    public long RowsRejected { get; set; }
    public List<ImportRowError> Errors { get; set; } = [];
    public string? FailureReason { get; set; }
    public long? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

internal sealed class ContactImportConfiguration : IEntityTypeConfiguration<ContactImport>
{
    public void Configure(EntityTypeBuilder<ContactImport> builder)
    {
        builder.ToTable("contact_imports");
        builder.Property(i => i.Errors).HasJsonConversion();
        builder.HasIndex(i => new { i.TenantId, i.CreatedAt });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
