using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Contacts;

/// <summary>A customer of a tenant, reachable on several channels.</summary>
public sealed class Contact : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-cased; unique per tenant.</summary>
    public string? Email { get; set; }
    /// <summary>E.164; unique per tenant.</summary>
    public string? Phone { get; set; }
    public List<string> ExtraPhones { get; set; } = [];
    public string? WaId { get; set; }
    public bool? WhatsAppOptIn { get; set; }
    public DateTimeOffset? WhatsAppOptInAt { get; set; }
    public string? WhatsAppOptInSource { get; set; }
    public bool? SmsOptIn { get; set; }
    public DateTimeOffset? SmsOptInAt { get; set; }
    public string? SmsOptInSource { get; set; }
    public bool? EmailOptIn { get; set; }
    public DateTimeOffset? EmailOptInAt { get; set; }
    public string? EmailOptInSource { get; set; }
    public JsonObject CustomAttributes { get; set; } = new();
    /// <summary>The banking fields as one encrypted JSON document (see <see cref="BankingDetails"/>).</summary>
    public string? BankingCiphertext { get; set; }
    public long? AssignedToId { get; set; }
    /// <summary>Lower-cased name, email and phone digits: what free-text search matches against.</summary>
    public string SearchText { get; set; } = "";
    public List<ContactTag> Tags { get; set; } = [];
    public List<ContactDepartment> Departments { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class ContactTag : ITenantOwned
{
    public long TenantId { get; set; }
    public long ContactId { get; set; }
    public required string Tag { get; set; }
}

public sealed class ContactDepartment : ITenantOwned
{
    public long TenantId { get; set; }
    public long ContactId { get; set; }
    public long DepartmentId { get; set; }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.ToTable("contacts");
        builder.Property(c => c.ExtraPhones).HasJsonConversion();
        builder.Property(c => c.CustomAttributes).HasJsonObjectConversion();
        builder.Property(c => c.WhatsAppOptIn).HasColumnName("whatsapp_opt_in");
        builder.Property(c => c.WhatsAppOptInAt).HasColumnName("whatsapp_opt_in_at");
        builder.Property(c => c.WhatsAppOptInSource).HasColumnName("whatsapp_opt_in_source");
        builder.HasIndex(c => new { c.TenantId, c.Phone }).IsUnique();
        builder.HasIndex(c => new { c.TenantId, c.Email }).IsUnique();
        // search_text rides along so the id-only page query reads the index alone (a search scans it, not the table).
        builder.HasIndex(c => new { c.TenantId, c.Name, c.Id, c.SearchText });
        builder.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
        builder.HasIndex(c => new { c.TenantId, c.UpdatedAt, c.Id });
        builder.HasIndex(c => new { c.TenantId, c.AssignedToId });
        builder.HasIndex(c => new { c.TenantId, c.WaId });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.AssignedToId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Departments).WithOne().HasForeignKey(d => d.ContactId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ContactTagConfiguration : IEntityTypeConfiguration<ContactTag>
{
    public void Configure(EntityTypeBuilder<ContactTag> builder)
    {
        builder.ToTable("contact_tags");
        builder.HasKey(t => new { t.ContactId, t.Tag });
        builder.HasIndex(t => new { t.TenantId, t.Tag, t.ContactId });
    }
}

internal sealed class ContactDepartmentConfiguration : IEntityTypeConfiguration<ContactDepartment>
{
    public void Configure(EntityTypeBuilder<ContactDepartment> builder)
    {
        builder.ToTable("contact_departments");
        builder.HasKey(d => new { d.ContactId, d.DepartmentId });
        builder.HasIndex(d => new { d.TenantId, d.DepartmentId, d.ContactId });
        builder.HasOne<Department>().WithMany().HasForeignKey(d => d.DepartmentId).OnDelete(DeleteBehavior.Cascade);
    }
}
