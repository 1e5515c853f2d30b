using Switchboard.Tenancy;

namespace Switchboard.Platform.Database;

/// <summary>Who is acting, for the current scope (an HTTP request, a job, a CLI command). Set once by the authentication
/// layer, the job worker or the CLI; read by the DbContext's tenant filter and by the audit log.</summary>
public sealed class TenantContext
{
    public long? TenantId { get; private set; }
    public long? UserId { get; private set; }
    public long? ApiKeyId { get; private set; }
    public Role? Role { get; private set; }

    public void Enter(long tenantId, long? userId = null, Role? role = null, long? apiKeyId = null)
    {
        if (TenantId is not null && TenantId != tenantId)
            throw new InvalidOperationException("A scope cannot change tenant once it has entered one.");
        TenantId = tenantId;
        UserId = userId;
        Role = role;
        ApiKeyId = apiKeyId;
    }

    public long RequiredTenantId => TenantId ?? throw new InvalidOperationException("No tenant in this scope.");
}
