namespace Parley.Hub.Tests.Rules;

/// <summary>A test with a hub database of its own in a temporary folder, removed after it.</summary>
public abstract class WithHubDatabase : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-hub-rules-").FullName;

    protected WithHubDatabase() => Database = HubDatabase.Open(_home);

    internal HubDatabase Database { get; }

    protected string Home => _home;

    public void Dispose()
    {
        Database.Dispose();
        Directory.Delete(_home, recursive: true);
        GC.SuppressFinalize(this);
    }
}
