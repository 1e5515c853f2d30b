using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Switchboard.Audit;
using Switchboard.Channels;
using Switchboard.Channels.WebChat;
using Switchboard.Contacts;
using Switchboard.Conversations;
using Switchboard.Identity;
using Switchboard.Platform.Jobs;
using Switchboard.Platform.Realtime;
using Switchboard.Platform.Security;
using Switchboard.Tenancy;
using Switchboard.Webhooks;

namespace Switchboard.Platform.Database;

public sealed class SwitchboardDbContext(DbContextOptions<SwitchboardDbContext> options, TenantContext tenant) : DbContext(options)
{
    /// <summary>The tenant every <see cref="ITenantOwned"/> query is filtered to. EF reads it per query, so one model serves
    /// every tenant; null (no tenant entered) matches nothing, so forgetting to enter a tenant fails closed.</summary>
    public long? CurrentTenantId => tenant.TenantId;

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();
    public DbSet<Department> Departments => Set<Department>();
    public DbSet<DepartmentMember> DepartmentMembers => Set<DepartmentMember>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<ContactTag> ContactTags => Set<ContactTag>();
    public DbSet<ContactDepartment> ContactDepartments => Set<ContactDepartment>();
    public DbSet<ContactImport> ContactImports => Set<ContactImport>();
    public DbSet<Channel> Channels => Set<Channel>();
    public DbSet<ChannelDepartment> ChannelDepartments => Set<ChannelDepartment>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<ConversationCount> ConversationCounts => Set<ConversationCount>();
    public DbSet<MessageStatusUpdate> MessageStatusUpdates => Set<MessageStatusUpdate>();
    public DbSet<MessageAttachment> MessageAttachments => Set<MessageAttachment>();
    public DbSet<MediaFile> MediaFiles => Set<MediaFile>();
    public DbSet<ConversationNote> ConversationNotes => Set<ConversationNote>();
    public DbSet<ConversationTag> ConversationTags => Set<ConversationTag>();
    public DbSet<ConversationTagLink> ConversationTagLinks => Set<ConversationTagLink>();
    public DbSet<ConversationAssignment> ConversationAssignments => Set<ConversationAssignment>();
    public DbSet<ConversationTransfer> ConversationTransfers => Set<ConversationTransfer>();
    public DbSet<CannedResponse> CannedResponses => Set<CannedResponse>();
    public DbSet<SlaPolicy> SlaPolicies => Set<SlaPolicy>();
    public DbSet<MessageTemplate> MessageTemplates => Set<MessageTemplate>();
    public DbSet<ChatSession> ChatSessions => Set<ChatSession>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    private List<RealtimeEvent> pendingEvents = [];
    private List<Action> afterCommit = [];

    /// <summary>Queues a real-time event to publish once this unit of work commits (never if it fails).</summary>
    public void PublishAfterCommit(RealtimeEvent e) => pendingEvents.Add(e);

    /// <summary>Runs <paramref name="action"/> once this unit of work commits (never if it fails): e.g. waking the job worker
    /// only when the job it should find is visible.</summary>
    public void AfterCommit(Action action) => afterCommit.Add(action);

    internal bool HasPendingEvents => pendingEvents.Count > 0;

    /// <summary>Takes the queued events alone (they are being sent inside the committing transaction); the actions wait for the commit.</summary>
    internal IReadOnlyList<RealtimeEvent> TakePendingEvents()
    {
        var taken = pendingEvents;
        pendingEvents = [];
        return taken;
    }

    internal (IReadOnlyList<RealtimeEvent> Events, IReadOnlyList<Action> Actions) TakePendingWork()
    {
        var taken = (pendingEvents, afterCommit);
        pendingEvents = [];
        afterCommit = [];
        return taken;
    }

    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>();
        if (IsSqlite)
        {
            // SQLite has no timestamp type: UTC ticks keep ordering and range comparisons in SQL.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SwitchboardDbContext).Assembly);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            ApplySnakeCaseNames(entity);
            if (typeof(ITenantOwned).IsAssignableFrom(entity.ClrType))
                entity.SetQueryFilter(BuildTenantFilter(entity.ClrType));
        }
        if (!IsSqlite)
        {
            modelBuilder.HasPostgresExtension("pg_trgm");
            modelBuilder.HasPostgresExtension("btree_gin");
            // Substring search within one tenant: trigrams of search_text, narrowed by tenant inside the same index.
            modelBuilder.Entity<Contact>().HasIndex(c => new { c.TenantId, c.SearchText }).HasDatabaseName("ix_contacts_tenant_id_search_text")
                .HasMethod("gin").HasOperators("int8_ops", "gin_trgm_ops");
            // The inbox search looks inside message text.
            modelBuilder.Entity<Message>().HasIndex(m => new { m.TenantId, m.Text }).HasDatabaseName("ix_messages_tenant_id_text")
                .HasMethod("gin").HasOperators("int8_ops", "gin_trgm_ops");
        }
    }

    private LambdaExpression BuildTenantFilter(Type entityType)
    {
        var row = Expression.Parameter(entityType, "row");
        var rowTenant = Expression.Convert(Expression.Property(row, nameof(ITenantOwned.TenantId)), typeof(long?));
        var current = Expression.Property(Expression.Constant(this), nameof(CurrentTenantId));
        return Expression.Lambda(Expression.Equal(rowTenant, current), row);
    }

    private static void ApplySnakeCaseNames(IMutableEntityType entity)
    {
        foreach (var property in entity.GetProperties())
        {
            if (property.GetColumnName() == property.Name)
                property.SetColumnName(ToSnakeCase(property.Name));
        }
        foreach (var key in entity.GetKeys())
            key.SetName(ToSnakeCase(key.GetDefaultName() ?? key.GetName()!));
        foreach (var foreignKey in entity.GetForeignKeys())
            foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetDefaultName() ?? foreignKey.GetConstraintName()!));
        // A named index keeps its name (two indexes on the same columns, one partial, need two names).
        foreach (var index in entity.GetIndexes())
            index.SetDatabaseName(index.Name ?? ToSnakeCase(index.GetDefaultDatabaseName() ?? index.GetDatabaseName()!));
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                    builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardTenantWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardTenantWrites();
        return SaveDetectedChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Saves without detecting changes again: <see cref="GuardTenantWrites"/> just did, and a scan compares every
    /// property of every tracked row (JSON columns included), which is the larger part of saving a batch.</summary>
    private async Task<int> SaveDetectedChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>Stamps new tenant-owned rows with the scope's tenant and refuses any write that would touch another tenant's
    /// rows or rewrite the audit log. Detects changes first (once, also for the save that follows).</summary>
    private void GuardTenantWrites()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
                continue;
            if (entry.Entity is AuditLog && entry.State != EntityState.Added)
                throw new InvalidOperationException("Audit log entries are immutable.");
            if (entry.Entity is not ITenantOwned owned)
                continue;
            var current = tenant.TenantId
                ?? throw new InvalidOperationException($"Writing {entry.Metadata.ClrType.Name} needs a tenant scope.");
            if (entry.State == EntityState.Added && owned.TenantId == 0)
                owned.TenantId = current;
            else if (owned.TenantId != current)
                throw new InvalidOperationException($"{entry.Metadata.ClrType.Name} belongs to another tenant.");
        }
    }
}

/// <summary>DateTimeOffset as UTC ticks (SQLite only).</summary>
internal sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
