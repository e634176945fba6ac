using Parley.Node.Files;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Files;

/// <summary>Transfers kept in memory; counts what was recorded.</summary>
internal sealed class FakeTransferStore : ITransferStore
{
    public List<Transfer> Inserted { get; } = [];

    public int Updates { get; private set; }

    public Task InsertTransferAsync(Transfer transfer)
    {
        Inserted.Add(transfer);
        return Task.CompletedTask;
    }

    public Task UpdateTransferAsync(Transfer transfer)
    {
        Updates++;
        return Task.CompletedTask;
    }

    public Task UpdateTransferFilesAsync(Guid transfer, IReadOnlyList<TransferFile> files) => Task.CompletedTask;

    public Task<IReadOnlyList<Transfer>> LoadTransfersAsync(int recentFinished) => Task.FromResult<IReadOnlyList<Transfer>>(Inserted);
}

internal sealed class FakeSettingStore : ISettingStore
{
    private readonly Dictionary<string, string> _settings = [];

    public Task<string?> GetSettingAsync(string key) => Task.FromResult(_settings.GetValueOrDefault(key));

    public Task<IReadOnlyList<(string Key, string Value)>> SettingsWithPrefixAsync(string prefix) =>
        Task.FromResult<IReadOnlyList<(string, string)>>([.. _settings.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(s => (s.Key[prefix.Length..], s.Value))]);

    public Task SetSettingAsync(string key, string value)
    {
        _settings[key] = value;
        return Task.CompletedTask;
    }
}
