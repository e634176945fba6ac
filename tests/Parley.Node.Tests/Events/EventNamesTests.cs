using System.Reflection;
using Parley.Node.Events;

namespace Parley.Node.Tests.Events;

/// <summary>The event stream's types are constants of classes marked [EventNames]; each is documented.</summary>
public class EventNamesTests
{
    private static IReadOnlyList<(string Owner, string Name)> AllEventNames() =>
    [
        .. typeof(EventHub).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<EventNamesAttribute>() is not null)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string))
                .Select(f => (t.Name, (string)f.GetRawConstantValue()!))),
    ];

    [Fact]
    public void EveryEventType_IsListedInTheArchitectureDoc()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md"));
        var names = AllEventNames();
        Assert.True(names.Count >= 15, $"only {names.Count} event types found: is [EventNames] on every feature's events class?");
        Assert.All(names, n => Assert.True(doc.Contains($"`{n.Name}`", StringComparison.Ordinal),
            $"{n.Owner}: event type `{n.Name}` is not listed in docs/architecture.md"));
    }

    [Fact]
    public void NoTwoFeatures_PublishTheSameEventType()
    {
        var clashes = AllEventNames().GroupBy(n => n.Name).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(n => n.Owner))}");
        Assert.Empty(clashes);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Parley.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("no Parley.slnx above " + AppContext.BaseDirectory);
    }
}
