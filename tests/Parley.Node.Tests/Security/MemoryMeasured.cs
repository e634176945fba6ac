namespace Parley.Node.Tests.Security;

/// <summary>
/// Tests that bound the victim's heap with <see cref="GC.GetTotalMemory(bool)"/>: the whole test
/// process is measured, so they run alone, after the tests that run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasured
{
    public const string Name = "memory measured";
}
