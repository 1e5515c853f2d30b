using Switchboard.Platform.Database;
using Xunit.Sdk;
using System.Reflection;

namespace Switchboard.Tests.Infrastructure;

/// <summary>One server per provider, shared by the tests of the <see cref="ServerCollection"/>; each test makes its own
/// tenants, so tests stay independent without a server each.</summary>
public sealed class Servers : IAsyncLifetime
{
    private readonly Dictionary<DatabaseProvider, SwitchboardFactory> factories = [];
    private readonly SemaphoreSlim gate = new(1);

    public async Task<SwitchboardFactory> ForAsync(DatabaseProvider provider)
    {
        await gate.WaitAsync();
        try
        {
            if (!factories.TryGetValue(provider, out var factory))
            {
                factory = new SwitchboardFactory(await TestDatabase.CreateAsync(provider));
                _ = factory.Server; // start now: migrations run at start
                factories[provider] = factory;
            }
            return factory;
        }
        finally
        {
            gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var factory in factories.Values)
        {
            await factory.DisposeAsync();
            await factory.Database.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<Servers>
{
    public const string Name = "server";
}

/// <summary>Runs a theory once on SQLite and once on PostgreSQL.</summary>
public sealed class ProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        [[DatabaseProvider.Sqlite], [DatabaseProvider.Postgres]];
}
