using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;

namespace Switchboard.Tests.Infrastructure;

public static class TenantQueries
{
    /// <summary>Runs <paramref name="query"/> on the server's database inside <paramref name="tenantId"/>'s scope.</summary>
    public static Task<T> QueryAsync<T>(this SwitchboardFactory factory, long tenantId, Func<SwitchboardDbContext, Task<T>> query) =>
        factory.InTenantAsync(tenantId, services => query(services.GetRequiredService<SwitchboardDbContext>()));
}
