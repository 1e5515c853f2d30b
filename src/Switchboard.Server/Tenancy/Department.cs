using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Identity;
using Switchboard.Platform.Database;

namespace Switchboard.Tenancy;

public sealed class Department : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>E.164 sender numbers this department sends WhatsApp messages from.</summary>
    public List<string> WhatsAppNumbers { get; set; } = [];
    public List<DepartmentMember> Members { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class DepartmentMember : ITenantOwned
{
    public long TenantId { get; set; }
    public long DepartmentId { get; set; }
    public long UserId { get; set; }
}

internal sealed class DepartmentConfiguration : IEntityTypeConfiguration<Department>
{
    public void Configure(EntityTypeBuilder<Department> builder)
    {
        builder.ToTable("departments");
        builder.HasIndex(d => new { d.TenantId, d.Name }).IsUnique();
        builder.Property(d => d.WhatsAppNumbers).HasColumnName("whatsapp_numbers").HasJsonConversion();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(d => d.Members).WithOne().HasForeignKey(m => m.DepartmentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DepartmentMemberConfiguration : IEntityTypeConfiguration<DepartmentMember>
{
    public void Configure(EntityTypeBuilder<DepartmentMember> builder)
    {
        builder.ToTable("department_members");
        builder.HasKey(m => new { m.DepartmentId, m.UserId });
        builder.HasIndex(m => new { m.TenantId, m.UserId });
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
