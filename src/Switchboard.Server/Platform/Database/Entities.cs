namespace Switchboard.Platform.Database;

/// <summary>Marks an entity whose rows belong to one tenant. The DbContext filters and stamps these centrally.</summary>
public interface ITenantOwned
{
    long TenantId { get; set; }
}

/// <summary>Marks an entity that deliberately spans tenants (global identity, platform bookkeeping).
/// Every entity must be either this or <see cref="ITenantOwned"/>; a test enforces it.</summary>
public interface IPlatformEntity;
