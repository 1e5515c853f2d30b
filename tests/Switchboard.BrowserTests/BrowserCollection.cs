// One server-and-browser flow at a time: the suites share two cores with their servers.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Switchboard.BrowserTests;

/// <summary>All browser tests share one server and one browser, and run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<SwitchboardServer>
{
    public const string Name = "Browser";
}
