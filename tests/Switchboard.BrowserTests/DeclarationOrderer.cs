using Xunit.Abstractions;
using Xunit.Sdk;

namespace Switchboard.BrowserTests;

/// <summary>Runs a class's tests in the order they are declared (the compiler emits methods in source order, so their
/// metadata tokens ascend), so a scenario can build on what an earlier one created.</summary>
public sealed class DeclarationOrderer : ITestCaseOrderer
{
    public const string TypeName = "Switchboard.BrowserTests.DeclarationOrderer";
    public const string AssemblyName = "Switchboard.BrowserTests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => ((IReflectionMethodInfo)t.TestMethod.Method).MethodInfo.MetadataToken);
}
