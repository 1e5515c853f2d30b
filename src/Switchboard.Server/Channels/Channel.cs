using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Channels;

public enum ChannelType
{
    [JsonStringEnumMemberName("whatsapp")] WhatsApp,
    [JsonStringEnumMemberName("twilio_sms")] TwilioSms,
    [JsonStringEnumMemberName("twilio_whatsapp")] TwilioWhatsApp,
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("webchat")] Webchat,
}

public enum ChannelStatus
{
    Active,
    Disabled,
}

/// <summary>A tenant's account on one provider: a WhatsApp Cloud number, a Twilio sender, a mailbox or a web-chat widget.
/// Plain settings are kept as JSON; the secret ones (tokens, passwords, signing keys) as one encrypted document.</summary>
public sealed class Channel : ITenantOwned
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public ChannelType Type { get; set; }
    public required string Name { get; set; }
    public ChannelStatus Status { get; set; } = ChannelStatus.Active;
    public JsonObject Settings { get; set; } = new();
    public string? SecretsCiphertext { get; set; }
    public List<ChannelDepartment> Departments { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Routes a channel's conversations to a department.</summary>
public sealed class ChannelDepartment : ITenantOwned
{
    public long TenantId { get; set; }
    public long ChannelId { get; set; }
    public long DepartmentId { get; set; }
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> builder)
    {
        builder.ToTable("channels");
        builder.Property(c => c.Settings).HasJsonObjectConversion();
        builder.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Departments).WithOne().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChannelDepartmentConfiguration : IEntityTypeConfiguration<ChannelDepartment>
{
    public void Configure(EntityTypeBuilder<ChannelDepartment> builder)
    {
        builder.ToTable("channel_departments");
        builder.HasKey(d => new { d.ChannelId, d.DepartmentId });
        builder.HasIndex(d => new { d.TenantId, d.DepartmentId });
        builder.HasIndex(d => d.DepartmentId);
        builder.HasOne<Department>().WithMany().HasForeignKey(d => d.DepartmentId).OnDelete(DeleteBehavior.Cascade);
    }
}
